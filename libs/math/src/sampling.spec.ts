import { Rng } from './rng';
import { maskToIndices, randomSplit, stratifiedSample } from './sampling';

/** Rows of one movie: `counts[s]` rows of stratum s. */
function movieRows(movieId: number, counts: Record<number, number>) {
  const g: number[] = [],
    s: number[] = [];
  for (const [stratum, c] of Object.entries(counts))
    for (let i = 0; i < c; i++) {
      g.push(movieId);
      s.push(Number(stratum));
    }
  return { g, s };
}

function keptPerCell(groups: ArrayLike<number>, strata: ArrayLike<number>, keep: Uint8Array) {
  const total = new Map<string, number>(),
    kept = new Map<string, number>();
  for (let i = 0; i < groups.length; i++) {
    const key = `${groups[i]}:${strata[i]}`;
    total.set(key, (total.get(key) ?? 0) + 1);
    kept.set(key, (kept.get(key) ?? 0) + keep[i]);
  }
  return { total, kept };
}

describe('stratifiedSample', () => {
  it('apportions a worked example by largest remainder', () => {
    // 20 ratings: 8 x score 10, 5 x score 8, 7 x score 6; fraction 0.5.
    // Movie keeps round(10) = 10. Exact shares 4, 2.5, 3.5 -> floors 4, 2, 3 (= 9);
    // the one leftover row goes to the largest remainder: 0.5 vs 0.5 tie ->
    // the larger cell (score 6, 7 rows). Expected 4, 2, 4.
    const { g, s } = movieRows(1, { 10: 8, 8: 5, 6: 7 });
    const keep = stratifiedSample(Int32Array.from(g), Uint8Array.from(s), 0.5, 42);
    const { kept } = keptPerCell(g, s, keep);
    expect(kept.get('1:10')).toBe(4);
    expect(kept.get('1:8')).toBe(2);
    expect(kept.get('1:6')).toBe(4);
  });

  it('rounds each movie total half up: 0.1 of 15 rows keeps 2 (1.5 -> 2), of 14 keeps 1', () => {
    const a = movieRows(7, { 1: 5, 2: 5, 3: 5 });
    expect(maskToIndices(stratifiedSample(a.g, a.s, 0.1, 1)).length).toBe(2);
    const b = movieRows(7, { 1: 5, 2: 5, 3: 4 });
    expect(maskToIndices(stratifiedSample(b.g, b.s, 0.1, 1)).length).toBe(1);
  });

  it('on random data: each movie keeps round(f*n), each cell floor or ceil of f*c, rows shuffled in', () => {
    const rng = new Rng(5);
    const n = 60000;
    const groups = new Int32Array(n),
      strata = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      groups[i] = 1 + rng.int(300) * 977; // sparse movie ids, like MovieLens
      // skewed score distribution like real ratings (more 7s and 8s)
      strata[i] = Math.min(10, Math.max(1, Math.round(7 + 2 * rng.normal())));
    }
    for (const f of [0.1, 0.37, 0.5]) {
      const keep = stratifiedSample(groups, strata, f, 42);
      const { total, kept } = keptPerCell(groups, strata, keep);
      const movieTotal = new Map<number, number>(),
        movieKept = new Map<number, number>();
      for (const [key, c] of total) {
        const movie = Number(key.split(':')[0]);
        const k = kept.get(key)!;
        expect(k === Math.floor(f * c + 1e-9) || k === Math.floor(f * c + 1e-9) + 1).toBe(true);
        expect(Math.abs(k - f * c)).toBeLessThan(1);
        movieTotal.set(movie, (movieTotal.get(movie) ?? 0) + c);
        movieKept.set(movie, (movieKept.get(movie) ?? 0) + k);
      }
      for (const [movie, c] of movieTotal) expect(movieKept.get(movie)).toBe(Math.floor(f * c + 0.5));
    }
  });

  it('is reproducible from the seed and different across seeds', () => {
    const rng = new Rng(8);
    const n = 5000;
    const groups = Int32Array.from({ length: n }, () => rng.int(20));
    const strata = Uint8Array.from({ length: n }, () => 1 + rng.int(10));
    const a = stratifiedSample(groups, strata, 0.3, 42);
    expect(stratifiedSample(groups, strata, 0.3, 42)).toEqual(a);
    expect(stratifiedSample(groups, strata, 0.3, 43)).not.toEqual(a);
  });

  it('picks rows within a cell uniformly (each of 10 rows kept 3 times in 10 on average)', () => {
    const groups = new Int32Array(10).fill(4),
      strata = new Uint8Array(10).fill(9);
    const hits = new Int32Array(10),
      trials = 4000;
    for (let seed = 0; seed < trials; seed++) {
      const keep = stratifiedSample(groups, strata, 0.3, seed);
      for (let i = 0; i < 10; i++) hits[i] += keep[i];
    }
    // expected 1200 each, sd sqrt(4000*0.3*0.7) = 29; allow 5 sd
    for (const h of hits) expect(Math.abs(h - 1200)).toBeLessThan(145);
  });

  it('handles edge fractions, huge id ranges, Int32 strata, and reports bad input', () => {
    const g = Int32Array.of(5, 5, 2_000_000_000, -3),
      s = Int32Array.of(1, 2, 1, 1);
    expect(Array.from(stratifiedSample(g, s, 0, 1))).toEqual([0, 0, 0, 0]);
    expect(Array.from(stratifiedSample(g, s, 1, 1))).toEqual([1, 1, 1, 1]);
    // fraction 0.5 of single-row movies: round(0.5) = 1 keeps them; movie 5 keeps 1 of 2
    const half = stratifiedSample(g, s, 0.5, 1);
    expect(half[2] + half[3]).toBe(2);
    expect(half[0] + half[1]).toBe(1);
    expect(stratifiedSample(new Int32Array(0), new Uint8Array(0), 0.5, 1).length).toBe(0);
    expect(() => stratifiedSample(g, Uint8Array.of(1), 0.5, 1)).toThrow(/4 rows but strata has 1/);
    expect(() => stratifiedSample(g, s, 1.5, 1)).toThrow(/fraction must be between 0 and 1.*got 1.5/);
    expect(() => stratifiedSample(g, [1, 2.5, 1, 1], 0.5, 1)).toThrow(/strata\[1\] = 2.5 is not an integer/);
    expect(() => stratifiedSample(g, [0, 9999, 1, 1], 0.5, 1)).toThrow(/strata span 0..9999/);
  });

  it('maskToIndices lists the kept rows', () => {
    expect(Array.from(maskToIndices(Uint8Array.of(0, 1, 1, 0, 1)))).toEqual([1, 2, 4]);
  });
});

describe('randomSplit (fast.ai RandomSplitter)', () => {
  it('cuts int(validPct * n) for validation, partitions 0..n-1, and is seeded', () => {
    const { train, valid } = randomSplit(1001, 0.2, 42);
    expect(valid.length).toBe(200); // int(200.2)
    expect(train.length).toBe(801);
    const seen = new Uint8Array(1001);
    for (const i of [...train, ...valid]) seen[i]++;
    expect(seen.every((c) => c === 1)).toBe(true);
    expect(randomSplit(1001, 0.2, 42).valid).toEqual(valid);
    expect(randomSplit(1001, 0.2, 7).valid).not.toEqual(valid);
    // 0.57*100 is 56.99999999999999 in float64; snapped to the 57 meant (Python's int() would say 56)
    expect(randomSplit(100, 0.57, 1).valid.length).toBe(57);
    expect(() => randomSplit(10, 1.2, 1)).toThrow(/validPct must be between 0 and 1.*got 1.2/);
  });
});
