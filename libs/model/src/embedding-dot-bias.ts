// The model both engines train: fast.ai's EmbeddingDotBias (collab_learner, use_nn=False).
//   pred(u, m) = sigmoid(U[u]·M[m] + bu[u] + bm[m]) * (hi - lo) + lo
// Parameters live in flat Float32Arrays (row-major, k values per row) so the native
// engine can share them with worker threads and the exporters can read them as-is.
import { Rng } from '@cinemap/math';

export interface ModelWeights {
  nUsers: number;
  nMovies: number;
  factors: number;
  /** User factors, nUsers × factors, row-major. */
  userFactors: Float32Array;
  movieFactors: Float32Array;
  userBias: Float32Array;
  movieBias: Float32Array;
  yRange: readonly [number, number];
}

/** Allocates parameters, on SharedArrayBuffers when `shared` (worker threads update them in place). */
export function allocateWeights(
  nUsers: number,
  nMovies: number,
  factors: number,
  yRange: readonly [number, number],
  shared = false,
): ModelWeights {
  const f32 = (n: number) => (shared ? new Float32Array(new SharedArrayBuffer(n * 4)) : new Float32Array(n));
  return {
    nUsers,
    nMovies,
    factors,
    userFactors: f32(nUsers * factors),
    movieFactors: f32(nMovies * factors),
    userBias: f32(nUsers),
    movieBias: f32(nMovies),
    yRange,
  };
}

/**
 * fast.ai's initialisation of every embedding (factors and biases alike):
 * trunc_normal_(std=0.01), i.e. normal().fmod(2) * 0.01.
 */
export function initWeights(p: ModelWeights, seed: number): void {
  const rng = new Rng(seed).fork(0x1417);
  for (const a of [p.userFactors, p.movieFactors, p.userBias, p.movieBias]) {
    for (let i = 0; i < a.length; i++) a[i] = (rng.normal() % 2) * 0.01;
  }
}

/** One prediction (float64 arithmetic on float32 parameters). */
export function predict(p: ModelWeights, u: number, m: number): number {
  const k = p.factors;
  const uo = u * k,
    mo = m * k;
  let x = p.userBias[u] + p.movieBias[m];
  for (let j = 0; j < k; j++) x += p.userFactors[uo + j] * p.movieFactors[mo + j];
  const [lo, hi] = p.yRange;
  return (hi - lo) / (1 + Math.exp(-x)) + lo;
}

export interface RatingSet {
  /** Dense user indices. */
  users: Int32Array;
  movies: Int32Array;
  ratings: Float32Array;
}

/** Mean squared error of the model on a rating set. */
export function meanSquaredError(p: ModelWeights, s: RatingSet): number {
  let sum = 0;
  for (let i = 0; i < s.ratings.length; i++) {
    const e = predict(p, s.users[i], s.movies[i]) - s.ratings[i];
    sum += e * e;
  }
  return s.ratings.length ? sum / s.ratings.length : NaN;
}

/** True when every parameter is finite (the run stops with a message otherwise). */
export function weightsFinite(p: ModelWeights): boolean {
  for (const a of [p.userBias, p.movieBias, p.userFactors, p.movieFactors]) {
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  }
  return true;
}
