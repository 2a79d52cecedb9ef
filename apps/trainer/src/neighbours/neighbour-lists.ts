// A run's precomputed neighbour lists for one basis (issue 19): the basis's vectors
// in, rows for movie_neighbours out. The trainer calls it once per basis it writes
// ('taste' = the learned movie factors; 'audience' and 'blend' are one more call each
// with their own vectors), and the serving bench calls it on its seeded catalogue.
import { DEFAULT_NEIGHBOUR_LIST_LENGTH, unitRowsById, type NeighbourLists } from '@cinemap/math';
import type { MovieNeighboursRow } from '@cinemap/db';
import { neighbourListsThreaded, type PoolOptions } from './neighbour-pool';
import { neighbourListsOnnx } from './onnx-lists';

/**
 * Which float32 screen picks the rows that are re-scored exactly: ONNX Runtime's MatMul +
 * TopK (the default; 1.3x the WASM kernel at 86k films on this project's 2-core machine,
 * docs/BENCHMARKS.md), or the WASM kernel on worker threads (also where ONNX Runtime
 * cannot load). Same lists either way.
 */
export type ListScreen = 'onnxruntime' | 'wasm';

export interface BasisNeighbours {
  /** Movie ids in row order (ascending, the gateway's order). */
  ids: Int32Array;
  lists: NeighbourLists;
  seconds: number;
  /** The screen that ran, and how many queries it could not prove and were scanned. */
  screen: ListScreen;
  scanned: number;
}

/**
 * Exact top-`n` cosine neighbours of every movie from its vector (`factors`, row-major,
 * aligned with `movieIds`), computed over worker threads.
 */
export async function computeNeighbourLists(
  movieIds: ArrayLike<number>,
  factors: Float32Array,
  dim: number,
  o: PoolOptions & { n?: number; screen?: ListScreen } = {},
): Promise<BasisNeighbours> {
  const t0 = performance.now();
  const { ids, matrix } = unitRowsById(movieIds, factors, dim);
  const n = o.n ?? DEFAULT_NEIGHBOUR_LIST_LENGTH;
  const seconds = () => (performance.now() - t0) / 1000;
  if ((o.screen ?? 'onnxruntime') === 'onnxruntime') {
    const lists = await neighbourListsOnnx(matrix, ids.length, dim, n, o);
    if (lists) return { ids, lists, seconds: seconds(), screen: 'onnxruntime', scanned: lists.scanned };
  }
  const lists = await neighbourListsThreaded(matrix, ids.length, dim, n, o);
  return { ids, lists, seconds: seconds(), screen: 'wasm', scanned: 0 };
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
