// Hyper-parameters of the EmbeddingDotBias model (DESIGN.md "Model"), with the
// defaults of fast.ai's collab_learner(use_nn=False) + fit_one_cycle used by the
// seed blog. Each field is a flag of `npm run train`; messages name the flag.
import { checkInteger, checkNumber, describeValue } from './validation';

export interface ModelParams {
  /** Embedding width n (movie_embeddings.embedding is vector(n)). */
  factors: number;
  epochs: number;
  /** Peak learning rate of the one-cycle schedule. */
  lr: number;
  /** Decoupled (AdamW-style) weight decay. */
  wd: number;
  /** Predictions are sigmoid(...) * (hi - lo) + lo; fast.ai's (0, 5.5) lets 5.0 be reached. */
  yRange: readonly [lo: number, hi: number];
  /** Share of ratings held out for validation. */
  validPct: number;
  /** Seed of the validation split and the initialisation. */
  seed: number;
  /**
   * Ratings per step. 64 is fast.ai's default (CollabDataLoaders bs=64); engines
   * may choose larger batches for speed when told, at some cost in quality.
   */
  batchSize: number;
}

export const DEFAULT_MODEL_PARAMS: Readonly<ModelParams> = Object.freeze({
  factors: 50,
  epochs: 5,
  lr: 5e-3,
  wd: 0.1,
  yRange: Object.freeze([0, 5.5]) as readonly [number, number],
  validPct: 0.2,
  seed: 42,
  batchSize: 64,
});

export const MODEL_FLAGS: Readonly<Record<keyof ModelParams, string>> = Object.freeze({
  factors: '--factors',
  epochs: '--epochs',
  lr: '--lr',
  wd: '--wd',
  yRange: '--y-range',
  validPct: '--valid-pct',
  seed: '--seed',
  batchSize: '--batch-size',
});

/** Every problem with `p`, one message each naming the flag; [] when valid. */
export function validateModelParams(p: ModelParams): string[] {
  const [lo, hi] = Array.isArray(p.yRange) ? p.yRange : [NaN, NaN];
  const errors = [
    checkInteger(MODEL_FLAGS.factors, p.factors, 1, 2000),
    checkInteger(MODEL_FLAGS.epochs, p.epochs, 1, 1000),
    checkNumber(MODEL_FLAGS.lr, p.lr, Number.MIN_VALUE, 10, 'a number above 0 and at most 10, e.g. 5e-3'),
    checkNumber(MODEL_FLAGS.wd, p.wd, 0, 10),
    Number.isFinite(lo) && Number.isFinite(hi) && lo < hi
      ? null
      : `${MODEL_FLAGS.yRange} must be two numbers lo < hi, e.g. 0,5.5 (got ${describeValue(p.yRange)})`,
    typeof p.validPct === 'number' && p.validPct > 0 && p.validPct < 1
      ? null
      : `${MODEL_FLAGS.validPct} must be a fraction above 0 and below 1, e.g. 0.2 (got ${describeValue(p.validPct)})`,
    checkInteger(MODEL_FLAGS.seed, p.seed, 0, 0xffffffff, 'a whole number from 0 to 4294967295'),
    checkInteger(MODEL_FLAGS.batchSize, p.batchSize, 1, 1 << 24),
  ];
  return errors.filter((e): e is string => e !== null);
}
