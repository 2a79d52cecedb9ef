// The tfjs engine: fast.ai's training loop written once against the TF.js API, so it
// runs on CUDA (tfjs-node-gpu), libtensorflow, wasm or plain JS. Exactly fast.ai's
// optimizer: dense Adam (beta1 = the one-cycle momentum, beta2 0.99, eps 1e-5,
// debiased) with decoupled weight decay of every parameter every step.
//
// The embedding lookup has a custom gradient: TF.js's own gradient of tf.gather
// loops over every table row on the cpu backend and needs UnsortedSegmentSum, which
// wasm lacks; a scatterND of the batch's row gradients (duplicates summed) is the
// same dense gradient at the cost of the batch.
import { Rng, oneCycle } from '@cinemap/math';
import { allocateWeights, initWeights, meanSquaredError, type ModelWeights } from '@cinemap/model';
import type { TrainingData } from '../../data/training-data';
import {
  TrainingDiverged,
  TrainingInterrupted,
  type BackendName,
  type Engine,
  type EngineConfig,
  type EngineHooks,
  type EpochStats,
  type TrainResult,
} from '../types';
import { loadTf, type Tf } from './backend';
import type { Scalar, Tensor, Tensor1D, Tensor2D, Variable } from '@tensorflow/tfjs';

const BETA2 = 0.99;
const EPS = 1e-5;

/** tf.gather of table rows whose gradient is a scatterND of the output gradient. */
export function makeGatherRows(tf: Tf): (table: Tensor2D, idx: Tensor1D) => Tensor2D {
  return (table, idx) =>
    tf.customGrad(((t: Tensor, i: Tensor) => ({
      value: tf.gather(t, i as Tensor1D),
      gradFunc: (dy: Tensor | Tensor[]) => [tf.scatterND(tf.expandDims(i, 1), dy as Tensor, t.shape), tf.zerosLike(i)],
    })) as unknown as Parameters<Tf['customGrad']>[0])(table, idx) as Tensor2D;
}

export class TfjsEngine implements Engine {
  readonly name = 'tfjs' as const;
  constructor(private readonly backend: BackendName | 'auto' = 'auto') {}

  // eslint-disable-next-line max-lines-per-function -- one fit's tensors and their disposal in one scope; split with the next change to the tfjs engine
  async train(data: TrainingData, cfg: EngineConfig, hooks: EngineHooks = {}): Promise<TrainResult> {
    const loaded = await loadTf(this.backend);
    const tf = loaded.tf;
    const nUsers = data.userIds.length,
      nMovies = data.movieIds.length,
      k = cfg.factors;
    const init = allocateWeights(nUsers, nMovies, k, cfg.yRange);
    initWeights(init, cfg.seed);
    const [lo, hi] = cfg.yRange;
    const vars: Variable[] = [
      tf.variable(tf.tensor2d(init.userFactors, [nUsers, k]), true, 'U'),
      tf.variable(tf.tensor2d(init.movieFactors, [nMovies, k]), true, 'M'),
      tf.variable(tf.tensor2d(init.userBias, [nUsers, 1]), true, 'bu'),
      tf.variable(tf.tensor2d(init.movieBias, [nMovies, 1]), true, 'bm'),
    ];
    const [U, M, bu, bm] = vars;
    const avg = vars.map((v) => tf.variable(tf.zerosLike(v), false));
    const sqr = vars.map((v) => tf.variable(tf.zerosLike(v), false));
    const gatherRows = makeGatherRows(tf);
    const nTrain = data.train.ratings.length;
    const bs = Math.max(1, Math.floor(cfg.batchSize));
    const stepsPerEpoch = Math.ceil(nTrain / bs);
    const sched = oneCycle({ lrMax: cfg.lr, totalSteps: stepsPerEpoch * cfg.epochs });
    const epochs: EpochStats[] = [];
    let step = 0;
    const snapshot = (): ModelWeights => ({
      ...init,
      userFactors: U.dataSync() as Float32Array,
      movieFactors: M.dataSync() as Float32Array,
      userBias: bu.dataSync() as Float32Array,
      movieBias: bm.dataSync() as Float32Array,
    });
    try {
      for (let epoch = 0; epoch < cfg.epochs; epoch++) {
        // fast.ai reshuffles the training set every epoch.
        const perm = new Rng(cfg.seed).fork(2000 + epoch).permutation(nTrain);
        const t0 = performance.now();
        let sumSq = 0,
          lastYield = t0;
        for (let b = 0; b < stepsPerEpoch; b++) {
          if (hooks.shouldStop?.()) throw new TrainingInterrupted();
          const from = b * bs,
            to = Math.min(nTrain, from + bs),
            n = to - from;
          const ui = new Int32Array(n),
            mi = new Int32Array(n),
            r = new Float32Array(n);
          for (let i = 0; i < n; i++) {
            const j = perm[from + i];
            ui[i] = data.train.users[j];
            mi[i] = data.train.movies[j];
            r[i] = data.train.ratings[j];
          }
          const { lr, mom } = sched(step++);
          const batchLoss = tf.tidy(() => {
            const uIdx = tf.tensor1d(ui, 'int32'),
              mIdx = tf.tensor1d(mi, 'int32'),
              y = tf.tensor1d(r);
            const { value, grads } = tf.variableGrads(() => {
              const x = tf
                .sum(tf.mul(gatherRows(U as Tensor2D, uIdx), gatherRows(M as Tensor2D, mIdx)), 1)
                .add(gatherRows(bu as Tensor2D, uIdx).reshape([n]))
                .add(gatherRows(bm as Tensor2D, mIdx).reshape([n]));
              const pred = tf
                .sigmoid(x)
                .mul(hi - lo)
                .add(lo);
              return tf.losses.meanSquaredError(y, pred) as Scalar;
            }, vars);
            const debias1 = 1 - Math.pow(mom, step),
              debias2 = 1 - Math.pow(BETA2, step);
            vars.forEach((v, i) => {
              const g = grads[v.name];
              // fast.ai order: decoupled weight decay, then the Adam step on the decayed weights.
              const decayed = cfg.wd ? v.mul(1 - lr * cfg.wd) : v;
              avg[i].assign(avg[i].mul(mom).add(g.mul(1 - mom)));
              sqr[i].assign(sqr[i].mul(BETA2).add(g.square().mul(1 - BETA2)));
              v.assign(decayed.sub(avg[i].div(sqr[i].div(debias2).sqrt().add(EPS)).mul(lr / debias1)));
            });
            return value.mul(n);
          });
          sumSq += (await batchLoss.data())[0];
          batchLoss.dispose();
          const now = performance.now();
          if (now - lastYield > 100) {
            hooks.onProgress?.(to, nTrain);
            await new Promise((res) => setImmediate(res));
            lastYield = now;
          }
        }
        const seconds = (performance.now() - t0) / 1000;
        const trainMse = sumSq / nTrain;
        if (!Number.isFinite(trainMse)) throw new TrainingDiverged(epoch, 'the training loss', cfg);
        const params = snapshot();
        const validMse = data.valid.ratings.length ? meanSquaredError(params, data.valid) : NaN;
        if (data.valid.ratings.length && !Number.isFinite(validMse)) throw new TrainingDiverged(epoch, 'the validation loss', cfg);
        const stats: EpochStats = {
          epoch,
          trainMse,
          validMse,
          validRmse: Math.sqrt(validMse),
          seconds,
          ratingsPerSecond: nTrain / Math.max(1e-9, seconds),
        };
        epochs.push(stats);
        hooks.onEpoch?.(stats);
      }
      return {
        weights: snapshot(),
        epochs,
        backend: loaded.backend,
        details: {
          optimizer: 'dense Adam (fast.ai: beta1 = one-cycle mom, beta2 0.99, eps 1e-5) + decoupled weight decay',
          batchSize: bs,
          skippedBackends: loaded.skipped,
        },
      };
    } finally {
      for (const v of [...vars, ...avg, ...sqr]) v.dispose();
    }
  }
}
