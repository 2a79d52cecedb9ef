// The byte-level COPY encoders write exactly what the obvious string version would.
import { curatedCsv, ratingsCsv, timestampText } from './csv-rows';

describe('COPY encoders', () => {
  const n = 50_000;
  let seed = 1;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const r = {
    length: n,
    userId: new Int32Array(n),
    movieId: new Int32Array(n),
    halfStars: new Uint8Array(n),
    timestamp: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    r.userId[i] = 1 + Math.floor(rnd() * 2e9);
    r.movieId[i] = 1 + Math.floor(rnd() * 300000);
    r.halfStars[i] = 1 + Math.floor(rnd() * 10);
    r.timestamp[i] = i < 3 ? [0, 86399, 86400][i] : Math.floor(rnd() * 2e9);
  }
  const RT = ['', '0.5', '1', '1.5', '2', '2.5', '3', '3.5', '4', '4.5', '5'];

  it('timestampText is ISO UTC', () => {
    expect(timestampText(964982703)).toBe('2000-07-30 18:45:03+00');
    expect(timestampText(0)).toBe('1970-01-01 00:00:00+00');
    for (const t of [1, 86399, 86400, 1e9, 1700000000])
      expect(`${timestampText(t).replace(' ', 'T').replace('+00', '')}.000Z`).toBe(new Date(t * 1000).toISOString());
  });

  it('ratingsCsv and curatedCsv match the string version, across chunk boundaries', () => {
    let want = '';
    for (let i = 0; i < n; i++) want += `${r.userId[i]},${r.movieId[i]},${RT[r.halfStars[i]]},${timestampText(r.timestamp[i])}\n`;
    const chunks = [...ratingsCsv(r)];
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).toString()).toBe(want);
    const keep = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    let w2 = '';
    for (let i = 0; i < n; i++) if (keep[i]) w2 += `7,${r.userId[i]},${r.movieId[i]},${RT[r.halfStars[i]]}\n`;
    expect(Buffer.concat([...curatedCsv(7, r, keep)]).toString()).toBe(w2);
  });
});
