// The audience embedding (issue 13): one vector per movie from WHO rated it,
// beside the taste vectors the rating model learns. It is the top-k right
// singular vectors V of the users x movies matrix A with entries
// value(rating) * n_u^-rowExponent (n_u = ratings of the user), computed by
// randomized subspace iteration on the movie side (Halko, Martinsson & Tropp's
// range finder with power iterations, organised so that each power step is
// ONE fused pass over the ratings: H = A^T (A Z), never storing A Z), then a
// Rayleigh-Ritz finish: G = (A Z)^T (A Z), G = W diag(lambda) W^T (cyclic
// Jacobi), V = Z W, sigma = sqrt(lambda). Choices and their measurements on
// real MovieLens are in docs/similarity.md.
//
// Orthonormalisation is CholeskyQR2 (Gram matrix, Cholesky, triangular solve,
// twice: streams the row-major block, no column access); a rank-deficient
// block (fewer independent movies or users than k + oversampling) falls back
// to modified Gram-Schmidt with re-orthogonalisation, replacing a collapsed
// column by a fresh seeded Gaussian one. Everything is float64 and seeded:
// the same input and seed give bit-identical vectors.

import { jacobiEigen } from './pca';
import { Rng } from './rng';
import { choleskyLower } from './cholesky';

/** Ratings as compressed sparse rows: row u holds entries indptr[u]..indptr[u+1]. */
export interface RatingsCsr {
  nUsers: number;
  nMovies: number;
  /** nUsers + 1 offsets, non-decreasing, indptr[0] = 0, indptr[nUsers] = nnz. */
  indptr: Int32Array;
  /** Dense movie index (0..nMovies-1) of each entry. */
  cols: Int32Array;
  /** The rating of each entry (finite, > 0). */
  values: Float32Array | Float64Array;
}

export type AudienceValues = 'rating' | 'binary';

export interface AudienceOptions {
  /** Number of factors (columns of V); default 50. */
  k?: number;
  /** Extra random directions carried along; default 10. */
  oversampling?: number;
  /** Power iterations q; default 2 (q + 1 fused passes + one Ritz pass). */
  powerIterations?: number;
  /** Row weight n_u^-rowExponent; default 0.25. */
  rowExponent?: number;
  /** Entry value before row weighting: the rating, or 1 for "rated at all"; default 'rating'. */
  values?: AudienceValues;
  seed: number;
  /** Called after each pass over the ratings (passes done, passes in all). */
  onPass?: (done: number, total: number) => void;
}

export interface AudienceEmbedding {
  /** Row-major nMovies x k, columns are right singular vectors (not scaled by sigma). */
  vectors: Float32Array;
  /** The k singular values, largest first (0 beyond the matrix's rank). */
  sigma: Float64Array;
  k: number;
}

export const AUDIENCE_DEFAULTS = {
  k: 50,
  oversampling: 10,
  powerIterations: 2,
  rowExponent: 0.25,
  values: 'rating' as AudienceValues,
};

function fail(what: string): never {
  throw new RangeError(`audienceEmbedding: ${what}`);
}

function checkInt(name: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(v) || v < min || v > max) fail(`${name} must be an integer in ${min}..${max}, got ${String(v)}`);
}

/** Validates the CSR; says which argument and index is wrong. */
export function checkRatingsCsr(csr: RatingsCsr): void {
  checkInt('nUsers', csr.nUsers, 1);
  checkInt('nMovies', csr.nMovies, 1);
  const { indptr, cols, values } = csr;
  if (indptr.length !== csr.nUsers + 1) fail(`indptr has ${indptr.length} offsets, expected nUsers + 1 = ${csr.nUsers + 1}`);
  if (indptr[0] !== 0) fail(`indptr[0] must be 0, got ${indptr[0]}`);
  for (let u = 0; u < csr.nUsers; u++) {
    if (indptr[u + 1] < indptr[u]) fail(`indptr decreases at user ${u} (${indptr[u]} -> ${indptr[u + 1]})`);
  }
  const nnz = indptr[csr.nUsers];
  if (cols.length !== nnz || values.length !== nnz) {
    fail(`indptr ends at ${nnz} entries but cols has ${cols.length} and values ${values.length}`);
  }
  for (let e = 0; e < nnz; e++) {
    const c = cols[e];
    if (!(c >= 0 && c < csr.nMovies)) fail(`cols[${e}] = ${c} is outside 0..${csr.nMovies - 1}`);
    const v = values[e];
    if (!(Number.isFinite(v) && v > 0)) fail(`values[${e}] = ${v} must be finite and > 0`);
  }
}

/** The options with their defaults, checked (a clear error names the option). */
export function resolveAudienceOptions(o: AudienceOptions) {
  const r = { ...AUDIENCE_DEFAULTS, ...o };
  checkInt('k', r.k, 1, 4096);
  checkInt('oversampling', r.oversampling, 0, 4096);
  checkInt('powerIterations', r.powerIterations, 0, 100);
  if (!(Number.isFinite(r.rowExponent) && r.rowExponent >= 0 && r.rowExponent <= 2)) {
    fail(`rowExponent must be a number in 0..2, got ${String(r.rowExponent)}`);
  }
  if (r.values !== 'rating' && r.values !== 'binary') fail(`values must be 'rating' or 'binary', got ${String(r.values)}`);
  if (!Number.isSafeInteger(r.seed)) fail(`seed must be a safe integer, got ${String(r.seed)}`);
  return r;
}

/** Entry weights w_e = value_e * n_u^-rowExponent. */
export function audienceWeights(csr: RatingsCsr, rowExponent: number, values: AudienceValues): Float64Array {
  const w = new Float64Array(csr.cols.length);
  for (let u = 0; u < csr.nUsers; u++) {
    const e0 = csr.indptr[u],
      e1 = csr.indptr[u + 1];
    if (e0 === e1) continue;
    const s = Math.pow(e1 - e0, -rowExponent);
    for (let e = e0; e < e1; e++) w[e] = values === 'binary' ? s : csr.values[e] * s;
  }
  return w;
}

interface Pass {
  indptr: Int32Array;
  cols: Int32Array;
  w: Float64Array;
  l: number;
}

/** One user's row times Z: t = sum_e w_e Z[cols_e, :]. */
function gather(p: Pass, u: number, z: Float64Array, t: Float64Array): void {
  const l = p.l;
  t.fill(0);
  for (let e = p.indptr[u], e1 = p.indptr[u + 1]; e < e1; e++) {
    const a = p.w[e],
      b = p.cols[e] * l;
    for (let c = 0; c < l; c++) t[c] += a * z[b + c];
  }
}

/** The fused power step over users [u0, u1): out += A^T (A Z). */
export function audiencePowerPass(p: Pass, z: Float64Array, out: Float64Array, u0: number, u1: number): void {
  const l = p.l,
    t = new Float64Array(l);
  for (let u = u0; u < u1; u++) {
    if (p.indptr[u] === p.indptr[u + 1]) continue;
    gather(p, u, z, t);
    for (let e = p.indptr[u], e1 = p.indptr[u + 1]; e < e1; e++) {
      const a = p.w[e],
        b = p.cols[e] * l;
      for (let c = 0; c < l; c++) out[b + c] += a * t[c];
    }
  }
}

/** The Ritz pass: G = (A Z)^T (A Z), l x l, full symmetric. */
function ritzGram(p: Pass, z: Float64Array, nUsers: number): Float64Array {
  const l = p.l,
    t = new Float64Array(l),
    g = new Float64Array(l * l);
  for (let u = 0; u < nUsers; u++) {
    if (p.indptr[u] === p.indptr[u + 1]) continue;
    gather(p, u, z, t);
    for (let i = 0; i < l; i++) {
      const ti = t[i];
      if (ti === 0) continue;
      for (let j = i, r = i * l; j < l; j++) g[r + j] += ti * t[j];
    }
  }
  for (let i = 0; i < l; i++) for (let j = 0; j < i; j++) g[i * l + j] = g[j * l + i];
  return g;
}

/** One CholeskyQR step in place on row-major n x l; false when the block is (numerically) rank-deficient. */
function choleskyQr(x: Float64Array, n: number, l: number): boolean {
  const g = new Float64Array(l * l);
  for (let r = 0, b = 0; r < n; r++, b += l) {
    for (let i = 0; i < l; i++) {
      const xi = x[b + i];
      if (xi === 0) continue;
      for (let j = i, gi = i * l; j < l; j++) g[gi + j] += xi * x[b + j];
    }
  }
  let maxDiag = 0;
  for (let i = 0; i < l; i++) maxDiag = Math.max(maxDiag, g[i * l + i]);
  // G = L Lᵀ (so R = Lᵀ): L in g's lower triangle
  if (!(maxDiag > 0) || !choleskyLower(g, l, 1e-10 * maxDiag)) return false;
  const y = new Float64Array(l);
  for (let r = 0, b = 0; r < n; r++, b += l) {
    for (let c = 0; c < l; c++) {
      let v = x[b + c];
      for (let i = 0; i < c; i++) v -= y[i] * g[c * l + i];
      y[c] = v / g[c * l + c];
    }
    x.set(y, b);
  }
  return true;
}

/** Modified Gram-Schmidt, twice per column; a collapsed column is replaced by a fresh Gaussian one. */
function gramSchmidt(x: Float64Array, n: number, l: number, rng: Rng): void {
  const colNorm = (c: number) => {
    let s = 0;
    for (let r = 0; r < n; r++) s += x[r * l + c] * x[r * l + c];
    return Math.sqrt(s);
  };
  for (let c = 0; c < l; c++) {
    for (let attempt = 0; ; attempt++) {
      const before = colNorm(c);
      for (let pass = 0; pass < 2; pass++) {
        for (let p = 0; p < c; p++) {
          let d = 0;
          for (let r = 0; r < n; r++) d += x[r * l + p] * x[r * l + c];
          for (let r = 0; r < n; r++) x[r * l + c] -= d * x[r * l + p];
        }
      }
      const after = colNorm(c);
      if (after > 1e-8 * before && after > 0) {
        for (let r = 0; r < n; r++) x[r * l + c] /= after;
        break;
      }
      if (attempt > 10) fail(`cannot orthonormalise column ${c} of a ${n} x ${l} block`);
      for (let r = 0; r < n; r++) x[r * l + c] = rng.normal();
    }
  }
}

/** Orthonormal columns spanning x (in place): CholeskyQR2, or Gram-Schmidt when rank-deficient. */
export function orthonormalize(x: Float64Array, n: number, l: number, rng: Rng): 'cholesky' | 'gram-schmidt' {
  const copy = x.slice();
  if (choleskyQr(x, n, l) && choleskyQr(x, n, l)) return 'cholesky';
  x.set(copy);
  gramSchmidt(x, n, l, rng);
  return 'gram-schmidt';
}

/** Each column's largest-|value| entry positive (near-ties within 1e-12: the lowest row wins). */
function fixSigns(v: Float32Array, n: number, k: number): void {
  for (let c = 0; c < k; c++) {
    let maxAbs = 0;
    for (let r = 0; r < n; r++) maxAbs = Math.max(maxAbs, Math.abs(v[r * k + c]));
    let sign = 1;
    for (let r = 0; r < n; r++) {
      if (Math.abs(v[r * k + c]) >= maxAbs - 1e-12) {
        sign = v[r * k + c] < 0 ? -1 : 1;
        break;
      }
    }
    if (sign < 0) for (let r = 0; r < n; r++) v[r * k + c] = -v[r * k + c];
  }
}

/** V = Z W[:, order[0..kEff)], sigma = sqrt(lambda); columns kEff..k stay zero. */
function ritzVectors(z: Float64Array, g: Float64Array, n: number, l: number, k: number): AudienceEmbedding {
  const { values, vectors: w } = jacobiEigen(g, l);
  const order = Array.from({ length: l }, (_, i) => i).sort((a, b) => values[b] - values[a] || a - b);
  const kEff = Math.min(k, l);
  const v = new Float32Array(n * k);
  const sigma = new Float64Array(k);
  for (let c = 0; c < kEff; c++) sigma[c] = Math.sqrt(Math.max(values[order[c]], 0));
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < kEff; c++) {
      const col = order[c];
      let s = 0;
      for (let i = 0; i < l; i++) s += z[r * l + i] * w[i * l + col];
      v[r * k + c] = s;
    }
  }
  fixSigns(v, n, kEff);
  return { vectors: v, sigma, k };
}

/** The two passes over the matrix (z and out are row-major n x l float64). */
export interface SvdPasses {
  /** out = A^T (A z). */
  power(z: Float64Array, out: Float64Array): void;
  /** (A z)^T (A z), l x l. */
  ritz(z: Float64Array): Float64Array;
}

export interface RandomizedSvdOptions {
  k: number;
  oversampling: number;
  powerIterations: number;
  seed: number;
  onPass?: (done: number, total: number) => void;
  /** Other passes than the TypeScript float64 ones (./audience-kernel.ts: WebAssembly SIMD). */
  passes?: SvdPasses;
}

/** The reference passes: plain TypeScript, float64. */
export function typeScriptPasses(csr: Omit<RatingsCsr, 'values'>, weights: Float64Array, l: number): SvdPasses {
  const p: Pass = { indptr: csr.indptr, cols: csr.cols, w: weights, l };
  return {
    power: (z, out) => {
      out.fill(0);
      audiencePowerPass(p, z, out, 0, csr.nUsers);
    },
    ritz: (z) => ritzGram(p, z, csr.nUsers),
  };
}

/**
 * Top-k right singular vectors and values of the sparse matrix whose row u
 * holds weights[e] at column cols[e] (e in indptr[u]..indptr[u+1]), by
 * randomized subspace iteration on the column side. The weights may have any
 * sign; `audienceEmbedding` is the checked entry point for ratings.
 */
export function randomizedSvdCsr(csr: Omit<RatingsCsr, 'values'>, weights: Float64Array, o: RandomizedSvdOptions): AudienceEmbedding {
  const n = csr.nMovies;
  const l = Math.min(o.k + o.oversampling, n, csr.nUsers);
  const rng = new Rng(o.seed);
  const passes = o.passes ?? typeScriptPasses(csr, weights, l);
  let z = new Float64Array(n * l);
  for (let i = 0; i < z.length; i++) z[i] = rng.normal();
  orthonormalize(z, n, l, rng);
  const total = o.powerIterations + 2;
  for (let it = 0; it <= o.powerIterations; it++) {
    const h = new Float64Array(n * l);
    passes.power(z, h);
    orthonormalize(h, n, l, rng);
    z = h;
    o.onPass?.(it + 1, total);
  }
  const g = passes.ritz(z);
  o.onPass?.(total, total);
  return ritzVectors(z, g, n, l, o.k);
}

/**
 * The audience embedding of the movies (columns) of `csr`: the top-k right
 * singular vectors of the row-weighted ratings matrix, seeded and deterministic.
 */
export function audienceEmbedding(csr: RatingsCsr, options: AudienceOptions): AudienceEmbedding {
  checkRatingsCsr(csr);
  const o = resolveAudienceOptions(options);
  return randomizedSvdCsr(csr, audienceWeights(csr, o.rowExponent, o.values), o);
}

/**
 * CSR of ratings given as parallel arrays of dense user and movie indices
 * (a counting sort by user; entries keep their input order within a user).
 */
export function ratingsCsr(
  users: Int32Array,
  movies: Int32Array,
  ratings: Float32Array | Float64Array,
  nUsers: number,
  nMovies: number,
): RatingsCsr {
  if (users.length !== movies.length || users.length !== ratings.length) {
    fail(`users (${users.length}), movies (${movies.length}) and ratings (${ratings.length}) must have the same length`);
  }
  checkInt('nUsers', nUsers, 1);
  const indptr = new Int32Array(nUsers + 1);
  for (let i = 0; i < users.length; i++) {
    const u = users[i];
    if (!(u >= 0 && u < nUsers)) fail(`users[${i}] = ${u} is outside 0..${nUsers - 1}`);
    indptr[u + 1]++;
  }
  for (let u = 0; u < nUsers; u++) indptr[u + 1] += indptr[u];
  const next = indptr.slice(0, nUsers);
  const cols = new Int32Array(users.length);
  const values = new Float32Array(users.length);
  for (let i = 0; i < users.length; i++) {
    const e = next[users[i]]++;
    cols[e] = movies[i];
    values[e] = ratings[i];
  }
  return { nUsers, nMovies, indptr, cols, values };
}
