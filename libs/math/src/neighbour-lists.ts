// Every row's top-N exact neighbours by dot product (cosine on unit rows) over a
// row-major float32 matrix: the precomputed neighbour lists the gateway answers
// similarMovies from. A blocked product: a block of rows (kept in cache) against four
// queries at a time in a WebAssembly SIMD kernel that loads and widens each matrix
// value once for the four; the selection keeps one bounded heap per query across blocks.
//
// Exactness: for every (query, row) pair the kernel performs the same IEEE float64
// operations in the same order as `topKByDot` and the gateway's scan kernel
// (./dot-scan.ts): four partial sums over j mod 4, the dim % 4 tail into the first,
// total (s0 + s1) + (s2 + s3). So each list is, id for id and bit for bit,
// `topKByDot(matrix, rows, dim, row(q), n, { exclude: {q} })` — not an approximation.
// (A float32 product would be ~2x faster but needs a re-scoring pass to give the same
// order; not taken.)
//
// Pure: no threads here. A caller splits the rows into ranges (`from`, `to`) and runs
// each range where it likes (the trainer: one worker thread per core).
import { compileWat } from './wat';
import { TopKHeap, topKByDot } from './top-k';
import { normalizeRows } from './cosine';

const BLOCK_WAT = String.raw`
(module
  (memory (export "memory") 0)
  ;; For rows r in [r0, r1) and the four f64 queries at $q (each dim values, back to back):
  ;; out[g * (r1 - r0) + (r - r0)] = matrix[r,:] . query g, matrix at byte 0 (f32).
  (func (export "scan4") (param $r0 i32) (param $r1 i32) (param $dim i32) (param $q i32) (param $out i32)
    (local $r i32) (local $o i32) (local $j i32) (local $d4 i32) (local $qp i32) (local $qs i32) (local $n i32)
    (local $m v128) (local $lo v128) (local $hi v128)
    (local $a0 v128) (local $b0 v128) (local $a1 v128) (local $b1 v128)
    (local $a2 v128) (local $b2 v128) (local $a3 v128) (local $b3 v128)
    (local $t0 f64) (local $t1 f64) (local $t2 f64) (local $t3 f64) (local $x f64) (local $op i32)
    (local.set $d4 (i32.and (local.get $dim) (i32.const -4)))
    (local.set $qs (i32.shl (local.get $dim) (i32.const 3)))
    (local.set $n (i32.sub (local.get $r1) (local.get $r0)))
    (local.set $r (local.get $r0))
    (block $rdone (loop $rl
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $o (i32.mul (local.get $r) (i32.shl (local.get $dim) (i32.const 2))))
      (local.set $a0 (v128.const i64x2 0 0)) (local.set $b0 (v128.const i64x2 0 0))
      (local.set $a1 (v128.const i64x2 0 0)) (local.set $b1 (v128.const i64x2 0 0))
      (local.set $a2 (v128.const i64x2 0 0)) (local.set $b2 (v128.const i64x2 0 0))
      (local.set $a3 (v128.const i64x2 0 0)) (local.set $b3 (v128.const i64x2 0 0))
      (local.set $j (i32.const 0))
      (block $jdone (loop $jl
        (br_if $jdone (i32.ge_u (local.get $j) (local.get $d4)))
        (local.set $m (v128.load align=4 (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $lo (f64x2.promote_low_f32x4 (local.get $m)))
        (local.set $hi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $m) (local.get $m))))
        (local.set $qp (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $lo) (v128.load align=8 (local.get $qp)))))
        (local.set $b0 (f64x2.add (local.get $b0) (f64x2.mul (local.get $hi) (v128.load offset=16 align=8 (local.get $qp)))))
        (local.set $qp (i32.add (local.get $qp) (local.get $qs)))
        (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $lo) (v128.load align=8 (local.get $qp)))))
        (local.set $b1 (f64x2.add (local.get $b1) (f64x2.mul (local.get $hi) (v128.load offset=16 align=8 (local.get $qp)))))
        (local.set $qp (i32.add (local.get $qp) (local.get $qs)))
        (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $lo) (v128.load align=8 (local.get $qp)))))
        (local.set $b2 (f64x2.add (local.get $b2) (f64x2.mul (local.get $hi) (v128.load offset=16 align=8 (local.get $qp)))))
        (local.set $qp (i32.add (local.get $qp) (local.get $qs)))
        (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $lo) (v128.load align=8 (local.get $qp)))))
        (local.set $b3 (f64x2.add (local.get $b3) (f64x2.mul (local.get $hi) (v128.load offset=16 align=8 (local.get $qp)))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $jl)))
      ;; the dim % 4 tail goes into s0 of each query, as in topKByDot
      (local.set $t0 (f64x2.extract_lane 0 (local.get $a0)))
      (local.set $t1 (f64x2.extract_lane 0 (local.get $a1)))
      (local.set $t2 (f64x2.extract_lane 0 (local.get $a2)))
      (local.set $t3 (f64x2.extract_lane 0 (local.get $a3)))
      (block $tdone (loop $tl
        (br_if $tdone (i32.ge_u (local.get $j) (local.get $dim)))
        (local.set $x (f64.promote_f32 (f32.load (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $qp (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $t0 (f64.add (local.get $t0) (f64.mul (local.get $x) (f64.load (local.get $qp)))))
        (local.set $qp (i32.add (local.get $qp) (local.get $qs)))
        (local.set $t1 (f64.add (local.get $t1) (f64.mul (local.get $x) (f64.load (local.get $qp)))))
        (local.set $qp (i32.add (local.get $qp) (local.get $qs)))
        (local.set $t2 (f64.add (local.get $t2) (f64.mul (local.get $x) (f64.load (local.get $qp)))))
        (local.set $qp (i32.add (local.get $qp) (local.get $qs)))
        (local.set $t3 (f64.add (local.get $t3) (f64.mul (local.get $x) (f64.load (local.get $qp)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $tl)))
      ;; totals (s0 + s1) + (s2 + s3), one per query, n rows apart
      (local.set $op (i32.add (local.get $out) (i32.shl (i32.sub (local.get $r) (local.get $r0)) (i32.const 3))))
      (f64.store (local.get $op)
        (f64.add (f64.add (local.get $t0) (f64x2.extract_lane 1 (local.get $a0)))
                 (f64.add (f64x2.extract_lane 0 (local.get $b0)) (f64x2.extract_lane 1 (local.get $b0)))))
      (local.set $op (i32.add (local.get $op) (i32.shl (local.get $n) (i32.const 3))))
      (f64.store (local.get $op)
        (f64.add (f64.add (local.get $t1) (f64x2.extract_lane 1 (local.get $a1)))
                 (f64.add (f64x2.extract_lane 0 (local.get $b1)) (f64x2.extract_lane 1 (local.get $b1)))))
      (local.set $op (i32.add (local.get $op) (i32.shl (local.get $n) (i32.const 3))))
      (f64.store (local.get $op)
        (f64.add (f64.add (local.get $t2) (f64x2.extract_lane 1 (local.get $a2)))
                 (f64.add (f64x2.extract_lane 0 (local.get $b2)) (f64x2.extract_lane 1 (local.get $b2)))))
      (local.set $op (i32.add (local.get $op) (i32.shl (local.get $n) (i32.const 3))))
      (f64.store (local.get $op)
        (f64.add (f64.add (local.get $t3) (f64x2.extract_lane 1 (local.get $a3)))
                 (f64.add (f64x2.extract_lane 0 (local.get $b3)) (f64x2.extract_lane 1 (local.get $b3)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))
)`;

interface BlockExports {
  memory: WebAssembly.Memory;
  scan4(r0: number, r1: number, dim: number, qOffset: number, outOffset: number): void;
}

/** N when nobody says otherwise: similarMovies(k <= 100) is answered from the list alone. */
export const DEFAULT_NEIGHBOUR_LIST_LENGTH = 100;

/** Rows per cache block: 1024 x 50 float32 = 200 KB, inside a core's L2. */
const ROW_BLOCK = 1024;
/** Queries whose heaps are filled in one pass over the matrix (a multiple of 4). */
const QUERY_BLOCK = 64;

/**
 * Lists for rows [from, to): `ids[(q - from) * n + i]` is the row index of query q's
 * i-th neighbour (best first; ties by lower index), `scores` its dot product, -1 / NaN
 * past the end when the matrix has n rows or fewer.
 */
export interface NeighbourLists {
  n: number;
  from: number;
  to: number;
  ids: Int32Array;
  scores: Float64Array;
}

export interface NeighbourListOptions {
  /** First query row (default 0). */
  from?: number;
  /** One past the last query row (default rows). */
  to?: number;
  /** Called after each block of queries with the rows done so far in this range. */
  onProgress?: (done: number, total: number) => void;
}

function checkArgs(matrix: Float32Array, rows: number, dim: number, n: number, o: NeighbourListOptions): { from: number; to: number } {
  const from = o.from ?? 0,
    to = o.to ?? rows;
  const bad = (what: string) => new RangeError(`neighbourLists: ${what}`);
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(dim) || dim < 1)
    throw bad(`rows and dim must be integers (rows >= 0, dim >= 1), got rows=${rows}, dim=${dim}`);
  if (!Number.isInteger(n) || n < 1) throw bad(`n (the list length) must be a positive integer, got ${String(n)}`);
  if (matrix.length < rows * dim) throw bad(`matrix has ${matrix.length} values, fewer than rows*dim = ${rows}*${dim}`);
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > rows || from > to)
    throw bad(`from/to must satisfy 0 <= from <= to <= rows (${rows}), got from=${from}, to=${to}`);
  return { from, to };
}

function emptyLists(n: number, from: number, to: number): NeighbourLists {
  const ids = new Int32Array((to - from) * n).fill(-1);
  const scores = new Float64Array((to - from) * n).fill(NaN);
  return { n, from, to, ids, scores };
}

/**
 * The reference: one `topKByDot` per query row (TypeScript, ~4x slower than the
 * kernel). Where WebAssembly SIMD is missing, and what the kernel is tested against.
 */
export function neighbourListsByScan(
  matrix: Float32Array,
  rows: number,
  dim: number,
  n: number,
  options: NeighbourListOptions = {},
): NeighbourLists {
  const { from, to } = checkArgs(matrix, rows, dim, n, options);
  const out = emptyLists(n, from, to);
  for (let q = from; q < to; q++) {
    const query = matrix.subarray(q * dim, q * dim + dim);
    const { indices, scores } = topKByDot(matrix, rows, dim, query, n, { exclude: (i) => i === q });
    out.ids.set(indices, (q - from) * n);
    out.scores.set(scores, (q - from) * n);
    if ((q - from) % QUERY_BLOCK === QUERY_BLOCK - 1) options.onProgress?.(q - from + 1, to - from);
  }
  options.onProgress?.(to - from, to - from);
  return out;
}

let compiled: Promise<NeighbourListKernel> | undefined;

/**
 * The compiled blocked kernel (assembled once per process). Rejects where WebAssembly
 * SIMD is unavailable: callers then use `neighbourListsByScan` (same lists).
 */
export function loadNeighbourListKernel(): Promise<NeighbourListKernel> {
  compiled ??= compileWat('neighbour-lists.wat', BLOCK_WAT, { simd: true }).then((m) => new NeighbourListKernel(m));
  compiled.catch(() => {
    compiled = undefined;
  });
  return compiled;
}

const PAGE = 65536;

/** A compiled kernel; `lists` computes (synchronously) what `neighbourListsByScan` does. */
export class NeighbourListKernel {
  constructor(private readonly module: WebAssembly.Module) {}

  lists(matrix: Float32Array, rows: number, dim: number, n: number, options: NeighbourListOptions = {}): NeighbourLists {
    const { from, to } = checkArgs(matrix, rows, dim, n, options);
    const qOffset = Math.ceil((rows * dim * 4) / 16) * 16;
    const outOffset = qOffset + QUERY_BLOCK * dim * 8;
    const bytes = outOffset + 4 * ROW_BLOCK * 8;
    if (bytes > 2 ** 31) throw new RangeError(`neighbourLists: ${rows} x ${dim} is over the 2 GiB this kernel addresses; use neighbourListsByScan`);
    const wasm = new WebAssembly.Instance(this.module, {}).exports as unknown as BlockExports;
    wasm.memory.grow(Math.ceil(bytes / PAGE));
    const buf = wasm.memory.buffer;
    new Float32Array(buf, 0, rows * dim).set(matrix.subarray(0, rows * dim));
    const queries = new Float64Array(buf, qOffset, QUERY_BLOCK * dim);
    const scores = new Float64Array(buf, outOffset, 4 * ROW_BLOCK);
    const out = emptyLists(n, from, to);
    // Row blocks outside, query groups inside: each block of rows is read from memory
    // once per QUERY_BLOCK queries and then served from cache to every group of four.
    const scanBlock = (q0: number, q1: number, heaps: TopKHeap[]) => {
      for (let s = 0; s < QUERY_BLOCK; s++) {
        const q = q0 + s < q1 ? q0 + s : q0; // a short last block repeats its first query; those results are ignored
        queries.set(matrix.subarray(q * dim, q * dim + dim), s * dim);
      }
      for (let r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
        const r1 = Math.min(rows, r0 + ROW_BLOCK);
        for (let g = q0; g < q1; g += 4) {
          wasm.scan4(r0, r1, dim, qOffset + (g - q0) * dim * 8, outOffset);
          for (let s = 0; s < 4 && g + s < q1; s++) heaps[g + s - q0].offer(scores, s * (r1 - r0), r1 - r0, r0, g + s);
        }
      }
    };
    for (let q0 = from; q0 < to; q0 += QUERY_BLOCK) {
      const q1 = Math.min(to, q0 + QUERY_BLOCK);
      const heaps = Array.from({ length: q1 - q0 }, () => new TopKHeap(Math.min(n, rows)));
      scanBlock(q0, q1, heaps);
      heaps.forEach((h, i) => {
        const { indices, scores: s } = h.drain();
        out.ids.set(indices, (q0 - from + i) * n);
        out.scores.set(s, (q0 - from + i) * n);
      });
      options.onProgress?.(q1 - from, to - from);
    }
    return out;
  }
}

/**
 * The matrix the gateway scans, from a run's raw factors: rows put in ascending id
 * order (the gateway's row order, so ties break by lower id alike) and scaled to unit
 * length in float32 exactly as the gateway does (`normalizeRows`).
 */
export function unitRowsById(ids: ArrayLike<number>, factors: Float32Array, dim: number): { ids: Int32Array; matrix: Float32Array } {
  if (factors.length < ids.length * dim)
    throw new RangeError(`unitRowsById: ${ids.length} ids x dim ${dim} need ${ids.length * dim} factors, got ${factors.length}`);
  const order = Array.from({ length: ids.length }, (_, i) => i).sort((a, b) => ids[a] - ids[b]);
  const sorted = new Int32Array(ids.length);
  const matrix = new Float32Array(ids.length * dim);
  order.forEach((from, to) => {
    sorted[to] = ids[from];
    matrix.set(factors.subarray(from * dim, from * dim + dim), to * dim);
  });
  return { ids: sorted, matrix: normalizeRows(matrix, ids.length, dim) };
}

/**
 * The similarity of rows a and b exactly as the scans compute it (`topKByDot` with row
 * a as the query): so a list's entries can be re-scored bit for bit from ids alone.
 */
export function scanDot(matrix: Float32Array, dim: number, a: number, b: number): number {
  const oa = a * dim,
    ob = b * dim,
    d4 = dim & ~3;
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0,
    j = 0;
  for (; j < d4; j += 4) {
    s0 += matrix[ob + j] * matrix[oa + j];
    s1 += matrix[ob + j + 1] * matrix[oa + j + 1];
    s2 += matrix[ob + j + 2] * matrix[oa + j + 2];
    s3 += matrix[ob + j + 3] * matrix[oa + j + 3];
  }
  for (; j < dim; j++) s0 += matrix[ob + j] * matrix[oa + j];
  return s0 + s1 + (s2 + s3);
}
