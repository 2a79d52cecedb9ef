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
//   weaker. The first moment is not kept: an impulse's momentum, spread by dense Adam
//   over the following batches, adds up to the same displacement (within ~5%), so it
//   is applied at once;
// - decoupled weight decay applied EXACTLY as fast.ai's dense AdamW would over every
//   row every step, but lazily: logDecay holds the cumulative log decay per schedule
//   step; a row is brought up to date when touched (and all rows at the epoch end);
// - the one-cycle lr, one value per schedule step (a chunk of ratings).
// No allocation, one sequential stream over interleaved (user, movie, rating) triples.

export interface KernelState {
  k: number;
  U: Float32Array;
  M: Float32Array;
  bu: Float32Array;
  bm: Float32Array;
  /** Row-wise second moments: factors of user rows, movie rows; then the biases. */
  vU: Float32Array;
  vM: Float32Array;
  vbu: Float32Array;
  vbm: Float32Array;
  /** Index into logDecay up to which each row's decay has been applied. */
  lastU: Int32Array;
  lastM: Int32Array;
  /** Rating clock (ratings since the fit began) at each row's last touch, for the lazy beta2 decay. */
  timeU: Float64Array;
  timeM: Float64Array;
  /** logDecay[s] = sum of log decay factors of steps 0..s-1 (length totalSteps + 1). */
  logDecay: Float64Array;
  /** Learning rate of each schedule step. */
  lr: Float64Array;
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

/**
 * Trains on ratings [from, to) as schedule step `step`, the first of them at rating
 * clock `clock0`; returns the sum of squared errors (each taken before its update).
 */
export function trainRange(st: KernelState, from: number, to: number, step: number, clock0: number): number {
  const k = st.k, U = st.U, M = st.M, bu = st.bu, bm = st.bm, vU = st.vU, vM = st.vM, vbu = st.vbu, vbm = st.vbm;
  const lastU = st.lastU, lastM = st.lastM, timeU = st.timeU, timeM = st.timeM, data = st.data, dataF = st.dataF;
  const lo = st.lo, range = st.range, c2 = 1 - st.beta2, eps = st.eps;
  const lnB2PerRating = Math.log(st.beta2) / st.batchSize;
  const invBs = 1 / st.batchSize;
  // Adam's debiasing of the second moment at this point of the fit (in fast.ai batches).
  const invDebias2 = 1 / (1 - Math.pow(st.beta2, Math.max(1, (clock0 + 1) * invBs)));
  const lr = st.lr[step];
  const target = step + 1;
  const logNow = st.logDecay[target];
  const invK = 1 / k;
  let sumSq = 0;
  let clock = clock0;
  for (let i = from * 3, end = to * 3; i < end; i += 3, clock++) {
    const u = data[i], m = data[i + 1], r = dataF[i + 2];
    const uo = u * k, mo = m * k;
    // Lazy decoupled weight decay: catch the row up to this step.
    let lu = lastU[u];
    if (lu !== target) {
      const f = Math.exp(logNow - st.logDecay[lu]);
      for (let j = 0; j < k; j++) U[uo + j] *= f;
      bu[u] *= f;
      lastU[u] = target;
    }
    lu = lastM[m];
    if (lu !== target) {
      const f = Math.exp(logNow - st.logDecay[lu]);
      for (let j = 0; j < k; j++) M[mo + j] *= f;
      bm[m] *= f;
      lastM[m] = target;
    }
    let dot = 0, nu = 0, nm = 0;
    for (let j = 0; j < k; j++) {
      const a = U[uo + j], b = M[mo + j];
      dot += a * b;
      nu += a * a;
      nm += b * b;
    }
    const s = 1 / (1 + Math.exp(-(dot + bu[u] + bm[m])));
    const e = lo + range * s - r;
    sumSq += e * e;
    // d(loss)/dx for this rating within a fast.ai batch mean.
    const g = 2 * e * range * s * (1 - s) * invBs;
    const g2 = g * g;
    const du = Math.exp((clock - timeU[u]) * lnB2PerRating), dm = Math.exp((clock - timeM[m]) * lnB2PerRating);
    timeU[u] = clock;
    timeM[m] = clock;
    let v = vbu[u] * du + c2 * g2;
    vbu[u] = v;
    bu[u] -= (lr * g) / (Math.sqrt(v * invDebias2) + eps);
    v = vbm[m] * dm + c2 * g2;
    vbm[m] = v;
    bm[m] -= (lr * g) / (Math.sqrt(v * invDebias2) + eps);
    v = vU[u] * du + c2 * g2 * nm * invK;
    vU[u] = v;
    const su = (lr * g) / (Math.sqrt(v * invDebias2) + eps);
    v = vM[m] * dm + c2 * g2 * nu * invK;
    vM[m] = v;
    const sm = (lr * g) / (Math.sqrt(v * invDebias2) + eps);
    for (let j = 0; j < k; j++) {
      const a = U[uo + j], b = M[mo + j];
      U[uo + j] = a - su * b;
      M[mo + j] = b - sm * a;
    }
  }
  return sumSq;
}

/** Brings rows [from, to) of a table up to logDecay index `target` (epoch end, before evaluation/export). */
export function catchUpDecay(table: Float32Array, bias: Float32Array, last: Int32Array, k: number, logDecay: Float64Array, target: number, from: number, to: number): void {
  const logNow = logDecay[target];
  for (let r = from; r < to; r++) {
    const l = last[r];
    if (l === target) continue;
    const f = Math.exp(logNow - logDecay[l]);
    for (let j = 0, o = r * k; j < k; j++) table[o + j] *= f;
    bias[r] *= f;
    last[r] = target;
  }
}

/** Message a worker receives once: every shared buffer plus the constants. */
export interface WorkerInit {
  type: 'init';
  workerIndex: number;
  threads: number;
  k: number;
  nTrain: number;
  chunkSize: number;
  nChunks: number;
  lo: number;
  range: number;
  beta2: number;
  eps: number;
  batchSize: number;
  buffers: {
    U: SharedArrayBuffer; M: SharedArrayBuffer; bu: SharedArrayBuffer; bm: SharedArrayBuffer;
    vU: SharedArrayBuffer; vM: SharedArrayBuffer; vbu: SharedArrayBuffer; vbm: SharedArrayBuffer;
    lastU: SharedArrayBuffer; lastM: SharedArrayBuffer; timeU: SharedArrayBuffer; timeM: SharedArrayBuffer; logDecay: SharedArrayBuffer; lr: SharedArrayBuffer;
    data: SharedArrayBuffer; chunkOrder: SharedArrayBuffer; progress: SharedArrayBuffer;
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
    k: init.k,
    U: new Float32Array(b.U), M: new Float32Array(b.M), bu: new Float32Array(b.bu), bm: new Float32Array(b.bm),
    vU: new Float32Array(b.vU), vM: new Float32Array(b.vM), vbu: new Float32Array(b.vbu), vbm: new Float32Array(b.vbm),
    lastU: new Int32Array(b.lastU), lastM: new Int32Array(b.lastM), timeU: new Float64Array(b.timeU), timeM: new Float64Array(b.timeM), logDecay: new Float64Array(b.logDecay), lr: new Float64Array(b.lr),
    data: new Int32Array(b.data), dataF: new Float32Array(b.data),
    lo: init.lo, range: init.range, beta2: init.beta2, eps: init.eps, batchSize: init.batchSize,
  };
}

/**
 * One worker's share of an epoch: chunks workerIndex, workerIndex + threads, ... of
 * this epoch's chunk order; the schedule step is the chunk's position in the epoch.
 */
export function runWorkerEpoch(init: WorkerInit, st: KernelState, chunkOrder: Int32Array, progress: Int32Array, epoch: number): WorkerDone {
  let sumSq = 0, count = 0;
  for (let c = init.workerIndex; c < init.nChunks; c += init.threads) {
    const chunk = chunkOrder[c];
    const from = chunk * init.chunkSize, to = Math.min(init.nTrain, from + init.chunkSize);
    const step = epoch * init.nChunks + c;
    // The rating clock: where this chunk sits in the fit's stream of ratings.
    sumSq += trainRange(st, from, to, step, epoch * init.nTrain + c * init.chunkSize);
    count += to - from;
    Atomics.add(progress, 0, to - from);
  }
  return { type: 'done', epoch, sumSq, count };
}
