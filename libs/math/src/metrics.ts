// Quality metrics and the model's output squashing, shared by the trainer's
// epoch reports, the ONNX scorer check and the neighbour-search benchmarks.

function checkPair(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length) throw new RangeError(`${what}: ${a.length} predictions but ${b.length} targets`);
  if (a.length === 0) throw new RangeError(`${what}: no values to compare`);
}

/** Mean squared error: mean of (predicted - actual)^2. */
export function mse(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  checkPair(predicted, actual, 'mse');
  let s = 0;
  for (let i = 0; i < predicted.length; i++) {
    const e = predicted[i] - actual[i];
    s += e * e;
  }
  return s / predicted.length;
}

/** Root mean squared error, sqrt(mse). */
export function rmse(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  return Math.sqrt(mse(predicted, actual));
}

/**
 * Recall@k: the share of the true neighbours that the predicted list found,
 * |set(predicted) ∩ set(truth)| / |set(truth)|. Pass the first k of each list
 * (e.g. HNSW's answer vs the exact top k). Duplicates count once.
 */
export function recallAtK(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  const want = new Set<number>();
  for (let i = 0; i < truth.length; i++) want.add(truth[i]);
  if (want.size === 0) throw new RangeError('recallAtK: the truth list is empty, so recall is undefined');
  const found = new Set<number>();
  for (let i = 0; i < predicted.length; i++) if (want.has(predicted[i])) found.add(predicted[i]);
  return found.size / want.size;
}

/** Logistic function 1 / (1 + e^-x), without overflow for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** fast.ai `SigmoidRange(lo, hi)`: sigmoid(x) * (hi - lo) + lo, e.g. y_range (0, 5.5). */
export function sigmoidRange(x: number, lo: number, hi: number): number {
  return sigmoid(x) * (hi - lo) + lo;
}
