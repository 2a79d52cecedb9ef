// The native engine: EmbeddingDotBias trained by per-rating updates over Float32Arrays,
// in worker threads sharing the model through SharedArrayBuffers (Hogwild), or
// inline on the main thread with --threads 1 (then bit-for-bit deterministic).
// The optimizer and the weight-decay bookkeeping are in ./kernel.ts.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Rng, oneCycle } from '@cinemap/math';
import { allocateParams, initParams, meanSquaredError, paramsFinite, type ModelParams } from '../../model/embedding-dot-bias';
import type { TrainingData } from '../../data/training-data';
import { TrainingDiverged, TrainingInterrupted, type Engine, type EngineConfig, type EngineHooks, type EpochStats, type TrainResult } from '../types';
import { catchUpDecay, runWorkerEpoch, stateFromInit, type WorkerDone, type WorkerInit } from './kernel';

/** fast.ai Adam's defaults (sqr_mom, eps). */
const BETA2 = 0.99;
const EPS = 1e-5;

/** Ratings per schedule step: fine enough for the lr curve, coarse enough that decay catch-up is rare. */
export function chunkSizeFor(nTrain: number): number {
  return Math.min(16_384, Math.max(256, Math.ceil(nTrain / 256)));
}

/**
 * Where the worker script is: the bundle beside the running bundle (dist/apps/trainer,
 * also when another app's bundle imports the trainer), else the TypeScript source run
 * through tsx (jest runs sources).
 */
export function resolveWorkerScript(): { file: string; execArgv: string[] } {
  const candidates = [join(__dirname, 'native-worker.js'), join(__dirname, '..', 'trainer', 'native-worker.js')];
  if (__filename.endsWith('.js')) for (const c of candidates) if (existsSync(c)) return { file: c, execArgv: [] };
  const src = resolve(__dirname, '..', '..', 'bin', 'native-worker.ts');
  if (existsSync(src)) return { file: src, execArgv: ['--require', require.resolve('tsx/cjs')] };
  for (const c of [resolve('dist/apps/trainer/native-worker.js')]) if (existsSync(c)) return { file: c, execArgv: [] };
  throw new Error(`native engine: worker script not found (looked for ${candidates.join(', ')}). Run "node tools/build.mjs" first.`);
}

/**
 * The one-cycle lr of every schedule step (a chunk of ratings), and the cumulative log
 * of fast.ai's decoupled decay: a step of n ratings stands for n / batchSize fast.ai
 * batches, each decaying every row by (1 - lr * wd).
 */
export function scheduleTables(cfg: Pick<EngineConfig, 'lr' | 'wd' | 'epochs' | 'batchSize'>, nTrain: number, chunkSize: number) {
  const nChunks = Math.ceil(nTrain / chunkSize);
  const totalSteps = nChunks * cfg.epochs;
  const lrBuf = sab(totalSteps * 8), logBuf = sab((totalSteps + 1) * 8);
  const lrs = new Float64Array(lrBuf), logDecay = new Float64Array(logBuf);
  const sched = oneCycle({ lrMax: cfg.lr, totalSteps });
  for (let s = 0; s < totalSteps; s++) {
    lrs[s] = sched(s).lr;
    const n = Math.min(chunkSize, nTrain - (s % nChunks) * chunkSize);
    logDecay[s + 1] = logDecay[s] + (n / cfg.batchSize) * Math.log1p(-Math.min(0.999999, lrs[s] * cfg.wd));
  }
  return { lrs, logDecay, lrBuf, logBuf, totalSteps, nChunks };
}

function sab(bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(Math.max(8, bytes));
}

export class NativeEngine implements Engine {
  readonly name = 'native' as const;

  async train(data: TrainingData, cfg: EngineConfig, hooks: EngineHooks = {}): Promise<TrainResult> {
    const nUsers = data.userIds.length, nMovies = data.movieIds.length, k = cfg.factors;
    const nTrain = data.train.ratings.length;
    const threads = Math.max(1, Math.floor(cfg.threads));
    const params = allocateParams(nUsers, nMovies, k, cfg.yRange, true);
    initParams(params, cfg.seed);
    const chunkSize = chunkSizeFor(nTrain);
    const nChunks = Math.ceil(nTrain / chunkSize);
    const { lrs, lrBuf, logBuf } = scheduleTables(cfg, nTrain, chunkSize);
    // Interleaved training triples, already in the split's random order.
    const dataBuf = sab(nTrain * 12);
    const di = new Int32Array(dataBuf), df = new Float32Array(dataBuf);
    for (let i = 0, o = 0; i < nTrain; i++, o += 3) {
      di[o] = data.train.users[i];
      di[o + 1] = data.train.movies[i];
      df[o + 2] = data.train.ratings[i];
    }
    const toSab = (a: Float32Array) => a.buffer as SharedArrayBuffer;
    const init: WorkerInit = {
      type: 'init', workerIndex: 0, threads, k, nTrain, chunkSize, nChunks,
      lo: cfg.yRange[0], range: cfg.yRange[1] - cfg.yRange[0], beta2: BETA2, eps: EPS, batchSize: cfg.batchSize,
      buffers: {
        U: toSab(params.userFactors), M: toSab(params.movieFactors), bu: toSab(params.userBias), bm: toSab(params.movieBias),
        vU: sab(nUsers * 4), vM: sab(nMovies * 4), vbu: sab(nUsers * 4), vbm: sab(nMovies * 4),
        lastU: sab(nUsers * 4), lastM: sab(nMovies * 4), timeU: sab(nUsers * 8), timeM: sab(nMovies * 8), logDecay: logBuf, lr: lrBuf,
        data: dataBuf, chunkOrder: sab(nChunks * 4), progress: sab(8),
      },
    };
    const st = stateFromInit(init);
    const order = new Int32Array(init.buffers.chunkOrder);
    const progress = new Int32Array(init.buffers.progress);
    const workers = threads > 1 ? await startWorkers(init, threads) : [];
    const epochs: EpochStats[] = [];
    try {
      for (let epoch = 0; epoch < cfg.epochs; epoch++) {
        if (hooks.shouldStop?.()) throw new TrainingInterrupted();
        // A new chunk order every epoch (the ratings inside a chunk keep the split's shuffle).
        order.set(new Rng(cfg.seed).fork(1000 + epoch).permutation(nChunks));
        Atomics.store(progress, 0, 0);
        const t0 = performance.now();
        let sumSq = 0, count = 0;
        if (workers.length) {
          const timer = setInterval(() => hooks.onProgress?.(Atomics.load(progress, 0), nTrain), 200);
          try {
            const done = await Promise.all(workers.map((w) => runEpochOn(w, epoch)));
            for (const d of done) {
              sumSq += d.sumSq;
              count += d.count;
            }
          } finally {
            clearInterval(timer);
          }
        } else {
          // Inline, one chunk at a time, yielding now and then so progress and Ctrl-C get through.
          let last = performance.now();
          for (let c = 0; c < nChunks; c++) {
            const one = runWorkerEpoch({ ...init, workerIndex: c, threads: nChunks }, st, order, progress, epoch);
            sumSq += one.sumSq;
            count += one.count;
            if (performance.now() - last > 100) {
              hooks.onProgress?.(Atomics.load(progress, 0), nTrain);
              if (hooks.shouldStop?.()) throw new TrainingInterrupted();
              await new Promise((r) => setImmediate(r));
              last = performance.now();
            }
          }
        }
        const seconds = (performance.now() - t0) / 1000;
        const target = (epoch + 1) * nChunks;
        catchUpDecay(st.U, st.bu, st.lastU, k, st.logDecay, target, 0, nUsers);
        catchUpDecay(st.M, st.bm, st.lastM, k, st.logDecay, target, 0, nMovies);
        const trainMse = sumSq / Math.max(1, count);
        if (!Number.isFinite(trainMse)) throw new TrainingDiverged(epoch, 'the training loss', cfg);
        if (!paramsFinite(params)) throw new TrainingDiverged(epoch, 'a model parameter', cfg);
        const validMse = data.valid.ratings.length ? meanSquaredError(params, data.valid) : NaN;
        if (data.valid.ratings.length && !Number.isFinite(validMse)) throw new TrainingDiverged(epoch, 'the validation loss', cfg);
        const stats: EpochStats = { epoch, trainMse, validMse, validRmse: Math.sqrt(validMse), seconds, ratingsPerSecond: count / Math.max(1e-9, seconds) };
        epochs.push(stats);
        hooks.onEpoch?.(stats);
      }
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
    return {
      params: unshare(params),
      epochs,
      backend: 'cpu',
      details: {
        optimizer: 'per-rating row-wise Adam (second moment decayed lazily per fast.ai batch, beta2 0.99, eps 1e-5; momentum applied at once) + exact lazy decoupled weight decay',
        threads,
        chunkSize,
        scheduleSteps: lrs.length,
        emulatedBatchSize: cfg.batchSize,
      },
    };
  }
}

/** Copies the shared parameters into ordinary buffers (the workers are gone; callers may transfer them). */
function unshare(p: ModelParams): ModelParams {
  return { ...p, userFactors: p.userFactors.slice(), movieFactors: p.movieFactors.slice(), userBias: p.userBias.slice(), movieBias: p.movieBias.slice() };
}

async function startWorkers(init: WorkerInit, threads: number): Promise<Worker[]> {
  const script = resolveWorkerScript();
  const workers: Worker[] = [];
  try {
    for (let w = 0; w < threads; w++) {
      const worker = new Worker(script.file, { execArgv: script.execArgv });
      workers.push(worker);
      await new Promise<void>((res, rej) => {
        const onMsg = (m: { type: string }) => {
          if (m.type === 'ready') {
            worker.off('error', rej);
            worker.off('message', onMsg);
            res();
          }
        };
        worker.on('message', onMsg);
        worker.once('error', rej);
        worker.postMessage({ ...init, workerIndex: w });
      });
    }
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw new Error(`native engine: could not start worker threads (${(e as Error).message}). Try --threads 1.`);
  }
  return workers;
}

function runEpochOn(worker: Worker, epoch: number): Promise<WorkerDone> {
  return new Promise((res, rej) => {
    const onMsg = (m: WorkerDone) => {
      if (m.type === 'done' && m.epoch === epoch) {
        worker.off('message', onMsg);
        worker.off('error', onErr);
        worker.off('exit', onExit);
        res(m);
      }
    };
    const onErr = (e: Error) => rej(e);
    const onExit = (code: number) => rej(new Error(`native worker exited (code ${code}) during epoch ${epoch + 1}`));
    worker.on('message', onMsg);
    worker.once('error', onErr);
    worker.once('exit', onExit);
    worker.postMessage({ type: 'epoch', epoch });
  });
}
