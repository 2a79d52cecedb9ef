// Every row's top-N exact neighbours by dot product (cosine on unit rows) over a
// row-major float32 matrix: the precomputed neighbour lists the gateway answers
// similarMovies from. A blocked product: 1024 rows at a time (kept in cache) against
// 64 queries. The WebAssembly SIMD kernel takes four queries against eight rows per
// step (the matrix is stored in groups of eight rows, value j of the eight side by side),
// so each loaded row value serves four queries and each loaded query value eight rows,
// in eight f32x4 multiply-adds (fused where the CPU has it) with no horizontal sums; it
// keeps, per query, only the rows whose float32 score reaches the query's current
// floor, and the selection re-scores those candidates exactly. At 86k x 50 and 86k x 100
// it is 1.6x the earlier one-row-by-four-queries kernel (docs/BENCHMARKS.md).
//
// Exactness: the float32 scores only screen. The floor is the n-th best float32 score
// so far minus a margin of twice the largest possible |float32 - float64| difference
// (`screeningMargin`, from the rows' norms and the number of roundings), so every row
// of the exact top n survives; the survivors are re-scored with `scanDot` — the same
// IEEE float64 operations in the same order as `topKByDot` and the gateway's scan
// kernel (./dot-scan.ts) — and the n best by (score, lower index) kept. So each list
// is, id for id and bit for bit, `topKByDot(matrix, rows, dim, row(q), n, { exclude:
// {q} })`. Measured against a float64 blocked kernel (each pair summed in float64 in
// the scan's order, no re-scoring): ~2x faster at 20k x 50, same lists.
//
// Another screen's output (the trainer's ONNX Runtime MatMul + TopK) goes through
// `ScreenSelection`: the same margin, the same re-scoring, so the same lists.
//
// Pure: no threads here. A caller splits the rows into ranges (`from`, `to`) and runs
// each range where it likes (the trainer: one worker thread per core).
import { compileWat } from './wat';
import { TopKHeap, topKByDot } from './top-k';
import { normalizeRows } from './cosine';
import type { DotScanIndex } from './dot-scan';

/** acc + x * s: relaxed (fused where the CPU has it), or multiply then add where the engine lacks relaxed SIMD. */
const madd = (fused: boolean, acc: string, x: string) =>
  fused
    ? `(local.set ${acc} (f32x4.relaxed_madd (local.get ${x}) (local.get $s) (local.get ${acc})))`
    : `(local.set ${acc} (f32x4.add (local.get ${acc}) (f32x4.mul (local.get ${x}) (local.get $s))))`;

/**
 * One step j of the inner loop: row values j of the group's eight rows (two f32x4) times
 * query value j of each of the four queries (splat), into the eight accumulators.
 */
const stepWat = (fused: boolean) => String.raw`
        (local.set $x (v128.load (local.get $rp)))
        (local.set $y (v128.load offset=16 (local.get $rp)))
        (local.set $s (v128.load32_splat (local.get $qp)))
        ${madd(fused, '$a0', '$x')}
        ${madd(fused, '$b0', '$y')}
        (local.set $s (v128.load32_splat offset=4 (local.get $qp)))
        ${madd(fused, '$a1', '$x')}
        ${madd(fused, '$b1', '$y')}
        (local.set $s (v128.load32_splat offset=8 (local.get $qp)))
        ${madd(fused, '$a2', '$x')}
        ${madd(fused, '$b2', '$y')}
        (local.set $s (v128.load32_splat offset=12 (local.get $qp)))
        ${madd(fused, '$a3', '$x')}
        ${madd(fused, '$b3', '$y')}`;

/**
 * After a group: one test for its 32 scores against the four floors (most groups fall
 * below all four), and only then the scalar appends to the candidate lists.
 */
const KEEP_WAT = String.raw`
      ;; one test for the 32 scores: most groups fall below all four floors
      (local.set $s (v128.load32_splat (local.get $fl)))
      (local.set $x (v128.or (f32x4.ge (local.get $a0) (local.get $s)) (f32x4.ge (local.get $b0) (local.get $s))))
      (local.set $s (v128.load32_splat offset=4 (local.get $fl)))
      (local.set $x (v128.or (local.get $x) (v128.or (f32x4.ge (local.get $a1) (local.get $s)) (f32x4.ge (local.get $b1) (local.get $s)))))
      (local.set $s (v128.load32_splat offset=8 (local.get $fl)))
      (local.set $x (v128.or (local.get $x) (v128.or (f32x4.ge (local.get $a2) (local.get $s)) (f32x4.ge (local.get $b2) (local.get $s)))))
      (local.set $s (v128.load32_splat offset=12 (local.get $fl)))
      (local.set $x (v128.or (local.get $x) (v128.or (f32x4.ge (local.get $a3) (local.get $s)) (f32x4.ge (local.get $b3) (local.get $s)))))
      (if (v128.any_true (local.get $x))
        (then
          (v128.store (local.get $tmp) (local.get $a0)) (v128.store offset=16 (local.get $tmp) (local.get $b0))
          (v128.store offset=32 (local.get $tmp) (local.get $a1)) (v128.store offset=48 (local.get $tmp) (local.get $b1))
          (v128.store offset=64 (local.get $tmp) (local.get $a2)) (v128.store offset=80 (local.get $tmp) (local.get $b2))
          (v128.store offset=96 (local.get $tmp) (local.get $a3)) (v128.store offset=112 (local.get $tmp) (local.get $b3))
          ;; entry i = 8g + lane: query g, row 8 * group + lane
          (local.set $i (i32.const 0))
          (loop $k
            (local.set $r (i32.add (i32.shl (local.get $grp) (i32.const 3)) (i32.and (local.get $i) (i32.const 7))))
            (local.set $g (i32.shr_u (local.get $i) (i32.const 3)))
            (local.set $sc (f32.load (i32.add (local.get $tmp) (i32.shl (local.get $i) (i32.const 2)))))
            (if (i32.and (i32.lt_u (local.get $r) (local.get $rows))
                         (f32.ge (local.get $sc) (f32.load (i32.add (local.get $fl) (i32.shl (local.get $g) (i32.const 2))))))
              (then
                (local.set $at (i32.add (local.get $cnt) (i32.shl (local.get $g) (i32.const 2))))
                (local.set $c (i32.add (i32.load (local.get $at)) (i32.mul (local.get $g) (local.get $cap))))
                (i32.store (i32.add (local.get $oi) (i32.shl (local.get $c) (i32.const 2))) (local.get $r))
                (f32.store (i32.add (local.get $os) (i32.shl (local.get $c) (i32.const 2))) (local.get $sc))
                (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $k (i32.lt_u (local.get $i) (i32.const 32))))))`;

const screenWat = (fused: boolean) => String.raw`
(module
  (memory (export "memory") 0)
  ;; Float32 screening of four queries against groups of eight rows. The matrix at $mat is
  ;; stored in groups of 8 rows (value j of the 8 rows back to back, dim x 8 float32 per
  ;; group, zero rows padding the last); the four queries at $q likewise (dim x 4). Per
  ;; group, 8 accumulators (4 queries x 2 halves of 4 rows) gather s = row . query in float32
  ;; (relaxed multiply-add: fused where the CPU has it, else multiply then add — both inside
  ;; the screening margin), so each loaded row value serves four queries and each loaded
  ;; query value eight rows. When s >= floor g (f32 at $fl + 4g) and the row is below $rows,
  ;; row and s are appended to query g's candidates (rows at $oi + g * cap * 4, scores at
  ;; $os + g * cap * 4, count at $cnt + 4g, zeroed here); $tmp is 128 bytes of scratch.
  (func (export "scan4x8") (param $g0 i32) (param $g1 i32) (param $dim i32) (param $rows i32) (param $mat i32)
        (param $q i32) (param $fl i32) (param $cnt i32) (param $oi i32) (param $os i32) (param $cap i32) (param $tmp i32)
    (local $grp i32) (local $rp i32) (local $qp i32) (local $qe i32)
    (local $a0 v128) (local $b0 v128) (local $a1 v128) (local $b1 v128)
    (local $a2 v128) (local $b2 v128) (local $a3 v128) (local $b3 v128)
    (local $x v128) (local $y v128) (local $s v128)
    (local $i i32) (local $g i32) (local $r i32) (local $sc f32) (local $c i32) (local $at i32)
    (v128.store (local.get $cnt) (v128.const i64x2 0 0))
    (local.set $qe (i32.add (local.get $q) (i32.shl (local.get $dim) (i32.const 4))))
    (local.set $rp (i32.add (local.get $mat) (i32.mul (local.get $g0) (i32.shl (local.get $dim) (i32.const 5)))))
    (local.set $grp (local.get $g0))
    (block $done (loop $groups
      (br_if $done (i32.ge_u (local.get $grp) (local.get $g1)))
      (local.set $a0 (v128.const i64x2 0 0)) (local.set $b0 (v128.const i64x2 0 0))
      (local.set $a1 (v128.const i64x2 0 0)) (local.set $b1 (v128.const i64x2 0 0))
      (local.set $a2 (v128.const i64x2 0 0)) (local.set $b2 (v128.const i64x2 0 0))
      (local.set $a3 (v128.const i64x2 0 0)) (local.set $b3 (v128.const i64x2 0 0))
      (local.set $qp (local.get $q))
      (loop $j
${stepWat(fused)}
        (local.set $rp (i32.add (local.get $rp) (i32.const 32)))
        (local.set $qp (i32.add (local.get $qp) (i32.const 16)))
        (br_if $j (i32.lt_u (local.get $qp) (local.get $qe))))
${KEEP_WAT}
      (local.set $grp (i32.add (local.get $grp) (i32.const 1)))
      (br $groups)))))
`;

interface ScreenExports {
  memory: WebAssembly.Memory;
  scan4x8(
    g0: number,
    g1: number,
    dim: number,
    rows: number,
    mat: number,
    q: number,
    floors: number,
    counts: number,
    outRows: number,
    outScores: number,
    cap: number,
    tmp: number,
  ): void;
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
  compiled ??= compileNeighbourListKernel(true).catch(() => compileNeighbourListKernel(false));
  compiled.catch(() => {
    compiled = undefined;
  });
  return compiled;
}

/**
 * A fresh kernel: `fused` uses relaxed SIMD's multiply-add (what `loadNeighbourListKernel`
 * tries first), otherwise a multiply then an add (engines without relaxed SIMD). Same lists.
 */
export async function compileNeighbourListKernel(fused: boolean): Promise<NeighbourListKernel> {
  const features: Record<string, boolean> = fused ? { simd: true, relaxed_simd: true } : { simd: true };
  return new NeighbourListKernel(await compileWat('neighbour-lists.wat', screenWat(fused), features));
}

const PAGE = 65536;

/** A compiled kernel; `lists` computes (synchronously) what `neighbourListsByScan` does. */
export class NeighbourListKernel {
  constructor(private readonly module: WebAssembly.Module) {}

  /**
   * The matrix copied once into the kernel's memory in its row-group layout, for any
   * number of `lists` calls over ranges of it (a worker prepares once, then answers ranges).
   */
  prepare(matrix: Float32Array, rows: number, dim: number): PreparedMatrix {
    checkArgs(matrix, rows, dim, 1, {});
    return new PreparedMatrix(this.module, matrix, rows, dim);
  }

  lists(matrix: Float32Array, rows: number, dim: number, n: number, options: NeighbourListOptions = {}): NeighbourLists {
    checkArgs(matrix, rows, dim, n, options);
    return this.prepare(matrix, rows, dim).lists(n, options);
  }
}

/** A matrix in a kernel instance's memory (see `NeighbourListKernel.prepare`). */
export class PreparedMatrix {
  private readonly wasm: ScreenExports | undefined;
  private readonly margin: number;
  private readonly at = { q: 0, fl: 0, cnt: 0, tmp: 0, oi: 0, os: 0 };

  constructor(
    module: WebAssembly.Module,
    private readonly matrix: Float32Array,
    readonly rows: number,
    readonly dim: number,
  ) {
    this.margin = screeningMargin(matrix, rows, dim);
    if (!Number.isFinite(this.margin)) return; // lists() answers by the scan
    const groups = Math.ceil(rows / 8);
    const at = this.at;
    at.q = groups * dim * 32;
    at.fl = at.q + QUERY_BLOCK * dim * 4;
    at.cnt = at.fl + 16;
    at.tmp = at.cnt + 16;
    at.oi = at.tmp + 128;
    at.os = at.oi + 4 * ROW_BLOCK * 4;
    const bytes = at.os + 4 * ROW_BLOCK * 4;
    if (bytes > 2 ** 31)
      throw new RangeError(`neighbourLists: ${rows} x ${dim} is over the 2 GiB this kernel addresses; use neighbourListsByScan`);
    this.wasm = new WebAssembly.Instance(module, {}).exports as unknown as ScreenExports;
    this.wasm.memory.grow(Math.ceil(bytes / PAGE));
    // row r, value j at group (r >> 3), offset j * 8 + (r & 7): eight rows' value j side by side
    const t = new Float32Array(this.wasm.memory.buffer, 0, groups * dim * 8);
    for (let r = 0; r < rows; r++) {
      const base = (r >> 3) * dim * 8 + (r & 7);
      for (let j = 0, o = r * dim; j < dim; j++) t[base + j * 8] = matrix[o + j];
    }
  }

  lists(n: number, options: NeighbourListOptions = {}): NeighbourLists {
    const { matrix, rows, dim, margin, at } = this;
    const { from, to } = checkArgs(matrix, rows, dim, n, options);
    if (!this.wasm) return neighbourListsByScan(matrix, rows, dim, n, options);
    const wasm = this.wasm;
    const buf = wasm.memory.buffer;
    const queries = new Float32Array(buf, at.q, QUERY_BLOCK * dim);
    const floors = new Float32Array(buf, at.fl, 4);
    const counts = new Int32Array(buf, at.cnt, 4);
    const candRows = new Int32Array(buf, at.oi, 4 * ROW_BLOCK);
    const candScores = new Float32Array(buf, at.os, 4 * ROW_BLOCK);
    const out = emptyLists(n, from, to);
    const k = Math.min(n, rows);
    const groups = Math.ceil(rows / 8);
    for (let q0 = from; q0 < to; q0 += QUERY_BLOCK) {
      const q1 = Math.min(to, q0 + QUERY_BLOCK);
      // four queries at a time, value j of the four side by side (zeros past q1: their floor is +Infinity)
      queries.fill(0);
      for (let s = 0; s < q1 - q0; s++) {
        const base = (s >> 2) * dim * 4 + (s & 3);
        for (let j = 0, o = (q0 + s) * dim; j < dim; j++) queries[base + j * 4] = matrix[o + j];
      }
      const sel = Array.from({ length: q1 - q0 }, () => new ScreenedTopK(k, margin));
      for (let g0 = 0; g0 < groups; g0 += ROW_BLOCK / 8) {
        const g1 = Math.min(groups, g0 + ROW_BLOCK / 8);
        for (let g = q0; g < q1; g += 4) {
          // the floors only rise, so one set per call keeps a superset of what a running floor would
          for (let s = 0; s < 4; s++) floors[s] = g + s < q1 ? sel[g + s - q0].floor() : Infinity;
          wasm.scan4x8(g0, g1, dim, rows, 0, at.q + (g - q0) * dim * 4, at.fl, at.cnt, at.oi, at.os, ROW_BLOCK, at.tmp);
          for (let s = 0; s < 4 && g + s < q1; s++) sel[g + s - q0].offer(candRows, candScores, s * ROW_BLOCK, counts[s], g + s);
        }
      }
      sel.forEach((h, i) => {
        const q = q0 + i;
        const { indices, scores: sc } = h.finish((r) => scanDot(matrix, dim, q, r));
        out.ids.set(indices, (q - from) * n);
        out.scores.set(sc, (q - from) * n);
      });
      options.onProgress?.(q1 - from, to - from);
    }
    return out;
  }
}

/**
 * Queries' exact lists from another screen's `k` best float32 scores over all rows (the
 * trainer's ONNX Runtime MatMul + TopK): for one query, `rows[start + i]`, `scores[start +
 * i]` for i < k, in any order, the query's own row among them or not. The screen's scores
 * must be within margin / 2 of the scan's (`screeningMargin`: any float32 sum of the dim
 * products is). The candidates within `margin` of the n-th best (the query left out) are
 * re-scored with `scanDot` and the n best kept by (score, lower index), as
 * `ScreenedTopK.finish` does. Null when the k rows do not prove the list: unless they are
 * every row, each row left out scored at most their lowest score, so that lowest must be
 * below the n-th best minus the margin (a near-tie at the cut could hide a row of the exact
 * top n); the caller then scans that query (`topKByDot`). One instance per thread: it
 * keeps its scratch between queries.
 */
export class ScreenSelection {
  /** The candidates' screening scores, the query left out (reordered by kthSmallest). */
  private readonly screenScores: Float32Array;
  private readonly passed: Int32Array;
  private readonly top: TopKHeap;

  /**
   * `index`, when given, holds the same matrix in the WASM scan kernel's memory: the
   * candidates are then re-scored there (`topKOfRows`, the same float64 operations in
   * WebAssembly, ~10x the TypeScript loop), else with `scanDot`. Same lists.
   */
  constructor(
    readonly n: number,
    private readonly margin: number,
    readonly k: number,
    private readonly index?: DotScanIndex,
  ) {
    this.screenScores = new Float32Array(k);
    this.passed = new Int32Array(k);
    this.top = new TopKHeap(n);
  }

  select(
    matrix: Float32Array,
    rowCount: number,
    dim: number,
    query: number,
    rows: Int32Array,
    scores: Float32Array,
    start: number,
  ): { indices: Int32Array; scores: Float64Array } | null {
    const { n, k, margin, top, index } = this;
    let m = 0,
      lowest = Infinity;
    for (let i = start; i < start + k; i++) {
      const s = scores[i];
      if (s < lowest) lowest = s;
      if (rows[i] !== query) this.screenScores[m++] = s;
    }
    const floor = m >= n ? kthSmallest(this.screenScores, m, m - n) - margin : -Infinity;
    if (k < rowCount && !(lowest < floor)) return null;
    if (index) {
      let c = 0;
      for (let i = start; i < start + k; i++) if (rows[i] !== query && scores[i] >= floor) this.passed[c++] = rows[i];
      const list = this.passed.subarray(0, c).sort();
      return index.topKOfRows(matrix.subarray(query * dim, query * dim + dim), n, list);
    }
    for (let i = start; i < start + k; i++) {
      const r = rows[i];
      if (r === query || !(scores[i] >= floor)) continue;
      const s = scanDot(matrix, dim, query, r);
      if (s === s && top.accepts(s, r)) top.push(s, r);
    }
    return top.drain();
  }
}

/** The k-th smallest (0-based) of a[0..len), no NaN among them; reorders a (Hoare's select). */
export function kthSmallest(a: Float32Array, len: number, k: number): number {
  let lo = 0,
    hi = len - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo,
      j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
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

/**
 * One query's selection fed float32 screening scores: a heap of the n best screening
 * scores gives the floor; every row within `margin` below it is kept as a candidate;
 * `finish` re-scores the candidates exactly (float64, the scan's order) and picks the n
 * best by (score, lower index). Exact because |float32 score - float64 score| <= margin/2
 * for every pair: a row of the exact top n has a screening score >= (n-th best screening
 * score) - margin, and the floor only rises.
 */
export class ScreenedTopK {
  private readonly heap: Float32Array;
  private size = 0;
  private cand: Int32Array;
  private candScore: Float32Array;
  private count = 0;

  constructor(
    readonly n: number,
    private readonly margin: number,
  ) {
    this.heap = new Float32Array(n);
    this.cand = new Int32Array(4 * n + 16);
    this.candScore = new Float32Array(4 * n + 16);
  }

  /** The screening score a row needs to stay a candidate now (it only rises). */
  floor(): number {
    return this.size < this.n ? -Infinity : this.heap[0] - this.margin;
  }

  /** Offers `len` screened rows (rows[start + i], scores[start + i]), row `skip` left out. */
  offer(rows: Int32Array, scores: Float32Array, start: number, len: number, skip: number): void {
    let fl = this.floor();
    for (let i = start; i < start + len; i++) {
      const s = scores[i],
        r = rows[i];
      if (!(s >= fl) || r === skip) continue; // also drops NaN
      if (this.count === this.cand.length) this.prune(fl);
      this.cand[this.count] = r;
      this.candScore[this.count++] = s;
      if (this.size < this.n) this.heapPush(s);
      else if (s > this.heap[0]) this.heapReplaceRoot(s);
      if (this.size === this.n) fl = this.heap[0] - this.margin;
    }
  }

  /** The exact n best candidates, best first: `exact(row)` is the scan's float64 score. */
  finish(exact: (row: number) => number): { indices: Int32Array; scores: Float64Array } {
    const fl = this.floor();
    const top = new TopKHeap(this.n);
    for (let c = 0; c < this.count; c++) {
      if (!(this.candScore[c] >= fl)) continue;
      const r = this.cand[c],
        s = exact(r);
      if (s === s && top.accepts(s, r)) top.push(s, r);
    }
    return top.drain();
  }

  /** Drops candidates below the floor; grows the buffer when most are still above it. */
  private prune(fl: number): void {
    let k = 0;
    for (let c = 0; c < this.count; c++)
      if (this.candScore[c] >= fl) {
        this.cand[k] = this.cand[c];
        this.candScore[k++] = this.candScore[c];
      }
    this.count = k;
    if (k > this.cand.length / 2) {
      const ids = new Int32Array(this.cand.length * 2),
        sc = new Float32Array(this.cand.length * 2);
      ids.set(this.cand.subarray(0, k));
      sc.set(this.candScore.subarray(0, k));
      this.cand = ids;
      this.candScore = sc;
    }
  }

  private heapPush(s: number): void {
    const h = this.heap;
    let c = this.size++;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (h[p] <= s) break;
      h[c] = h[p];
      c = p;
    }
    h[c] = s;
  }

  private heapReplaceRoot(s: number): void {
    const h = this.heap,
      n = this.size;
    let pos = 0;
    for (;;) {
      const l = 2 * pos + 1;
      if (l >= n) break;
      const w = l + 1 < n && h[l + 1] < h[l] ? l + 1 : l;
      if (s <= h[w]) break;
      h[pos] = h[w];
      pos = w;
    }
    h[pos] = s;
  }
}

/**
 * Twice the largest |float32 screening score - float64 scan score| over all pairs of rows
 * (the kernel's sums: at most dim + 4 roundings on any product's path, Higham's gamma),
 * with room for gradual underflow; Infinity where float32 could overflow (then no screening).
 */
export function screeningMargin(matrix: Float32Array, rows: number, dim: number): number {
  let maxSq = 0;
  for (let r = 0, o = 0; r < rows; r++, o += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += matrix[o + j] * matrix[o + j];
    if (s !== s) return Infinity; // a NaN row: no screening (the scan answers)
    if (s > maxSq) maxSq = s;
  }
  if (!(maxSq < 1e30)) return Infinity;
  const gamma = (k: number, u: number) => (k * u) / (1 - k * u);
  const k = dim + 4;
  return 2 * ((gamma(k, 2 ** -24) + gamma(k, 2 ** -53)) * maxSq * 1.01 + k * 2 ** -140);
}
