// --report: the three figures render headless to SVG with their data.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { curate } from '../curate/curate';
import { figureData, writeReport } from './figures';

describe('report figures', () => {
  // 3 movies x 4 users, ratings in Jan and Feb 2000.
  const n = 12;
  const r = {
    length: n,
    userId: Int32Array.from({ length: n }, (_, i) => 1 + (i % 4)),
    movieId: Int32Array.from({ length: n }, (_, i) => 1 + Math.floor(i / 4)),
    halfStars: Uint8Array.from({ length: n }, (_, i) => (i < 4 ? 10 : i < 8 ? 8 : 4)),
    timestamp: Float64Array.from({ length: n }, (_, i) => 946684800 + (i % 2) * 40 * 86400),
  };
  const c = curate(r, { minAvgRating: 3.5, minMovieRatings: 1, minUserRatings: 1, sampleFraction: null, seed: 1 });

  it('aggregates months, log bins and averages', () => {
    const d = figureData(r, c);
    expect(d.perMonth).toEqual([
      { month: '2000-01', ratings: 6 },
      { month: '2000-02', ratings: 6 },
    ]);
    // Every movie has 4 ratings (bin [4,8)), every user 3 (bin [2,4)).
    expect(d.perCount.filter((b) => b.n > 0)).toEqual([
      { kind: 'ratings per movie', from: 4, to: 8, n: 3 },
      { kind: 'ratings per user', from: 2, to: 4, n: 4 },
    ]);
    const before = d.averages.filter((a) => a.set.startsWith('before') && a.n);
    const after = d.averages.filter((a) => a.set.startsWith('after') && a.n);
    expect(before.map((a) => [a.from, a.n])).toEqual(
      [
        [2, 1],
        [4, 1],
        [5, 1],
      ].map(([f, k]) => [f === 5 ? 4.75 : f, k]),
    );
    expect(after.map((a) => a.from)).toEqual([4, 4.75]); // the 2.0 movie is curated away
  });

  it('writes three SVGs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cinemap-report-'));
    const files = await writeReport(dir, r, c);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      'ratings-per-month.svg',
      'ratings-per-movie-and-user.svg',
      'average-rating-before-after.svg',
    ]);
    for (const f of files) {
      const svg = readFileSync(f, 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toMatch(/<path|<rect/);
    }
    expect(readFileSync(files[0], 'utf8')).toContain('Ratings per month');
    expect(readFileSync(files[2], 'utf8')).toContain('after curation');
  }, 30_000);
});
