// The native engine's inner loop: one pass over a range of training ratings with
// per-rating updates (Hogwild-safe: several threads may run it on one shared model).
// Self-contained (no imports) so worker threads load it from source or bundle alike.
//
// Optimizer (see docs/trainer.md, "Native engine"):
// - row-wise Adam (as FBGEMM's row-wise AdaGrad/Adam for embedding tables): one
//   second-moment scalar per embedding row (and per bias). It is decayed lazily by
//   beta2^(fast.ai batches since the row's last touch), exactly as fast.ai's dense
//   Adam decays the second moment of an untouched row every batch; without that,
//   rarely-seen rows take ~10x smaller steps than under fast.ai and the model is far
//   weaker. beta2^n comes from a table (no exp per rating). The first moment is not
//   kept: an impulse's momentum, spread by dense Adam over the following batches,
//   adds up to the same displacement (within ~5%), so it is applied at once;
// - decoupled weight decay applied EXACTLY as fast.ai's dense AdamW would over every
//   row every batch, but lazily: logDecay holds the cumulative log decay per schedule
//   step; a row is brought up to date when touched (and all rows at the epoch end);
// - the one-cycle lr, one value per schedule step (a chunk of ratings).
//
// Memory layout (the speed of this loop is the memory traffic): each user / movie
// row is ONE record of `stride` 32-bit slots, [k factors, zero-padded to kp = a
// multiple of 4 (SIMD lanes) | bias | v | v_bias | last decay step (int) | last batch
// (int) | pad], so a rating touches two records
// (a few adjacent cache lines each) instead of ten scattered arrays. Ratings are
// ordered in blocks of the users × movies grid (LIBMF-style), so the rows of the
// current block stay in cache.

/** Slots after the (padded) factors: bias, v, v_bias, last step, last batch. */
export const ROW_EXTRA = 5;

/** Factor slots: k rounded up to 4 (f32x4 lanes); the padding stays 0. */
export function paddedFactors(k: number): number {
  return (k + 3) & ~3;
}

/** Record length: kp + ROW_EXTRA rounded up to 4 slots (16 bytes). */
export function rowStride(k: number): number {
  return (paddedFactors(k) + ROW_EXTRA + 3) & ~3;
}

export interface KernelState {
  k: number;
  stride: number;
  /** User records (float view) and the same memory as int32 (the step/batch slots). */
  UT: Float32Array;
  UI: Int32Array;
  MT: Float32Array;
  MI: Int32Array;
  /** logDecay[s] = sum of log decay factors of steps 0..s-1 (length totalSteps + 1). */
  logDecay: Float64Array;
  /** Learning rate of each schedule step. */
  lr: Float64Array;
  /** powB2[n] = beta2^n (n fast.ai batches); the last entry stands for "long ago" (~0). */
  powB2: Float64Array;
  /** Interleaved training triples: [user, movie, float32 bits of rating] * n. */
  data: Int32Array;
  dataF: Float32Array;
  lo: number;
  range: number;
  beta2: number;
  eps: number;
  /** The fast.ai batch size emulated: gradients are scaled by 1/batchSize, time is counted in batches. */
  batchSize: number;
}

/** beta2^n for n = 0..; long enough that the last entry is below float32's resolution of v. */
export function powTable(beta2: number): Float64Array {
  const n = Math.min(1 << 16, Math.max(2, Math.ceil(Math.log(1e-30) / Math.log(beta2)) + 1));
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = Math.pow(beta2, i);
  return t;
}

/**
 * Trains on ratings [from, to) as schedule step `step`, the first of them at rating
 * clock `clock0` (ratings since the fit began); returns the sum of squared errors
 * (each taken before its update).
 */
// eslint-disable-next-line max-lines-per-function -- the TypeScript kernel's hot loop: one rating's whole update inline, as the WASM kernel does it
export function trainRange(st: KernelState, from: number, to: number, step: number, clock0: number): number {
  const k = st.k,
    S = st.stride,
    UT = st.UT,
    UI = st.UI,
    MT = st.MT,
    MI = st.MI,
    data = st.data,
    dataF = st.dataF;
  const powB2 = st.powB2,
    powLast = powB2.length - 1,
    logDecay = st.logDecay;
  const kp = paddedFactors(k);
  const KB = kp,
    KV = kp + 1,
    KVB = kp + 2,
    KL = kp + 3,
    KT = kp + 4;
  const lo = st.lo,
    range = st.range,
    c2 = 1 - st.beta2,
    eps = st.eps;
  const bs = st.batchSize,
    invBs = 1 / bs;
  // Adam's debiasing of the second moment at this point of the fit (in fast.ai batches).
  const invDebias2 = 1 / (1 - Math.pow(st.beta2, Math.max(1, (clock0 + 1) * invBs)));
  const lr = st.lr[step];
  const target = step + 1;
  const logNow = logDecay[target];
  const c2k = c2 / k;
  let batch = Math.floor(clock0 / bs);
  let inBatch = clock0 - batch * bs;
  let sumSq = 0;
  for (let i = from * 3, end = to * 3; i < end; i += 3) {
    const uo = data[i] * S,
      mo = data[i + 1] * S,
      r = dataF[i + 2];
    // Lazy decoupled weight decay: catch the record (factors and bias) up to this step.
    // (A stamp ahead of `target` means another thread, further along the clock, already
    // decayed the row further: nothing to catch up, and the stamp never moves back.)
    let l = UI[uo + KL];
    if (l < target) {
      const f = Math.exp(logNow - logDecay[l]);
      for (let j = 0; j < k; j++) UT[uo + j] *= f;
      UT[uo + KB] *= f;
      UI[uo + KL] = target;
    }
    l = MI[mo + KL];
    if (l < target) {
      const f = Math.exp(logNow - logDecay[l]);
      for (let j = 0; j < k; j++) MT[mo + j] *= f;
      MT[mo + KB] *= f;
      MI[mo + KL] = target;
    }
    let dot = 0,
      nu = 0,
      nm = 0;
    for (let j = 0; j < k; j++) {
      const a = UT[uo + j],
        b = MT[mo + j];
      dot += a * b;
      nu += a * a;
      nm += b * b;
    }
    const s = 1 / (1 + Math.exp(-(dot + UT[uo + KB] + MT[mo + KB])));
    const e = lo + range * s - r;
    sumSq += e * e;
    // d(loss)/dx for this rating within a fast.ai batch mean.
    const g = 2 * e * range * s * (1 - s) * invBs;
    const lrg = lr * g,
      g2 = g * g;
    // Batches since the last touch (< 0 only when another thread, further along the
    // clock, touched the row: Hogwild; treated as "this batch", and the stamp keeps the
    // later batch: moving it back would make the next touch see a gap that never was).
    let nb = batch - UI[uo + KT];
    const du = powB2[nb <= 0 ? 0 : nb < powLast ? nb : powLast];
    if (nb > 0) UI[uo + KT] = batch;
    nb = batch - MI[mo + KT];
    const dm = powB2[nb <= 0 ? 0 : nb < powLast ? nb : powLast];
    if (nb > 0) MI[mo + KT] = batch;
    let v = UT[uo + KVB] * du + c2 * g2;
    UT[uo + KVB] = v;
    UT[uo + KB] -= lrg / (Math.sqrt(v * invDebias2) + eps);
    v = MT[mo + KVB] * dm + c2 * g2;
    MT[mo + KVB] = v;
    MT[mo + KB] -= lrg / (Math.sqrt(v * invDebias2) + eps);
    v = UT[uo + KV] * du + c2k * g2 * nm;
    UT[uo + KV] = v;
    const su = lrg / (Math.sqrt(v * invDebias2) + eps);
    v = MT[mo + KV] * dm + c2k * g2 * nu;
    MT[mo + KV] = v;
    const sm = lrg / (Math.sqrt(v * invDebias2) + eps);
    for (let j = 0; j < k; j++) {
      const a = UT[uo + j],
        b = MT[mo + j];
      UT[uo + j] = a - su * b;
      MT[mo + j] = b - sm * a;
    }
    if (++inBatch === bs) {
      inBatch = 0;
      batch++;
    }
  }
  return sumSq;
}

/** Brings records [from, to) up to logDecay index `target` (epoch end, before evaluation/export). */
export function catchUpDecay(
  T: Float32Array,
  I: Int32Array,
  k: number,
  stride: number,
  logDecay: Float64Array,
  target: number,
  from: number,
  to: number,
): void {
  const logNow = logDecay[target],
    kp = paddedFactors(k);
  for (let r = from; r < to; r++) {
    const o = r * stride;
    const l = I[o + kp + 3];
    if (l >= target) continue;
    const f = Math.exp(logNow - logDecay[l]);
    for (let j = 0; j < k; j++) T[o + j] *= f;
    T[o + kp] *= f;
    I[o + kp + 3] = target;
  }
}

/** Packs factors and biases into records (optimizer slots zeroed). */
export function packRows(factors: Float32Array, bias: Float32Array, n: number, k: number, stride: number, T: Float32Array): void {
  for (let r = 0; r < n; r++) {
    T.set(factors.subarray(r * k, (r + 1) * k), r * stride);
    T[r * stride + paddedFactors(k)] = bias[r];
  }
}

/** Copies factors and biases out of the records. */
export function unpackRows(T: Float32Array, n: number, k: number, stride: number, factors: Float32Array, bias: Float32Array): void {
  for (let r = 0; r < n; r++) {
    factors.set(T.subarray(r * stride, r * stride + k), r * k);
    bias[r] = T[r * stride + paddedFactors(k)];
  }
}

/**
 * Where the kernel's tables sit in the shared arena (byte offsets): one shared
 * WebAssembly.Memory, so the TypeScript kernel (typed-array views) and the WASM SIMD
 * kernel (linear memory) work on the same bytes, in every thread.
 */
export interface ArenaLayout {
  UT: number;
  MT: number;
  logDecay: number;
  lr: number;
  pow: number;
  data: number;
  nUsers: number;
  nMovies: number;
  nSteps: number;
  nPow: number;
  nTrain: number;
  bytes: number;
}

export function arenaLayout(nUsers: number, nMovies: number, k: number, nSteps: number, nPow: number, nTrain: number): ArenaLayout {
  let at = 0;
  const take = (bytes: number) => {
    const o = at;
    at += Math.ceil(bytes / 64) * 64;
    return o;
  };
  const S = rowStride(k) * 4;
  const UT = take(nUsers * S),
    MT = take(nMovies * S),
    logDecay = take((nSteps + 1) * 8),
    lr = take(nSteps * 8),
    pow = take(nPow * 8),
    data = take(nTrain * 12);
  return { UT, MT, logDecay, lr, pow, data, nUsers, nMovies, nSteps, nPow, nTrain, bytes: at };
}

/** A shared WebAssembly.Memory big enough for the layout (wasm32: at most 4 GiB). */
export function allocateArena(layout: ArenaLayout): WebAssembly.Memory {
  const pages = Math.max(1, Math.ceil(layout.bytes / 65536));
  if (pages > 65536)
    throw new Error(
      `native engine: the model and ratings need ${(layout.bytes / 2 ** 30).toFixed(1)} GiB, over WebAssembly's 4 GiB; use fewer --factors or curate harder.`,
    );
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}

export type KernelKind = 'wasm' | 'ts';

/** Message a worker receives once: the arena, the other shared buffers and the constants. */
export interface WorkerInit {
  type: 'init';
  workerIndex: number;
  threads: number;
  k: number;
  nTrain: number;
  nChunks: number;
  lo: number;
  range: number;
  beta2: number;
  eps: number;
  batchSize: number;
  kernel: KernelKind;
  /** The compiled WASM kernel (kernel 'wasm'); structured-cloned to workers. */
  wasmModule?: WebAssembly.Module;
  memory: WebAssembly.Memory;
  layout: ArenaLayout;
  buffers: {
    /** Chunk c is ratings [chunkStart[c], chunkStart[c + 1]) of the arena's data (block order). */
    chunkStart: SharedArrayBuffer;
    /** This epoch's chunk order and, per position, the ratings before it in the epoch (the clock). */
    chunkOrder: SharedArrayBuffer;
    chunkClock: SharedArrayBuffer;
    progress: SharedArrayBuffer;
    /** Worker w trains the positions workList[workStart[w] .. workStart[w + 1]) of this epoch's order. */
    workList: SharedArrayBuffer;
    workStart: SharedArrayBuffer;
  };
}

export interface WorkerEpoch {
  type: 'epoch';
  epoch: number;
}

export interface WorkerDone {
  type: 'done';
  epoch: number;
  sumSq: number;
  count: number;
}

/** Runs trainRange's contract on one kernel or the other. */
export type RangeTrainer = (from: number, to: number, step: number, clock0: number) => number;

export function stateFromInit(init: WorkerInit): KernelState {
  const buf = init.memory.buffer as unknown as ArrayBuffer,
    L = init.layout,
    S = rowStride(init.k);
  const pow = new Float64Array(buf, L.pow, L.nPow);
  return {
    k: init.k,
    stride: S,
    UT: new Float32Array(buf, L.UT, L.nUsers * S),
    UI: new Int32Array(buf, L.UT, L.nUsers * S),
    MT: new Float32Array(buf, L.MT, L.nMovies * S),
    MI: new Int32Array(buf, L.MT, L.nMovies * S),
    logDecay: new Float64Array(buf, L.logDecay, L.nSteps + 1),
    lr: new Float64Array(buf, L.lr, L.nSteps),
    powB2: pow,
    data: new Int32Array(buf, L.data, L.nTrain * 3),
    dataF: new Float32Array(buf, L.data, L.nTrain * 3),
    lo: init.lo,
    range: init.range,
    beta2: init.beta2,
    eps: init.eps,
    batchSize: init.batchSize,
  };
}

/** The range trainer for this init: the WASM SIMD kernel or the TypeScript one, on the same arena. */
export function rangeTrainer(init: WorkerInit, st: KernelState): RangeTrainer {
  if (init.kernel === 'ts' || !init.wasmModule) return (from, to, step, clock0) => trainRange(st, from, to, step, clock0);
  const inst = new WebAssembly.Instance(init.wasmModule, { env: { memory: init.memory, exp: Math.exp } });
  const ex = inst.exports as {
    setup: (...a: number[]) => void;
    train: (from: number, to: number, step: number, batch: number, inBatch: number, invDebias2: number) => number;
  };
  const L = init.layout,
    kp = paddedFactors(init.k);
  ex.setup(
    kp,
    rowStride(init.k) * 4,
    L.UT,
    L.MT,
    L.data,
    L.logDecay,
    L.lr,
    L.pow,
    L.nPow - 1,
    st.batchSize,
    st.lo,
    st.range,
    1 - st.beta2,
    (1 - st.beta2) / init.k,
    st.eps,
    1 / st.batchSize,
  );
  const bs = st.batchSize,
    beta2 = st.beta2;
  return (from, to, step, clock0) => {
    const batch = Math.floor(clock0 / bs);
    return ex.train(from, to, step, batch, clock0 - batch * bs, 1 / (1 - Math.pow(beta2, Math.max(1, (clock0 + 1) / bs))));
  };
}

export interface EpochViews {
  chunkStart: Int32Array;
  chunkOrder: Int32Array;
  workList: Int32Array;
  workStart: Int32Array;
  chunkClock: Float64Array;
  progress: Int32Array;
}

export function epochViews(init: WorkerInit): EpochViews {
  const b = init.buffers;
  return {
    chunkStart: new Int32Array(b.chunkStart),
    chunkOrder: new Int32Array(b.chunkOrder),
    chunkClock: new Float64Array(b.chunkClock),
    progress: new Int32Array(b.progress),
    workList: new Int32Array(b.workList),
    workStart: new Int32Array(b.workStart),
  };
}

/**
 * One worker's share of an epoch: the positions of this epoch's chunk order listed in
 * workList[from .. to) (default: this worker's list); the schedule step and the clock
 * are those of the chunk's position in the epoch's order.
 */
export function runWorkerEpoch(
  init: WorkerInit,
  train: RangeTrainer,
  v: EpochViews,
  epoch: number,
  from = v.workStart[init.workerIndex],
  to = v.workStart[init.workerIndex + 1],
): WorkerDone {
  let sumSq = 0,
    count = 0;
  for (let p = from; p < to; p++) {
    const c = v.workList[p];
    const chunk = v.chunkOrder[c];
    const lo = v.chunkStart[chunk],
      hi = v.chunkStart[chunk + 1];
    sumSq += train(lo, hi, epoch * init.nChunks + c, epoch * init.nTrain + v.chunkClock[c]);
    count += hi - lo;
    Atomics.add(v.progress, 0, hi - lo);
  }
  return { type: 'done', epoch, sumSq, count };
}
