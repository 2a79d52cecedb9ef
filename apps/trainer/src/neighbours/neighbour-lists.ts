// A run's precomputed neighbour lists for one basis (issue 19): the basis's vectors
// in, rows for movie_neighbours out. The trainer calls it once per basis it writes
// ('taste' = the learned movie factors; 'audience' and 'blend' are one more call each
// with their own vectors), and the serving bench calls it on its seeded catalogue.
import { DEFAULT_NEIGHBOUR_LIST_LENGTH, unitRowsById, type NeighbourLists } from '@cinemap/math';
import type { MovieNeighboursRow } from '@cinemap/db';
import { neighbourListsThreaded, type PoolOptions } from './neighbour-pool';

export interface BasisNeighbours {
  /** Movie ids in row order (ascending, the gateway's order). */
  ids: Int32Array;
  lists: NeighbourLists;
  seconds: number;
}

/**
 * Exact top-`n` cosine neighbours of every movie from its vector (`factors`, row-major,
 * aligned with `movieIds`), computed over worker threads.
 */
export async function computeNeighbourLists(
  movieIds: ArrayLike<number>,
  factors: Float32Array,
  dim: number,
  o: PoolOptions & { n?: number } = {},
): Promise<BasisNeighbours> {
  const t0 = performance.now();
  const { ids, matrix } = unitRowsById(movieIds, factors, dim);
  const lists = await neighbourListsThreaded(matrix, ids.length, dim, o.n ?? DEFAULT_NEIGHBOUR_LIST_LENGTH, o);
  return { ids, lists, seconds: (performance.now() - t0) / 1000 };
}

/** The lists as movie_neighbours rows (movie ids, similarities), for copyMovieNeighbours. */
export function* neighbourRows({ ids, lists }: BasisNeighbours): Generator<MovieNeighboursRow> {
  const { n } = lists;
  for (let r = 0; r < ids.length; r++) {
    let len = 0;
    while (len < n && lists.ids[r * n + len] >= 0) len++;
    const neighbourIds = new Int32Array(len);
    for (let i = 0; i < len; i++) neighbourIds[i] = ids[lists.ids[r * n + i]];
    yield { movieId: ids[r], neighbourIds, similarities: lists.scores.subarray(r * n, r * n + len) };
  }
}
