// Exact neighbour lists with ONNX Runtime as the float32 screen: per block of 256 query
// rows, one MatMul against the whole transposed matrix and a TopK of the n + 33 best
// (@cinemap/model `buildNeighbourScreenOnnx`), on ONNX Runtime's own threads (its SGEMM
// uses the CPU's widest vectors: AVX-512 here, against WebAssembly's 128 bits). Each
// query's candidates are then re-scored exactly (@cinemap/math `ScreenSelection`); a query
// whose n + 33 candidates cannot prove its list (a near-tie at the cut) is scanned (the
// scan kernel's `topK`, or `topKByDot` where that does not compile). So the lists are the
// WASM kernel's and the scan's, id for id and bit for bit: the screen only decides which
// rows are re-scored.
import { availableParallelism } from 'node:os';
import {
  loadDotScanKernel,
  ScreenSelection,
  screeningMargin,
  topKByDot,
  transposeRows,
  type DotScanIndex,
  type NeighbourLists,
} from '@cinemap/math';
import { buildNeighbourScreenOnnx } from '@cinemap/model';

/** Queries per MatMul: their scores over 86k rows are 88 MB, written once and read by TopK. */
const QUERY_BLOCK = 256;
/** Candidates past the n + 1 (the query and its n): room for the margin at the cut. */
const EXTRA = 32;

export interface OnnxListOptions {
  threads?: number;
  onProgress?: (done: number, total: number) => void;
}

/** The lists, and how many queries the screen could not prove and were scanned. */
export type OnnxLists = NeighbourLists & { scanned: number };

/**
 * Lists for every row of a unit-length row-major matrix (ids are row indices), or null
 * where this screen does not apply — ONNX Runtime cannot be loaded, or the matrix has
 * rows whose float32 scores could be off by more than a margin (NaN, overflow) — and the
 * caller uses the WASM kernel, which scans such matrices.
 */
export async function neighbourListsOnnx(
  matrix: Float32Array,
  rows: number,
  dim: number,
  n: number,
  o: OnnxListOptions = {},
): Promise<OnnxLists | null> {
  const margin = screeningMargin(matrix, rows, dim);
  if (!Number.isFinite(margin) || rows === 0) return null;
  let ort: typeof import('onnxruntime-node');
  try {
    ort = await import('onnxruntime-node');
  } catch {
    return null;
  }
  const k = Math.min(rows, n + 1 + EXTRA);
  const session = await ort.InferenceSession.create(buildNeighbourScreenOnnx(dim, k), {
    intraOpNumThreads: Math.max(1, o.threads ?? availableParallelism()),
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  const matrixT = new ort.Tensor('float32', transposeRows(matrix, rows, dim), [dim, rows]);
  const out: OnnxLists = {
    n,
    from: 0,
    to: rows,
    ids: new Int32Array(rows * n).fill(-1),
    scores: new Float64Array(rows * n).fill(NaN),
    scanned: 0,
  };
  const index = await scanIndex(matrix, rows, dim);
  const selection = new ScreenSelection(n, margin, k, index);
  try {
    for (let q0 = 0; q0 < rows; q0 += QUERY_BLOCK) {
      const q1 = Math.min(rows, q0 + QUERY_BLOCK);
      const queries = new ort.Tensor('float32', matrix.slice(q0 * dim, q1 * dim), [q1 - q0, dim]);
      const res = await session.run({ queries, matrix_t: matrixT });
      const scores = res.scores.data as Float32Array,
        found = res.rows.data as Int32Array;
      for (let q = q0; q < q1; q++) {
        let list = selection.select(matrix, rows, dim, q, found, scores, (q - q0) * k);
        if (!list) {
          out.scanned++;
          const query = matrix.subarray(q * dim, q * dim + dim);
          const exclude = (i: number) => i === q;
          list = index ? index.topK(query, n, { exclude }) : topKByDot(matrix, rows, dim, query, n, { exclude });
        }
        out.ids.set(list.indices, q * n);
        out.scores.set(list.scores, q * n);
      }
      o.onProgress?.(q1, rows);
    }
  } finally {
    await session.release();
  }
  return out;
}

/**
 * The matrix in the scan kernel's WebAssembly memory, for the re-scoring and the scans
 * (the same float64 sums as scanDot and topKByDot, ~10x faster); undefined where it does
 * not compile (those then run in TypeScript).
 */
async function scanIndex(matrix: Float32Array, rows: number, dim: number): Promise<DotScanIndex | undefined> {
  try {
    const index = (await loadDotScanKernel()).index(rows, dim);
    index.matrix.set(matrix.subarray(0, rows * dim));
    return index;
  } catch {
    return undefined;
  }
}
