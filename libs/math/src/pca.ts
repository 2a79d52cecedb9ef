// Principal component analysis for the embedding plots (pc1..pc3 per movie)
// and the PCA projection query. Centred, not scaled, like ml-pca's default.
//
// Own implementation rather than wrapping ml-pca: the trainer's input is
// ~86k x 50 Float32Array, and ml-pca's default SVD copies it into a JS
// Matrix of arrays and decomposes the whole n x d matrix. Here the d x d
// covariance is accumulated in one pass over the typed array (n*d^2/2
// multiply-adds) and diagonalised with cyclic Jacobi (d = 50: microseconds).
// The spec checks components and variances against ml-pca; measured speed on
// 86k x 50 is in README.md.
//
// Variances use the n-1 (sample) denominator, as ml-pca and numpy.cov do.
// Component signs are made deterministic: each component's largest-|value|
// coordinate is positive (near-ties within 1e-12: the lowest index wins).

export interface PcaJSON {
  name: 'Pca';
  dim: number;
  nComponents: number;
  rows: number;
  mean: number[];
  /** Row-major nComponents x dim. */
  components: number[];
  /** Variance along each kept component (eigenvalues), largest first. */
  variances: number[];
  /** Sum of the variances of all dim directions (trace of the covariance). */
  totalVariance: number;
}

type Matrix = Float32Array | Float64Array;

/**
 * Eigen-decomposition of a symmetric d x d matrix (row-major, overwritten) by
 * cyclic Jacobi rotations. Returns eigenvalues on the diagonal of `a` and
 * eigenvectors as the columns of the returned matrix.
 */
export function jacobiEigen(a: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  let scale = 0;
  for (let i = 0; i < d * d; i++) scale += a[i] * a[i];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q] * a[p * d + q];
    if (off <= 1e-30 * scale || off === 0) break;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (apq === 0) continue;
        // rotation angle that zeroes a[p][q] (Numerical Recipes' stable form)
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1),
          s = t * c;
        for (let k = 0; k < d; k++) {
          // A <- A J (columns p, q)
          const akp = a[k * d + p],
            akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          // A <- J^T A (rows p, q)
          const apk = a[p * d + k],
            aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          // V <- V J
          const vkp = v[k * d + p],
            vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(d);
  for (let i = 0; i < d; i++) values[i] = a[i * d + i];
  return { values, vectors: v };
}

function checkInput(matrix: Matrix, rows: number, dim: number, what: string): void {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`${what}: dim must be a positive integer, got ${String(dim)}`);
  if (!Number.isInteger(rows) || rows < 0) throw new RangeError(`${what}: rows must be a non-negative integer, got ${String(rows)}`);
  if (matrix.length < rows * dim) {
    throw new RangeError(`${what}: matrix has ${matrix.length} values, fewer than rows*dim = ${rows}*${dim}`);
  }
}

export class Pca {
  private constructor(
    readonly dim: number,
    readonly nComponents: number,
    readonly rows: number,
    /** Column means subtracted before projecting. */
    readonly mean: Float64Array,
    /** Row-major nComponents x dim, unit length, largest variance first. */
    readonly components: Float64Array,
    private readonly variances: Float64Array,
    readonly totalVariance: number,
  ) {}

  /**
   * Fits on a row-major matrix (rows x dim), keeping the `nComponents`
   * directions of largest variance (default: all `dim`).
   */
  static fit(matrix: Matrix, rows: number, dim: number, nComponents = dim): Pca {
    checkInput(matrix, rows, dim, 'Pca.fit');
    if (rows < 2) throw new RangeError(`Pca.fit: needs at least 2 rows to measure variance, got ${rows}`);
    if (!Number.isInteger(nComponents) || nComponents < 1 || nComponents > dim) {
      throw new RangeError(`Pca.fit: nComponents must be an integer in 1..dim (${dim}), got ${String(nComponents)}`);
    }
    const mean = new Float64Array(dim);
    for (let r = 0, o = 0; r < rows; r++, o += dim) for (let j = 0; j < dim; j++) mean[j] += matrix[o + j];
    for (let j = 0; j < dim; j++) mean[j] /= rows;

    // Upper triangle of X_c^T X_c, one pass, one reusable row buffer.
    const cov = new Float64Array(dim * dim);
    const x = new Float64Array(dim);
    for (let r = 0, o = 0; r < rows; r++, o += dim) {
      for (let j = 0; j < dim; j++) x[j] = matrix[o + j] - mean[j];
      for (let i = 0; i < dim; i++) {
        const xi = x[i];
        if (xi === 0) continue;
        const base = i * dim;
        for (let j = i; j < dim; j++) cov[base + j] += xi * x[j];
      }
    }
    let trace = 0;
    for (let i = 0; i < dim; i++) {
      for (let j = i; j < dim; j++) {
        const c = cov[i * dim + j] / (rows - 1);
        cov[i * dim + j] = c;
        cov[j * dim + i] = c;
      }
      trace += cov[i * dim + i];
    }

    const { values, vectors } = jacobiEigen(cov, dim);
    const order = Array.from({ length: dim }, (_, i) => i).sort((a, b) => values[b] - values[a] || a - b);
    const components = new Float64Array(nComponents * dim);
    const variances = new Float64Array(nComponents);
    for (let c = 0; c < nComponents; c++) {
      const col = order[c];
      variances[c] = Math.max(0, values[col]); // round-off can leave -1e-17
      let maxAbs = 0;
      for (let j = 0; j < dim; j++) maxAbs = Math.max(maxAbs, Math.abs(vectors[j * dim + col]));
      let sign = 1;
      for (let j = 0; j < dim; j++) {
        const vj = vectors[j * dim + col];
        if (Math.abs(vj) >= maxAbs - 1e-12) {
          sign = vj < 0 ? -1 : 1;
          break;
        }
      }
      for (let j = 0; j < dim; j++) components[c * dim + j] = sign * vectors[j * dim + col];
    }
    return new Pca(dim, nComponents, rows, mean, components, variances, Math.max(0, trace));
  }

  /** Rebuilds a fitted model saved with `toJSON()`. */
  static fromJSON(json: PcaJSON): Pca {
    if (json?.name !== 'Pca') throw new TypeError(`Pca.fromJSON: not a saved Pca model (name is ${String(json?.name)})`);
    const { dim, nComponents } = json;
    if (json.mean.length !== dim || json.components.length !== dim * nComponents || json.variances.length !== nComponents) {
      throw new RangeError(`Pca.fromJSON: sizes do not match dim=${dim}, nComponents=${nComponents}`);
    }
    return new Pca(
      dim,
      nComponents,
      json.rows,
      Float64Array.from(json.mean),
      Float64Array.from(json.components),
      Float64Array.from(json.variances),
      json.totalVariance,
    );
  }

  /**
   * Coordinates of each row along the kept components: a new row-major
   * Float32Array (rows x nComponents), e.g. pc1, pc2, pc3 per movie.
   */
  project(matrix: Matrix, rows: number): Float32Array {
    checkInput(matrix, rows, this.dim, 'Pca.project');
    const d = this.dim,
      k = this.nComponents,
      comp = this.components,
      mean = this.mean;
    const out = new Float32Array(rows * k);
    const x = new Float64Array(d);
    for (let r = 0, o = 0; r < rows; r++, o += d) {
      for (let j = 0; j < d; j++) x[j] = matrix[o + j] - mean[j];
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += x[j] * comp[c * d + j];
        out[r * k + c] = s;
      }
    }
    return out;
  }

  /** Component `c` (0-based) as a view of length dim. */
  component(c: number): Float64Array {
    return this.components.subarray(c * this.dim, (c + 1) * this.dim);
  }

  /** Variance along each kept component (the covariance eigenvalues), largest first. */
  explainedVariance(): Float64Array {
    return this.variances.slice();
  }

  /** Share of the total variance each kept component explains (sums to 1 when all are kept). */
  explainedVarianceRatio(): Float64Array {
    const t = this.totalVariance;
    return this.variances.map((v) => (t > 0 ? v / t : 0));
  }

  toJSON(): PcaJSON {
    return {
      name: 'Pca',
      dim: this.dim,
      nComponents: this.nComponents,
      rows: this.rows,
      mean: Array.from(this.mean),
      components: Array.from(this.components),
      variances: Array.from(this.variances),
      totalVariance: this.totalVariance,
    };
  }
}
