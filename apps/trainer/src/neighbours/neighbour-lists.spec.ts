// The threaded lists equal one thread's (the pure kernel over the whole matrix), whatever
// the number of threads and chunks; the ONNX Runtime screen gives the same lists bit for
// bit, scanning the queries it cannot prove; rows come out as movie ids in the table's form.
import { loadNeighbourListKernel, neighbourListsByScan, Rng, unitRowsById } from '@cinemap/math';
import { computeNeighbourLists, neighbourRows } from './neighbour-lists';
import { neighbourListsOnnx } from './onnx-lists';

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Buffer.from(Float64Array.from(a).buffer).equals(Buffer.from(Float64Array.from(b).buffer));

describe('computeNeighbourLists (worker threads)', () => {
  it('equals the single-threaded kernel over several chunks, on 1 and 2 threads', async () => {
    const rows = 4500,
      dim = 12;
    const rng = new Rng(4);
    const factors = Float32Array.from({ length: rows * dim }, () => rng.normal(0, 1));
    const movieIds = Array.from({ length: rows }, (_, i) => 10 * (rows - i)); // descending: rows get re-ordered by id
    const { ids, matrix } = unitRowsById(movieIds, factors, dim);
    const want = (await loadNeighbourListKernel()).lists(matrix, rows, dim, 20);
    for (const threads of [1, 2]) {
      const progress: number[] = [];
      const got = await computeNeighbourLists(movieIds, factors, dim, {
        n: 20,
        threads,
        screen: 'wasm',
        onProgress: (d) => progress.push(d),
      });
      expect(got.screen).toBe('wasm');
      expect(Array.from(got.ids)).toEqual(Array.from(ids));
      expect(Buffer.from(got.lists.ids.buffer).equals(Buffer.from(want.ids.buffer))).toBe(true);
      expect(Buffer.from(got.lists.scores.buffer).equals(Buffer.from(want.scores.buffer))).toBe(true);
      expect(progress[progress.length - 1]).toBe(rows);
    }
  }, 60_000);

  it('gives movie_neighbours rows: movie ids best first, short lists where the run has few films', async () => {
    const factors = Float32Array.from([1, 0, 0.6, 0.8, 0, 1]);
    const rows = [...neighbourRows(await computeNeighbourLists([30, 10, 20], factors, 2, { n: 5 }))];
    expect(rows.map((r) => [r.movieId, Array.from(r.neighbourIds)])).toEqual([
      [10, [20, 30]],
      [20, [10, 30]],
      [30, [10, 20]],
    ]);
    expect(rows[0].similarities[0]).toBeCloseTo(0.8, 6);
  });

  it.each([
    [12, 4500, 20, 2],
    [50, 700, 100, 1],
    [7, 60, 100, 2], // fewer rows than n + 1: every row is a candidate, lists run short
  ])(
    'the ONNX Runtime screen equals the scan, bit for bit (dim %i, %i rows, n %i, %i threads)',
    async (dim, rows, n, threads) => {
      const rng = new Rng(dim + rows);
      const factors = Float32Array.from({ length: rows * dim }, () => rng.normal(0, 1));
      const movieIds = Array.from({ length: rows }, (_, i) => i + 1);
      const { matrix } = unitRowsById(movieIds, factors, dim);
      const want = neighbourListsByScan(matrix, rows, dim, n);
      const progress: number[] = [];
      const got = await computeNeighbourLists(movieIds, factors, dim, { n, threads, onProgress: (d) => progress.push(d) });
      expect(got.screen).toBe('onnxruntime');
      expect(Array.from(got.lists.ids)).toEqual(Array.from(want.ids));
      expect(sameBits(got.lists.scores, want.scores)).toBe(true);
      expect(progress[progress.length - 1]).toBe(rows);
    },
    60_000,
  );

  it('scans the queries whose candidates cannot prove the list (ties at the cut), with the same lists', async () => {
    // 60 copies each of 20 directions: each query's 59 copies tie at the top, past its
    // n + 33 candidates, so the screen cannot tell which belong; the scan takes lower rows first.
    const dim = 8,
      rows = 1200,
      n = 20;
    const rng = new Rng(9);
    const base = Float32Array.from({ length: 20 * dim }, () => rng.normal(0, 1));
    const factors = new Float32Array(rows * dim);
    for (let r = 0; r < rows; r++) factors.set(base.subarray((r % 20) * dim, (r % 20) * dim + dim), r * dim);
    const movieIds = Array.from({ length: rows }, (_, i) => i + 1);
    const { matrix } = unitRowsById(movieIds, factors, dim);
    const want = neighbourListsByScan(matrix, rows, dim, n);
    const got = await neighbourListsOnnx(matrix, rows, dim, n, { threads: 2 });
    expect(got).not.toBeNull();
    expect(got!.scanned).toBe(rows);
    expect(Array.from(got!.ids)).toEqual(Array.from(want.ids));
    expect(sameBits(got!.scores, want.scores)).toBe(true);
  }, 60_000);

  it('leaves matrices with a NaN row to the WASM kernel (which scans them)', async () => {
    const m = Float32Array.from([1, 0, NaN, 0, 0, 1]);
    expect(await neighbourListsOnnx(m, 3, 2, 2)).toBeNull();
    const got = await computeNeighbourLists([1, 2, 3], m, 2, { n: 2 });
    expect(got.screen).toBe('wasm');
  });
});
