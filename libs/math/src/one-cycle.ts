// The one-cycle learning-rate / momentum schedule of fast.ai v2
// `Learner.fit_one_cycle`, so the trainer reproduces the seed blog's runs.
//
// fast.ai (fastai/callback/schedule.py):
//   fit_one_cycle(n_epoch, lr_max, div=25., div_final=1e5, pct_start=0.25,
//                 moms=(0.95,0.85,0.95))
//   lr  = combined_cos(pct_start, lr_max/div, lr_max, lr_max/div_final)
//   mom = combined_cos(pct_start, *moms)
//   combined_cos(pct, start, middle, end) =
//       combine_scheds([pct, 1-pct], [SchedCos(start, middle), SchedCos(middle, end)])
//   SchedCos(start, end)(pos) = start + (1 + cos(pi*(1-pos))) * (end-start)/2
// ParamScheduler.before_batch sets the hypers from `pct_train`, which is 0 at
// the first batch and grows by 1/(n_epoch*n_iter) after each training batch:
// position = step / totalSteps with step counted from 0. combine_scheds picks
// the last phase whose start <= pos, so pos == pct_start is phase 2 at 0 (lr_max).
// fast.ai evaluates the phase position in float32 (a torch tensor); we use
// float64, a relative difference below 1e-6.
//
// "mom" is Adam's beta1 in the trainer (fast.ai maps mom to beta1 for Adam).

export interface OneCycleOptions {
  /** Peak learning rate (fast.ai `lr_max`). */
  lrMax: number;
  /** Number of optimiser steps in the whole fit (epochs x batches per epoch). */
  totalSteps: number;
  /** Fraction of steps spent warming up (default 0.25). */
  pctStart?: number;
  /** Initial lr = lrMax / div (default 25). */
  div?: number;
  /** Final lr = lrMax / divFinal (default 1e5). */
  divFinal?: number;
  /** Momentum (beta1) at start, at the peak, at the end (default [0.95, 0.85, 0.95]). */
  moms?: readonly [number, number, number];
}

export interface OneCycleValues {
  lr: number;
  mom: number;
}

/** fast.ai `SchedCos(start, end)(pos)`: half a cosine from start (pos 0) to end (pos 1). */
export function schedCos(start: number, end: number, pos: number): number {
  return start + ((1 + Math.cos(Math.PI * (1 - pos))) * (end - start)) / 2;
}

/** fast.ai `combined_cos(pct, start, middle, end)` at position `pos` in [0, 1]. */
export function combinedCos(pct: number, start: number, middle: number, end: number, pos: number): number {
  // phase 1 exists only when pct > 0; pos >= pct belongs to phase 2 (as in combine_scheds)
  if (pos < pct) return schedCos(start, middle, pos / pct);
  return schedCos(middle, end, pct >= 1 ? 1 : (pos - pct) / (1 - pct));
}

/**
 * Builds the schedule. The returned function takes the 0-based optimiser
 * step (the batch about to run) and gives the lr and momentum to use for it.
 * Steps past `totalSteps` are clamped to the end values.
 */
export function oneCycle(options: OneCycleOptions): (step: number) => OneCycleValues {
  const { lrMax, totalSteps, pctStart = 0.25, div = 25, divFinal = 1e5, moms = [0.95, 0.85, 0.95] } = options;
  if (!(lrMax > 0) || !Number.isFinite(lrMax))
    throw new RangeError(`oneCycle: lrMax must be a positive number (e.g. --lr 5e-3), got ${String(lrMax)}`);
  if (!Number.isInteger(totalSteps) || totalSteps < 1)
    throw new RangeError(`oneCycle: totalSteps must be a positive integer, got ${String(totalSteps)}`);
  if (!(pctStart >= 0 && pctStart <= 1)) throw new RangeError(`oneCycle: pctStart must be in [0, 1], got ${String(pctStart)}`);
  if (!(div > 0) || !(divFinal > 0))
    throw new RangeError(`oneCycle: div and divFinal must be positive, got div=${div}, divFinal=${divFinal}`);
  const lrStart = lrMax / div,
    lrEnd = lrMax / divFinal;
  const [m0, m1, m2] = moms;
  return (step: number) => {
    const pos = Math.min(1, Math.max(0, step / totalSteps));
    return {
      lr: combinedCos(pctStart, lrStart, lrMax, lrEnd, pos),
      mom: combinedCos(pctStart, m0, m1, m2, pos),
    };
  };
}
