import { Rng } from './rng';
import { bottomK, topK, topKByDot } from './top-k';

/** The slow, obviously-right answer: sort every (score, index) pair. */
function bySort(scores: ArrayLike<number>, k: number, excluded: (i: number) => boolean = () => false) {
  const all = Array.from(scores, (s, i) => ({ s, i })).filter((e) => !Number.isNaN(e.s) && !excluded(e.i));
  all.sort((a, b) => b.s - a.s || a.i - b.i);
  return all.slice(0, k);
}

describe('topK', () => {
  it('picks the known best of a small list, ties by lower index', () => {
    const r = topK([0.1, 0.9, 0.5, 0.9, -1, 0.5], 4);
    expect(Array.from(r.indices)).toEqual([1, 3, 2, 5]);
    expect(Array.from(r.scores)).toEqual([0.9, 0.9, 0.5, 0.5]);
  });

  it('handles k = 0, k > n, NaN scores and all three exclusion forms', () => {
    expect(topK([1, 2], 0).indices.length).toBe(0);
    expect(Array.from(topK([1, 3, 2], 10).indices)).toEqual([1, 2, 0]);
    expect(Array.from(topK([Number.NaN, 1, Number.NaN, 2], 3).indices)).toEqual([3, 1]);
    const s = [5, 4, 3, 2, 1];
    expect(Array.from(topK(s, 2, { exclude: new Set([0]) }).indices)).toEqual([1, 2]);
    expect(Array.from(topK(s, 2, { exclude: (i) => i % 2 === 0 }).indices)).toEqual([1, 3]);
    expect(Array.from(topK(s, 2, { exclude: Uint8Array.of(1, 1, 0, 0, 0) }).indices)).toEqual([2, 3]);
    expect(() => topK(s, -1)).toThrow(/k must be a non-negative integer, got -1/);
  });

  it('agrees with a full sort on random data with many ties', () => {
    const rng = new Rng(17);
    for (let trial = 0; trial < 60; trial++) {
      const n = 1 + rng.int(400);
      const scores = new Float32Array(n);
      // coarse values force ties so the index tie-break is exercised
      for (let i = 0; i < n; i++) scores[i] = rng.int(20) / 4;
      const k = rng.int(n + 5);
      const ex = new Set<number>();
      for (let j = 0; j < n / 10; j++) ex.add(rng.int(n));
      const got = topK(scores, k, { exclude: ex });
      const want = bySort(scores, k, (i) => ex.has(i));
      expect(Array.from(got.indices)).toEqual(want.map((e) => e.i));
      expect(Array.from(got.scores)).toEqual(want.map((e) => e.s));
    }
  });

  it('bottomK returns the lowest first, ties by lower index', () => {
    const r = bottomK(new Float64Array([3, -2, 7, -2, 0]), 3, { exclude: new Set([4]) });
    expect(Array.from(r.indices)).toEqual([1, 3, 0]);
    expect(Array.from(r.scores)).toEqual([-2, -2, 3]);
  });
});

describe('topKByDot', () => {
  it('finds the known nearest rows of a tiny matrix', () => {
    // rows: e1, e2, (e1+e2)/sqrt2, -e1 ; query e1 -> dots 1, 0, 0.707, -1
    const h = Math.SQRT1_2;
    const m = new Float32Array([1, 0, 0, 1, h, h, -1, 0]);
    const r = topKByDot(m, 4, 2, [1, 0], 3);
    expect(Array.from(r.indices)).toEqual([0, 2, 1]);
    expect(r.scores[1]).toBeCloseTo(h, 6);
    const noSelf = topKByDot(m, 4, 2, [1, 0], 2, { exclude: new Set([0]) });
    expect(Array.from(noSelf.indices)).toEqual([2, 1]);
    expect(() => topKByDot(m, 4, 3, [1, 0, 0], 1)).toThrow(/fewer than rows\*dim/);
    expect(() => topKByDot(m, 4, 2, [1, 0, 0], 1)).toThrow(/query has 3 values but rows have dim=2/);
  });

  it('agrees with scoring every row and fully sorting (random 2000 x 50)', () => {
    const rng = new Rng(99);
    const rows = 2000,
      dim = 50;
    const m = new Float32Array(rows * dim);
    for (let i = 0; i < m.length; i++) m[i] = rng.normal();
    const q = new Float32Array(dim);
    for (let j = 0; j < dim; j++) q[j] = rng.normal();
    const all = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += m[r * dim + j] * q[j];
      all[r] = s;
    }
    for (const k of [1, 10, 100, rows]) {
      const got = topKByDot(m, rows, dim, q, k, { exclude: (i) => i % 7 === 3 });
      const want = bySort(all, k, (i) => i % 7 === 3);
      expect(Array.from(got.indices)).toEqual(want.map((e) => e.i));
      // summation order differs (4 accumulators), so equal to ~1e-12, not bitwise
      got.scores.forEach((s, j) => expect(s).toBeCloseTo(want[j].s, 10));
    }
  });

  it('handles dims that are not a multiple of 4 and k larger than rows', () => {
    const m = new Float32Array([1, 2, 3, 4, 5, 0, 0, 0, 0, 1]); // 2 rows x 5
    const r = topKByDot(m, 2, 5, [0, 0, 0, 0, 1], 5);
    expect(Array.from(r.indices)).toEqual([0, 1]);
    expect(Array.from(r.scores)).toEqual([5, 1]);
  });
});
