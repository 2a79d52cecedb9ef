// The WASM scan must give topKByDot's answer bit for bit: ids, order, ties, scores.
import { Rng } from './rng';
import { topKByDot } from './top-k';
import { loadDotScanKernel, screenMargin8, type DotScanKernel } from './dot-scan';
import { normalizeRows } from './cosine';

let kernel: DotScanKernel;
beforeAll(async () => {
  kernel = await loadDotScanKernel();
});

function filled(rows: number, dim: number, value: (i: number) => number) {
  const idx = kernel.index(rows, dim);
  for (let i = 0; i < rows * dim; i++) idx.matrix[i] = value(i);
  return idx;
}

describe('DotScanIndex', () => {
  it('scores a known matrix: dot products, best first, ties by lower index', () => {
    // 4 rows x 5 (a dim % 4 tail): rows 1 and 3 tie
    const idx = filled(4, 5, (i) => [1, 0, 0, 0, 0, 0, 2, 0, 0, 1, 0, 0, 0, 0, -1, 0, 2, 0, 0, 1][i]);
    const r = idx.topK([0, 1, 0, 0, 1], 4);
    expect(Array.from(r.indices)).toEqual([1, 3, 0, 2]);
    expect(Array.from(r.scores)).toEqual([3, 3, 0, -1]);
    expect(Array.from(idx.topK([0, 1, 0, 0, 1], 2, { exclude: new Set([1]) }).indices)).toEqual([3, 0]);
    expect(() => idx.topK([1, 0], 1)).toThrow(/query has 2 values but rows have dim=5/);
  });

  it.each([1, 2, 3, 4, 5, 7, 8, 50, 51])(
    'matches topKByDot exactly at dim %i (float32 and float64 queries, exclusions, NaN rows)',
    (dim) => {
      const rng = new Rng(1000 + dim);
      const rows = 1500;
      const idx = filled(rows, dim, () => rng.normal());
      // duplicate rows make exact ties; a NaN row must be skipped by both
      idx.matrix.copyWithin(7 * dim, 3 * dim, 4 * dim);
      idx.matrix.copyWithin(900 * dim, 3 * dim, 4 * dim);
      idx.matrix[11 * dim] = Number.NaN;
      const m = idx.matrix.slice();
      for (let t = 0; t < 12; t++) {
        const q = t % 2 ? Float64Array.from({ length: dim }, () => rng.normal()) : m.subarray(t * dim, (t + 1) * dim);
        for (const k of [0, 1, 10, 100, rows + 5]) {
          const exclude = t % 3 === 0 ? undefined : (i: number) => i % 5 === t % 5;
          const want = topKByDot(m, rows, dim, q, k, { exclude });
          const got = idx.topK(q, k, { exclude });
          expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
          expect(Array.from(got.scores)).toEqual(Array.from(want.scores)); // bitwise, not close
        }
      }
    },
  );

  it('matches topKByDot on coarse values where many scores tie', () => {
    const rng = new Rng(5);
    const rows = 3000,
      dim = 6;
    const idx = filled(rows, dim, () => rng.int(3) - 1);
    const m = idx.matrix.slice();
    const q = [1, 0, -1, 1, 0, 1];
    const want = topKByDot(m, rows, dim, q, 50);
    const got = idx.topK(q, 50);
    expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
    expect(Array.from(got.scores)).toEqual(Array.from(want.scores));
  });

  it('handles an empty matrix and rejects bad sizes', () => {
    expect(kernel.index(0, 50).topK(new Float32Array(50), 10).indices.length).toBe(0);
    expect(() => kernel.index(-1, 3)).toThrow(/non-negative integers, got rows=-1/);
    expect(() => kernel.index(2 ** 20, 1024)).toThrow(/over the 2 GiB/);
  });

  it.each([3, 8, 50, 51])('topKOfRows equals topKByDot with the unlisted rows excluded, at dim %i', (dim) => {
    const rng = new Rng(77 + dim);
    const rows = 2000;
    const idx = filled(rows, dim, () => rng.int(5) - 2 + (rng.next() < 0.5 ? 0 : rng.normal()));
    idx.matrix.copyWithin(40 * dim, 30 * dim, 31 * dim); // an exact tie
    idx.matrix[13 * dim] = Number.NaN;
    const m = idx.matrix.slice();
    for (let t = 0; t < 10; t++) {
      const keep = [0.001, 0.02, 0.3, 0.9, 1][t % 5];
      const listed: number[] = [];
      for (let r = 0; r < rows; r++) if (rng.next() < keep || (t === 3 && (r === 30 || r === 40))) listed.push(r);
      const list = Int32Array.from(listed);
      const inList = new Set(listed);
      const q = Float64Array.from({ length: dim }, () => rng.normal());
      const extra = t % 2 ? (r: number) => r % 7 === t : undefined;
      for (const k of [0, 1, 10, 300]) {
        const want = topKByDot(m, rows, dim, q, k, { exclude: (r) => !inList.has(r) || (extra?.(r) ?? false) });
        const got = idx.topKOfRows(q, k, list, { exclude: extra });
        expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
        expect(Array.from(got.scores)).toEqual(Array.from(want.scores)); // bitwise
      }
    }
    // the full scan still answers as before after a subset scan used the same memory
    const q = Float64Array.from({ length: dim }, () => rng.normal());
    expect(Array.from(idx.topK(q, 20).indices)).toEqual(Array.from(topKByDot(m, rows, dim, q, 20).indices));
  });

  it('topKOfRows refuses a row list it cannot scan safely', () => {
    const idx = filled(10, 4, (i) => i);
    const q = [1, 0, 0, 0];
    expect(() => idx.topKOfRows(q, 1, Int32Array.of(3, 2))).toThrow(/ascending row numbers below 10 \(rows\[1\] = 2\)/);
    expect(() => idx.topKOfRows(q, 1, Int32Array.of(1, 10))).toThrow(/rows\[1\] = 10/);
    expect(() => idx.topKOfRows(q, 1, Int32Array.of(-1))).toThrow(/rows\[0\] = -1/);
    expect(() => idx.topKOfRows(q, 1, new Int32Array(11))).toThrow(/11 rows listed, the matrix has 10/);
    expect(() => idx.topKOfRows([1], 1, Int32Array.of(0))).toThrow(/query has 1 values but rows have dim=4/);
    expect(Array.from(idx.topKOfRows(q, 5, new Int32Array(0)).indices)).toEqual([]);
  });

  describe('topKOfRowsScreened (int8 screen, exact re-scoring)', () => {
    /** Checks the screened answer against topKByDot with the unlisted rows excluded, bit for bit. */
    function agrees(
      idx: ReturnType<typeof filled>,
      rows: number,
      dim: number,
      q: ArrayLike<number>,
      list: Int32Array,
      k: number,
      extra?: (r: number) => boolean,
    ) {
      const m = idx.matrix.slice();
      const inList = new Set(list);
      const want = topKByDot(m, rows, dim, q, k, { exclude: (r) => !inList.has(r) || (extra?.(r) ?? false) });
      const got = idx.topKOfRowsScreened(q, k, list, { exclude: extra });
      expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
      expect(Array.from(got.scores)).toEqual(Array.from(want.scores));
    }

    it.each([3, 8, 50, 51, 100])('equals the exact scan at dim %i: unit and raw rows, scaled queries, subsets, exclusions', (dim) => {
      const rng = new Rng(300 + dim);
      const rows = 3000;
      for (const unit of [true, false]) {
        const idx = filled(rows, dim, () => rng.normal());
        if (unit) normalizeRows(idx.matrix, rows, dim);
        expect(idx.prepareScreen()).toBe(true);
        for (let t = 0; t < 8; t++) {
          const scale = [1, 3, 1e-3, 1][t % 4];
          const q = Float64Array.from({ length: dim }, () => rng.normal() * scale);
          const keep = [1, 0.5, 0.05, 1][t % 4];
          const list = Int32Array.from(Array.from({ length: rows }, (_, r) => r).filter(() => rng.next() < keep));
          const extra = t % 2 ? (r: number) => r % 5 === t % 5 : undefined;
          for (const k of [1, 10, 100]) agrees(idx, rows, dim, q, list, k, extra);
        }
      }
    });

    it('equals the exact scan where many scores are closer than float32 can tell apart', () => {
      // rows = one base row plus perturbations of 1e-7..1e-9: their float32 screening scores
      // tie or misorder, only the float64 re-scoring ranks them, and the k-th falls among them
      const rng = new Rng(9);
      const rows = 2000,
        dim = 50;
      const base = Float64Array.from({ length: dim }, () => rng.normal());
      const idx = filled(rows, dim, (i) => base[i % dim] * (1 + (rng.next() - 0.5) * 10 ** -(7 + (i % 3))));
      normalizeRows(idx.matrix, rows, dim);
      idx.prepareScreen();
      const all = Int32Array.from({ length: rows }, (_, r) => r);
      for (let t = 0; t < 20; t++) {
        const q = Float64Array.from(base, (v) => v + rng.normal() * 1e-3);
        for (const k of [1, 7, 50]) agrees(idx, rows, dim, q, all, k);
      }
      // coarse values: exact ties everywhere, broken by the lower row
      const coarse = filled(rows, 6, () => rng.int(3) - 1);
      coarse.prepareScreen();
      for (const k of [1, 10, 60]) agrees(coarse, rows, 6, [1, 0, -1, 1, 0, 1], all, k);
    });

    it('falls back to the exact scan where the bound cannot hold (a NaN row, a NaN or huge query, unprepared)', () => {
      const rng = new Rng(4);
      const rows = 500,
        dim = 8;
      const idx = filled(rows, dim, () => rng.normal());
      const all = Int32Array.from({ length: rows }, (_, r) => r);
      const check = (q: Float64Array) => agrees(idx, rows, dim, q, all, 10);
      const random = (scale: number) => Float64Array.from({ length: dim }, () => rng.normal() * scale);
      check(random(1)); // not prepared
      expect(idx.prepareScreen()).toBe(true);
      check(random(1e200));
      check(Float64Array.from({ length: dim }, (_, j) => (j === 3 ? Number.NaN : 1)));
      check(new Float64Array(dim)); // a zero query: every score 0, ties by row
      idx.matrix[17 * dim] = Number.NaN;
      expect(idx.prepareScreen()).toBe(false);
      check(random(1));
      expect(screenMargin8(50, 1, 0.01, 1, 0.01)).toBeGreaterThan(0.04);
      expect(screenMargin8(50, 1, 0.01, 1, 0.01)).toBeLessThan(0.05);
      expect(screenMargin8(50, Number.NaN, 0, 1, 0)).toBe(Infinity);
    });
  });

  it('shares one compiled kernel between callers', async () => {
    expect(await loadDotScanKernel()).toBe(kernel);
  });
});
