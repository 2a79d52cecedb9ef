// The native engine: EmbeddingDotBias trained by per-rating updates over Float32Arrays
// (row records in block order, see ./kernel.ts), in worker threads that share the
// model through one shared WebAssembly.Memory and take disjoint blocks
// (./worker-pool.ts, dealt by ./schedule.ts), or inline on the main thread with one
// thread (then bit-for-bit deterministic; always the case when the model is one block).
// The optimizer and the weight-decay bookkeeping are in ./kernel.ts.
import { Rng, compileWat } from '@cinemap/math';
import { allocateWeights, initWeights, meanSquaredError, weightsFinite, type ModelWeights } from '@cinemap/model';
import type { TrainingData } from '../../data/training-data';
import {
  TrainingDiverged,
  TrainingInterrupted,
  type Engine,
  type EngineConfig,
  type EngineHooks,
  type EpochStats,
  type TrainResult,
} from '../types';
import {
  allocateArena,
  arenaLayout,
  catchUpDecay,
  epochViews,
  packRows,
  powTable,
  rangeTrainer,
  rowStride,
  runWorkerEpoch,
  stateFromInit,
  unpackRows,
  type EpochViews,
  type KernelKind,
  type KernelState,
  type RangeTrainer,
  type WorkerInit,
} from './kernel';
import { KERNEL_WAT } from './kernel-wat';
import { blockLayout, chunkSizeFor, countChunks, dealWork, epochOrder, gridSize, sab, scheduleTables, threadsFor } from './schedule';
import { WorkerPool } from './worker-pool';

/** fast.ai Adam's defaults (sqr_mom, eps). */
const BETA2 = 0.99;
const EPS = 1e-5;

let wasmModule: Promise<WebAssembly.Module> | undefined;

/** The WASM SIMD kernel, assembled from ./kernel-wat.ts (compileWat, @cinemap/math) once per process. */
export function compileWasmKernel(): Promise<WebAssembly.Module> {
  wasmModule ??= compileWat('kernel.wat', KERNEL_WAT, { simd: true, threads: true });
  return wasmModule;
}

export interface NativeEngineOptions {
  /** 'wasm' (default): the f32x4 SIMD kernel; 'ts': the TypeScript kernel (same optimizer, same arena). */
  kernel?: KernelKind;
  /** Bytes of user + movie records per block (default 4 MiB, or CINEMAP_BLOCK_MB): sets the grid, hence how many threads can work. */
  blockBytes?: number;
}

/** Everything one training run works on, laid out once before the first epoch. */
interface NativeRun {
  nUsers: number;
  nMovies: number;
  k: number;
  nTrain: number;
  nChunks: number;
  stride: number;
  grid: number;
  threads: number;
  threadsRequested: number;
  chunkSize: number;
  scheduleSteps: number;
  kernel: KernelKind;
  kernelNote: string;
  weights: ModelWeights;
  init: WorkerInit;
  state: KernelState;
  train: RangeTrainer;
  views: EpochViews;
  blockFirstChunk: Int32Array;
  /** Per position of the epoch's order, the lane (block of its round) it belongs to. */
  lane: Int32Array;
}

export class NativeEngine implements Engine {
  readonly name = 'native' as const;
  constructor(private readonly opts: NativeEngineOptions = {}) {}

  async train(data: TrainingData, cfg: EngineConfig, hooks: EngineHooks = {}): Promise<TrainResult> {
    const run = await this.prepare(data, cfg);
    const pool = run.threads > 1 ? await WorkerPool.start(run.init, run.threads) : null;
    const epochs: EpochStats[] = [];
    try {
      for (let epoch = 0; epoch < cfg.epochs; epoch++) {
        if (hooks.shouldStop?.()) throw new TrainingInterrupted();
        const t0 = performance.now();
        const loss = await trainEpoch(run, pool, cfg, epoch, hooks);
        const stats = finishEpoch(run, data, cfg, epoch, loss, (performance.now() - t0) / 1000);
        epochs.push(stats);
        hooks.onEpoch?.(stats);
      }
    } finally {
      await pool?.terminate();
    }
    return { weights: run.weights, epochs, backend: 'cpu', details: engineDetails(run, cfg) };
  }

  /** Sizes the grid and threads, lays the ratings and the schedule out in the shared arena, packs the initial weights. */
  private async prepare(data: TrainingData, cfg: EngineConfig): Promise<NativeRun> {
    const nUsers = data.userIds.length,
      nMovies = data.movieIds.length,
      k = cfg.factors;
    const nTrain = data.train.ratings.length;
    const threadsRequested = Math.max(1, Math.floor(cfg.threads));
    const weights = allocateWeights(nUsers, nMovies, k, cfg.yRange);
    initWeights(weights, cfg.seed);
    const stride = rowStride(k);
    const grid = gridSize(nUsers, nMovies, k, this.opts.blockBytes);
    const threads = threadsFor(grid, threadsRequested);
    const chunkSize = chunkSizeFor(nTrain);
    // The chunk count depends on the block sizes; count first, then lay out in the arena.
    const nChunks = countChunks(data.train, nUsers, nMovies, grid, chunkSize);
    const pow = powTable(BETA2);
    const arena = arenaLayout(nUsers, nMovies, k, nChunks * cfg.epochs, pow.length, nTrain);
    const { kernel, compiled, kernelNote } = await this.chooseKernel();
    const init = workerInit(cfg, { threads, k, nTrain, nChunks, kernel, compiled, arena });
    const laid = layOut(data, cfg, init, weights, grid, chunkSize, pow);
    return {
      nUsers,
      nMovies,
      k,
      nTrain,
      nChunks,
      stride,
      grid,
      threads,
      threadsRequested,
      chunkSize,
      kernel,
      kernelNote,
      weights,
      init,
      ...laid,
      train: rangeTrainer(init, laid.state),
      views: epochViews(init),
      lane: new Int32Array(nChunks),
    };
  }

  /** The WASM SIMD kernel unless told 'ts' or it cannot be built (then 'ts', saying why). */
  private async chooseKernel(): Promise<{ kernel: KernelKind; compiled?: WebAssembly.Module; kernelNote: string }> {
    if ((this.opts.kernel ?? 'wasm') === 'ts') return { kernel: 'ts', kernelNote: '' };
    try {
      return { kernel: 'wasm', compiled: await compileWasmKernel(), kernelNote: '' };
    } catch (e) {
      return { kernel: 'ts', kernelNote: `WASM SIMD kernel unavailable (${(e as Error).message}); TypeScript kernel used` };
    }
  }
}

/** What every thread is given: the run's sizes and constants, the kernel, the shared arena and buffers. */
function workerInit(
  cfg: EngineConfig,
  r: {
    threads: number;
    k: number;
    nTrain: number;
    nChunks: number;
    kernel: KernelKind;
    compiled?: WebAssembly.Module;
    arena: ReturnType<typeof arenaLayout>;
  },
): WorkerInit {
  const { threads, k, nTrain, nChunks } = r;
  return {
    type: 'init',
    workerIndex: 0,
    threads,
    k,
    nTrain,
    nChunks,
    lo: cfg.yRange[0],
    range: cfg.yRange[1] - cfg.yRange[0],
    beta2: BETA2,
    eps: EPS,
    batchSize: cfg.batchSize,
    kernel: r.kernel,
    wasmModule: r.compiled,
    memory: allocateArena(r.arena),
    layout: r.arena,
    buffers: {
      chunkStart: sab((nChunks + 1) * 4),
      chunkOrder: sab(nChunks * 4),
      chunkClock: sab(nChunks * 8),
      progress: sab(8),
      workList: sab(nChunks * 4),
      workStart: sab((threads + 1) * 4),
    },
  };
}

/** Lays the ratings out by block, writes the schedule tables and packs the initial weights into the arena. */
function layOut(
  data: TrainingData,
  cfg: EngineConfig,
  init: WorkerInit,
  weights: ModelWeights,
  grid: number,
  chunkSize: number,
  pow: Float64Array,
) {
  const { k, nTrain, nChunks } = init;
  const nUsers = data.userIds.length,
    nMovies = data.movieIds.length,
    stride = rowStride(k);
  const state = stateFromInit(init);
  const layout = blockLayout(data.train, nUsers, nMovies, grid, chunkSize, state.data, state.dataF);
  new Int32Array(init.buffers.chunkStart).set(new Int32Array(layout.chunkStartBuf));
  const { lrs, logDecay } = scheduleTables(cfg, nTrain, nChunks);
  state.lr.set(lrs);
  state.logDecay.set(logDecay);
  state.powB2.set(pow);
  packRows(weights.userFactors, weights.userBias, nUsers, k, stride, state.UT);
  packRows(weights.movieFactors, weights.movieBias, nMovies, k, stride, state.MT);
  return { state, blockFirstChunk: layout.blockFirstChunk, scheduleSteps: lrs.length };
}

/** One epoch's updates: a new block order, dealt to the workers, or run inline; the loss sums over the training ratings. */
async function trainEpoch(
  run: NativeRun,
  pool: WorkerPool | null,
  cfg: EngineConfig,
  epoch: number,
  hooks: EngineHooks,
): Promise<{ sumSq: number; count: number }> {
  const { views, nTrain } = run;
  // A new block order every epoch (the ratings inside a block keep the split's shuffle).
  epochOrder(
    run.grid,
    run.blockFirstChunk,
    views.chunkStart,
    new Rng(cfg.seed).fork(1000 + epoch),
    views.chunkOrder,
    views.chunkClock,
    run.lane,
  );
  dealWork(run.lane, run.grid, pool?.size || 1, views.workList, views.workStart);
  Atomics.store(views.progress, 0, 0);
  if (pool) return pool.runEpoch(epoch, () => hooks.onProgress?.(Atomics.load(views.progress, 0), nTrain));
  // Inline, one chunk at a time, yielding now and then so progress and Ctrl-C get through.
  let sumSq = 0,
    count = 0;
  let last = performance.now();
  for (let c = 0; c < run.nChunks; c++) {
    const one = runWorkerEpoch(run.init, run.train, views, epoch, c, c + 1);
    sumSq += one.sumSq;
    count += one.count;
    if (performance.now() - last > 100) {
      hooks.onProgress?.(Atomics.load(views.progress, 0), nTrain);
      if (hooks.shouldStop?.()) throw new TrainingInterrupted();
      await new Promise((r) => setImmediate(r));
      last = performance.now();
    }
  }
  return { sumSq, count };
}

/** Catches every row up on the decay it missed, copies the weights out and measures the epoch (stopping on divergence). */
function finishEpoch(
  run: NativeRun,
  data: TrainingData,
  cfg: EngineConfig,
  epoch: number,
  loss: { sumSq: number; count: number },
  seconds: number,
): EpochStats {
  const { state: st, k, stride, weights } = run;
  const target = (epoch + 1) * run.nChunks;
  catchUpDecay(st.UT, st.UI, k, stride, st.logDecay, target, 0, run.nUsers);
  catchUpDecay(st.MT, st.MI, k, stride, st.logDecay, target, 0, run.nMovies);
  unpackRows(st.UT, run.nUsers, k, stride, weights.userFactors, weights.userBias);
  unpackRows(st.MT, run.nMovies, k, stride, weights.movieFactors, weights.movieBias);
  const trainMse = loss.sumSq / Math.max(1, loss.count);
  if (!Number.isFinite(trainMse)) throw new TrainingDiverged(epoch, 'the training loss', cfg);
  if (!weightsFinite(weights)) throw new TrainingDiverged(epoch, 'a model parameter', cfg);
  const validMse = data.valid.ratings.length ? meanSquaredError(weights, data.valid) : NaN;
  if (data.valid.ratings.length && !Number.isFinite(validMse)) throw new TrainingDiverged(epoch, 'the validation loss', cfg);
  return { epoch, trainMse, validMse, validRmse: Math.sqrt(validMse), seconds, ratingsPerSecond: loss.count / Math.max(1e-9, seconds) };
}

/** What the run records about how it trained (model_runs.metrics.engineDetails). */
function engineDetails(run: NativeRun, cfg: EngineConfig): Record<string, unknown> {
  const { threads, threadsRequested, grid } = run;
  return {
    optimizer:
      'per-rating row-wise Adam (second moment decayed lazily per fast.ai batch, beta2 0.99, eps 1e-5; momentum applied at once) + exact lazy decoupled weight decay',
    threads,
    ...(threads < threadsRequested
      ? {
          threadsNote: `${threadsRequested} threads requested, ${threads} used: the model fits ${grid === 1 ? 'one block' : `a grid of ${grid}`}, and threads never share rows (docs/trainer.md)`,
        }
      : {}),
    kernel: run.kernel === 'wasm' ? 'WASM SIMD (f32x4)' : 'TypeScript',
    ...(run.kernelNote ? { kernelNote: run.kernelNote } : {}),
    grid,
    chunkSize: run.chunkSize,
    scheduleSteps: run.scheduleSteps,
    emulatedBatchSize: cfg.batchSize,
  };
}
