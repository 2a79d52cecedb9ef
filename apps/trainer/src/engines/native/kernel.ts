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
// row is ONE record of `stride` 32-bit slots, [k factors | bias | v | v_bias |
// last decay step (int) | last batch (int) | pad], so a rating touches two records
// (a few adjacent cache lines each) instead of ten scattered arrays. Ratings are
// ordered in blocks of the users × movies grid (LIBMF-style), so the rows of the
// current block stay in cache.

/** Slots after the k factors: bias, v, v_bias, last step, last batch. */
export const ROW_EXTRA = 5;

/** Record length: k + ROW_EXTRA rounded up to 4 slots (16 bytes). */
export function rowStride(k: number): number {
  return (k + ROW_EXTRA + 3) & ~3;
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
export function trainRange(st: KernelState, from: number, to: number, step: number, clock0: number): number {
  const k = st.k, S = st.stride, UT = st.UT, UI = st.UI, MT = st.MT, MI = st.MI, data = st.data, dataF = st.dataF;
  const powB2 = st.powB2, powLast = powB2.length - 1, logDecay = st.logDecay;
  const KB = k, KV = k + 1, KVB = k + 2, KL = k + 3, KT = k + 4;
  const lo = st.lo, range = st.range, c2 = 1 - st.beta2, eps = st.eps;
  const bs = st.batchSize, invBs = 1 / bs;
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
    const uo = data[i] * S, mo = data[i + 1] * S, r = dataF[i + 2];
    // Lazy decoupled weight decay: catch the record (factors and bias) up to this step.
    let l = UI[uo + KL];
    if (l !== target) {
      const f = Math.exp(logNow - logDecay[l]);
      for (let j = 0; j <= k; j++) UT[uo + j] *= f;
      UI[uo + KL] = target;
    }
    l = MI[mo + KL];
    if (l !== target) {
      const f = Math.exp(logNow - logDecay[l]);
      for (let j = 0; j <= k; j++) MT[mo + j] *= f;
      MI[mo + KL] = target;
    }
    let dot = 0, nu = 0, nm = 0;
    for (let j = 0; j < k; j++) {
      const a = UT[uo + j], b = MT[mo + j];
      dot += a * b;
      nu += a * a;
      nm += b * b;
    }
    const s = 1 / (1 + Math.exp(-(dot + UT[uo + KB] + MT[mo + KB])));
    const e = lo + range * s - r;
    sumSq += e * e;
    // d(loss)/dx for this rating within a fast.ai batch mean.
    const g = 2 * e * range * s * (1 - s) * invBs;
    const lrg = lr * g, g2 = g * g;
    // Batches since the last touch (< 0 only when another thread, further along the
    // clock, touched the row: Hogwild; treated as "this batch").
    let nb = batch - UI[uo + KT];
    const du = powB2[nb <= 0 ? 0 : nb < powLast ? nb : powLast];
    nb = batch - MI[mo + KT];
    const dm = powB2[nb <= 0 ? 0 : nb < powLast ? nb : powLast];
    UI[uo + KT] = batch;
    MI[mo + KT] = batch;
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
      const a = UT[uo + j], b = MT[mo + j];
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
export function catchUpDecay(T: Float32Array, I: Int32Array, k: number, stride: number, logDecay: Float64Array, target: number, from: number, to: number): void {
  const logNow = logDecay[target];
  for (let r = from; r < to; r++) {
    const o = r * stride;
    const l = I[o + k + 3];
    if (l === target) continue;
    const f = Math.exp(logNow - logDecay[l]);
    for (let j = 0; j <= k; j++) T[o + j] *= f;
    I[o + k + 3] = target;
  }
}

/** Packs factors and biases into records (optimizer slots zeroed). */
export function packRows(factors: Float32Array, bias: Float32Array, n: number, k: number, stride: number, T: Float32Array): void {
  for (let r = 0; r < n; r++) {
    T.set(factors.subarray(r * k, (r + 1) * k), r * stride);
    T[r * stride + k] = bias[r];
  }
}

/** Copies factors and biases out of the records. */
export function unpackRows(T: Float32Array, n: number, k: number, stride: number, factors: Float32Array, bias: Float32Array): void {
  for (let r = 0; r < n; r++) {
    factors.set(T.subarray(r * stride, r * stride + k), r * k);
    bias[r] = T[r * stride + k];
  }
}

/** Message a worker receives once: every shared buffer plus the constants. */
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
  buffers: {
    UT: SharedArrayBuffer; MT: SharedArrayBuffer; logDecay: SharedArrayBuffer; lr: SharedArrayBuffer;
    /** Interleaved triples in block order; chunk c is ratings [chunkStart[c], chunkStart[c + 1]). */
    data: SharedArrayBuffer; chunkStart: SharedArrayBuffer;
    /** This epoch's chunk order and, per position, the ratings before it in the epoch (the clock). */
    chunkOrder: SharedArrayBuffer; chunkClock: SharedArrayBuffer; progress: SharedArrayBuffer;
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

export function stateFromInit(init: WorkerInit): KernelState {
  const b = init.buffers;
  return {
    k: init.k, stride: rowStride(init.k),
    UT: new Float32Array(b.UT), UI: new Int32Array(b.UT), MT: new Float32Array(b.MT), MI: new Int32Array(b.MT),
    logDecay: new Float64Array(b.logDecay), lr: new Float64Array(b.lr), powB2: powTable(init.beta2),
    data: new Int32Array(b.data), dataF: new Float32Array(b.data),
    lo: init.lo, range: init.range, beta2: init.beta2, eps: init.eps, batchSize: init.batchSize,
  };
}

export interface EpochViews {
  chunkStart: Int32Array;
  chunkOrder: Int32Array;
  chunkClock: Float64Array;
  progress: Int32Array;
}

export function epochViews(init: WorkerInit): EpochViews {
  const b = init.buffers;
  return { chunkStart: new Int32Array(b.chunkStart), chunkOrder: new Int32Array(b.chunkOrder), chunkClock: new Float64Array(b.chunkClock), progress: new Int32Array(b.progress) };
}

/**
 * One worker's share of an epoch: positions workerIndex, workerIndex + threads, ... of
 * this epoch's chunk order; the schedule step is the chunk's position in the epoch.
 */
export function runWorkerEpoch(init: WorkerInit, st: KernelState, v: EpochViews, epoch: number): WorkerDone {
  let sumSq = 0, count = 0;
  for (let c = init.workerIndex; c < init.nChunks; c += init.threads) {
    const chunk = v.chunkOrder[c];
    const from = v.chunkStart[chunk], to = v.chunkStart[chunk + 1];
    sumSq += trainRange(st, from, to, epoch * init.nChunks + c, epoch * init.nTrain + v.chunkClock[c]);
    count += to - from;
    Atomics.add(v.progress, 0, to - from);
  }
  return { type: 'done', epoch, sumSq, count };
}
