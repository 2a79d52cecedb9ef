// Hyper-parameters of the EmbeddingDotBias model (docs/trainer.md "Model"), with the
// defaults of fast.ai's collab_learner(use_nn=False) + fit_one_cycle used by the
// seed blog, and their one set of bounds. Each field is a flag of `npm run train`
// (y_range aside); messages name the flag.
import { checkInteger, describeValue } from './validation';

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

/** How each parameter is named in messages: the `npm run train` flag (y_range has none: fast.ai's name). */
export const MODEL_FLAGS: Readonly<Record<keyof ModelParams, string>> = Object.freeze({
  factors: '--factors',
  epochs: '--epochs',
  lr: '--lr',
  wd: '--wd',
  yRange: 'y_range',
  validPct: '--valid-pct',
  seed: '--seed',
  batchSize: '--batch-size',
});

/**
 * The one set of bounds on the model's hyper-parameters (the trainer's CLI and
 * runTraining() check them here). Wide on purpose: they refuse what cannot train
 * (no factors, a zero or negative rate, a batch past what the engines address), not
 * what merely trains badly. The seed is any safe integer (Rng folds it to 64 bits).
 */
export const MODEL_PARAM_BOUNDS = Object.freeze({
  factors: [1, 2000],
  epochs: [1, 1000],
  /** Exclusive at both ends. */
  lr: [0, 10],
  /** Inclusive at 0, exclusive at the top. */
  wd: [0, 100],
  batchSize: [1, 1 << 22],
} as const);

/** Every problem with `p`, one message each naming the flag; [] when valid. */
export function validateModelParams(p: ModelParams): string[] {
  const b = MODEL_PARAM_BOUNDS;
  const [lo, hi] = Array.isArray(p.yRange) ? p.yRange : [NaN, NaN];
  const errors = [
    checkInteger(MODEL_FLAGS.factors, p.factors, ...b.factors),
    checkInteger(MODEL_FLAGS.epochs, p.epochs, ...b.epochs),
    isNumber(p.lr) && p.lr > b.lr[0] && p.lr < b.lr[1]
      ? null
      : `${MODEL_FLAGS.lr} must be a number above ${b.lr[0]} and below ${b.lr[1]}, e.g. 5e-3 (got ${describeValue(p.lr)})`,
    isNumber(p.wd) && p.wd >= b.wd[0] && p.wd < b.wd[1]
      ? null
      : `${MODEL_FLAGS.wd} must be a number from ${b.wd[0]} up to (not including) ${b.wd[1]}, e.g. 0.1 (got ${describeValue(p.wd)})`,
    Number.isFinite(lo) && Number.isFinite(hi) && lo < hi
      ? null
      : `${MODEL_FLAGS.yRange} must be two numbers lo < hi, e.g. 0,5.5 (got ${describeValue(p.yRange)})`,
    isNumber(p.validPct) && p.validPct > 0 && p.validPct < 1
      ? null
      : `${MODEL_FLAGS.validPct} must be a fraction above 0 and below 1, e.g. 0.2 (got ${describeValue(p.validPct)})`,
    checkInteger(MODEL_FLAGS.seed, p.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a whole number, e.g. 42'),
    checkInteger(MODEL_FLAGS.batchSize, p.batchSize, ...b.batchSize),
  ];
  return errors.filter((e): e is string => e !== null);
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
