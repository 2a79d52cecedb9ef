// Folding a new user into a trained EmbeddingDotBias model: with the movie factors and
// biases fixed, find the user vector u and bias b that minimise
//   Σ_i (lo + (hi − lo)·σ(m_i·u + b + bm_i) − r_i)²  +  λ·|u|²  +  λ_b·b²
// over the user's ratings r_i of movies i (the model's own loss, plus ridge terms that
// keep a visitor with three ratings from overfitting 50 factors). Solved by
// Gauss-Newton steps, each an exact (k+1)×(k+1) ridge solve (Cholesky), with step
// halving so the objective never rises; started from the ridge solution in logit
// space. Converges to a stationary point of the objective (tested: gradient ≈ 0).
// Pure and synchronous: a visitor's few ratings cost microseconds.
import { choleskyLower } from './cholesky';

export interface FoldInProblem {
  /** n × k, row-major: the rated movies' factors. */
  factors: ArrayLike<number>;
  /** n: the rated movies' biases. */
  movieBias: ArrayLike<number>;
  /** n: the user's ratings, inside (lo, hi). */
  ratings: ArrayLike<number>;
  /** Embedding dimension k. */
  dim: number;
  /** The model's y_range. */
  yRange: readonly [number, number];
  /** Ridge weight on |u|² (> 0 keeps the system solvable with fewer ratings than factors). */
  lambda: number;
  /** Ridge weight on b² (default: lambda). */
  biasLambda?: number;
  /** Gauss-Newton steps at most (default 50). */
  maxIterations?: number;
}

export interface FoldInResult {
  vector: Float64Array;
  bias: number;
  /** The objective at the solution. */
  loss: number;
  iterations: number;
}

const sig = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Solves A x = y for a symmetric positive-definite A (n × n, row-major; A is
 * overwritten with its Cholesky factor). Throws when A is not positive definite.
 */
export function choleskySolve(a: Float64Array, y: Float64Array, n: number): Float64Array {
  if (!choleskyLower(a, n)) throw new RangeError('choleskySolve: the matrix is not positive definite');
  const x = Float64Array.from(y);
  for (let i = 0; i < n; i++) {
    let s = x[i];
    for (let p = 0; p < i; p++) s -= a[i * n + p] * x[p];
    x[i] = s / a[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let p = i + 1; p < n; p++) s -= a[p * n + i] * x[p];
    x[i] = s / a[i * n + i];
  }
  return x;
}

function checkProblem(p: FoldInProblem): void {
  const n = p.ratings.length;
  const [lo, hi] = p.yRange;
  if (!(hi > lo)) throw new RangeError(`foldInUser: yRange must be (lo, hi) with hi > lo (got ${lo}, ${hi})`);
  if (p.factors.length !== n * p.dim || p.movieBias.length !== n)
    throw new RangeError(
      `foldInUser: ${n} ratings need ${n * p.dim} factors and ${n} biases (got ${p.factors.length}, ${p.movieBias.length})`,
    );
  if (!(p.lambda > 0) || !((p.biasLambda ?? p.lambda) > 0)) throw new RangeError('foldInUser: lambda and biasLambda must be > 0');
  for (let i = 0; i < n; i++)
    if (!(p.ratings[i] > lo && p.ratings[i] < hi))
      throw new RangeError(`foldInUser: rating ${p.ratings[i]} is outside the model's y_range (${lo}, ${hi})`);
}

/** The objective, and the Gauss-Newton system (JᵀJ + Λ) and right-hand side −(Jᵀres + Λw), at w = [u, b]. */
function linearise(p: FoldInProblem, w: Float64Array, wantSystem: boolean): { loss: number; a: Float64Array; g: Float64Array } {
  const k = p.dim,
    m = k + 1,
    n = p.ratings.length;
  const [lo, hi] = p.yRange;
  const lb = p.biasLambda ?? p.lambda;
  const a = new Float64Array(wantSystem ? m * m : 0);
  const g = new Float64Array(wantSystem ? m : 0);
  const row = new Float64Array(m);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let x = w[k] + p.movieBias[i];
    for (let j = 0; j < k; j++) x += p.factors[i * k + j] * w[j];
    const s = sig(x);
    const res = lo + (hi - lo) * s - p.ratings[i];
    loss += res * res;
    if (!wantSystem) continue;
    const d = (hi - lo) * s * (1 - s);
    for (let j = 0; j < k; j++) row[j] = d * p.factors[i * k + j];
    row[k] = d;
    for (let r = 0; r < m; r++) {
      g[r] -= row[r] * res;
      for (let c = 0; c <= r; c++) a[r * m + c] += row[r] * row[c];
    }
  }
  for (let j = 0; j < k; j++) loss += p.lambda * w[j] * w[j];
  loss += lb * w[k] * w[k];
  if (wantSystem) {
    for (let r = 0; r < m; r++) for (let c = r + 1; c < m; c++) a[r * m + c] = a[c * m + r];
    for (let j = 0; j <= k; j++) {
      const l = j < k ? p.lambda : lb;
      a[j * m + j] += l;
      g[j] -= l * w[j];
    }
  }
  return { loss, a, g };
}

/** The ridge solution in logit space: the start point (exact when every σ is in its linear range). */
function logitStart(p: FoldInProblem): Float64Array {
  const k = p.dim,
    m = k + 1,
    n = p.ratings.length;
  const [lo, hi] = p.yRange;
  const lb = p.biasLambda ?? p.lambda;
  const a = new Float64Array(m * m);
  const y = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const q = (p.ratings[i] - lo) / (hi - lo);
    const z = Math.log(q / (1 - q)) - p.movieBias[i];
    for (let r = 0; r < m; r++) {
      const fr = r < k ? p.factors[i * k + r] : 1;
      y[r] += fr * z;
      for (let c = 0; c < m; c++) a[r * m + c] += fr * (c < k ? p.factors[i * k + c] : 1);
    }
  }
  for (let j = 0; j < m; j++) a[j * m + j] += j < k ? p.lambda : lb;
  return choleskySolve(a, y, m);
}

/** The user vector and bias that best explain `ratings` with the movies fixed (see the file comment). */
export function foldInUser(p: FoldInProblem): FoldInResult {
  checkProblem(p);
  const m = p.dim + 1;
  let w = logitStart(p);
  let { loss } = linearise(p, w, false);
  const max = p.maxIterations ?? 50;
  let it = 0;
  for (; it < max; it++) {
    const sys = linearise(p, w, true);
    const step = choleskySolve(sys.a, sys.g, m);
    let t = 1,
      next = w,
      nextLoss = Infinity;
    for (let h = 0; h < 30; h++, t /= 2) {
      next = w.map((v, j) => v + t * step[j]);
      nextLoss = linearise(p, next, false).loss;
      if (nextLoss <= loss) break;
    }
    if (!(nextLoss <= loss)) break;
    const moved = Math.sqrt(step.reduce((s, v) => s + v * v, 0)) * t;
    w = next;
    const gain = loss - nextLoss;
    loss = nextLoss;
    if (moved < 1e-12 || gain <= 1e-15 * Math.max(1, loss)) {
      it++;
      break;
    }
  }
  return { vector: w.subarray(0, p.dim), bias: w[p.dim], loss, iterations: it };
}

/** The objective's gradient at (vector, bias) — for tests and callers checking a solution. */
export function foldInGradient(p: FoldInProblem, vector: ArrayLike<number>, bias: number): Float64Array {
  const w = new Float64Array(p.dim + 1);
  w.set(Array.from(vector));
  w[p.dim] = bias;
  // linearise's g is −(Jᵀres + Λw) = −½∇; the gradient is −2g.
  return linearise(p, w, true).g.map((v) => -2 * v);
}
