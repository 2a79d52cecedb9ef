// The threaded lists equal one thread's (the pure kernel over the whole matrix), whatever
// the number of threads and chunks; rows come out as movie ids in the table's form.
import { loadNeighbourListKernel, Rng, unitRowsById } from '@cinemap/math';
import { computeNeighbourLists, neighbourRows } from './neighbour-lists';

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
      const got = await computeNeighbourLists(movieIds, factors, dim, { n: 20, threads, onProgress: (d) => progress.push(d) });
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
});
