// The WASM scan must give topKByDot's answer bit for bit: ids, order, ties, scores.
import { Rng } from './rng';
import { topKByDot } from './top-k';
import { loadDotScanKernel, type DotScanKernel } from './dot-scan';

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

  it('shares one compiled kernel between callers', async () => {
    expect(await loadDotScanKernel()).toBe(kernel);
  });
});
