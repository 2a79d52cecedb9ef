// Training options: the CLI flags, their defaults (fast.ai's, as in the seed blog:
// collab_learner(n_factors=50, y_range=(0, 5.5)), fit_one_cycle(5, 5e-3, wd=0.1), bs=64)
// and their validation with messages that name the flag: the model's hyper-parameters
// against the domain's one set of bounds (validateModelParams), the engine's own
// choices (engine, backend, kernel, threads, keep-runs) here.
import { availableParallelism } from 'node:os';
import { DEFAULT_BLEND_WEIGHT, DEFAULT_MODEL_PARAMS, validateModelParams } from '@cinemap/domain';
import { AUDIENCE_DEFAULTS } from '@cinemap/math';
import type { BackendName } from './engines/types';

export interface TrainOptions {
  factors: number;
  epochs: number;
  lr: number;
  wd: number;
  /**
   * fast.ai batch size: tfjs steps on batches of this size; native emulates its
   * decay/second-moment clock. 'auto' = autoBatchSize(training ratings).
   */
  batchSize: number | 'auto';
  validPct: number;
  seed: number;
  engine: 'auto' | 'native' | 'tfjs';
  backend: 'auto' | BackendName;
  threads: number;
  /** Native engine inner loop: the WASM SIMD kernel or the TypeScript one (same optimizer). */
  kernel: 'wasm' | 'ts';
  onnxOut?: string;
  /** Also write the train/valid split (dense indices) to this file, for the fast.ai reference. */
  exportSplit?: string;
  yRange: readonly [number, number];
  /** Keep only the newest N runs (older inactive runs are deleted); 0 keeps every run. */
  keepRuns: number;
  /** Width of the audience embedding (docs/similarity.md). */
  audienceFactors: number;
  /** Taste's weight in the BLEND basis, 0..1. */
  blendWeight: number;
}

// fast.ai's model defaults come from the domain (one source of truth); the batch size
// is the one that differs here ('auto', see autoBatchSize below).
const { factors, epochs, lr, wd, validPct, seed, yRange } = DEFAULT_MODEL_PARAMS;

export const DEFAULT_OPTIONS: TrainOptions = {
  factors,
  epochs,
  lr,
  wd,
  batchSize: 'auto',
  validPct,
  seed,
  engine: 'auto',
  backend: 'auto',
  kernel: 'wasm',
  threads: Math.max(1, Math.min(2, availableParallelism())),
  yRange,
  keepRuns: 0,
  audienceFactors: AUDIENCE_DEFAULTS.k,
  blendWeight: DEFAULT_BLEND_WEIGHT,
};

export function resolveOptions(partial: Partial<TrainOptions> = {}): TrainOptions {
  const o: TrainOptions = { ...DEFAULT_OPTIONS, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
  // 'auto' is resolved once the data is read (autoBatchSize); any batch it picks is in bounds.
  const problems = validateModelParams({ ...o, batchSize: o.batchSize === 'auto' ? DEFAULT_MODEL_PARAMS.batchSize : o.batchSize });
  const fail = (flag: string, why: string) => problems.push(`Invalid ${flag}: ${why}`);
  if (!['auto', 'native', 'tfjs'].includes(o.engine)) fail('--engine', `expected auto, native or tfjs, got ${o.engine}`);
  if (!['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'].includes(o.backend))
    fail('--backend', `expected auto, tensorflow-gpu, tensorflow, wasm or cpu, got ${o.backend}`);
  if (!['wasm', 'ts'].includes(o.kernel)) fail('--kernel', `expected wasm or ts, got ${o.kernel}`);
  if (!Number.isInteger(o.threads) || o.threads < 1 || o.threads > 256) fail('--threads', `expected an integer 1..256, got ${o.threads}`);
  if (!Number.isInteger(o.keepRuns) || o.keepRuns < 0) fail('--keep-runs', `expected an integer >= 0, got ${o.keepRuns}`);
  if (!Number.isInteger(o.audienceFactors) || o.audienceFactors < 1 || o.audienceFactors > 1000)
    fail('--audience-factors', `expected an integer 1..1000, got ${o.audienceFactors}`);
  if (!(o.blendWeight >= 0 && o.blendWeight <= 1)) fail('--blend-weight', `expected a number in 0..1, got ${o.blendWeight}`);
  if (problems.length) throw new RangeError(problems.join('\n'));
  return o;
}

/** fast.ai's lr/wd defaults were tuned on MovieLens-100k: 80k training ratings = 1,250 batches of 64 per epoch. */
export const FASTAI_BATCHES_PER_EPOCH = 1250;

/**
 * The batch size `--batch-size auto` picks: fast.ai's 64 up to ~100k training ratings
 * (identical to fast.ai on ml-100k, ml-latest-small and the `small` dump), beyond it
 * the power of two nearest to nTrain / 1,250. Why: fast.ai's decoupled weight decay
 * shrinks EVERY row by (1 - lr*wd) per batch, so at bs 64 the shrinkage per epoch grows
 * with the data (27M ratings: 420k batches, e^-100 for a row rated a few times) and
 * the model loses to the biases-only baseline (measured: valid RMSE 0.904 vs 0.816 on a
 * 3M-rating slice of the `latest` dump; 0.659 at bs 2400). Keeping the number of
 * batches per epoch at fast.ai's keeps lr and wd meaning what they mean there.
 */
export function autoBatchSize(nTrain: number): number {
  return Math.max(64, 2 ** Math.round(Math.log2(Math.max(1, nTrain) / FASTAI_BATCHES_PER_EPOCH)));
}

export function resolveBatchSize(batchSize: number | 'auto', nTrain: number): number {
  return batchSize === 'auto' ? autoBatchSize(nTrain) : batchSize;
}
