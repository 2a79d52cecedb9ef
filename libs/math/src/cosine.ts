// Vector helpers for embeddings: dot products, norms, row normalisation and
// cosine similarity. Matrices are row-major Float32Array (rows x dim), the
// layout the trainer writes and the gateway keeps in memory. Sums run in
// float64 so results do not depend on the storage precision.

/** Any numeric vector: plain array or typed array. */
export type Vector = ArrayLike<number>;

function checkSameLength(a: Vector, b: Vector, what: string): void {
  if (a.length !== b.length) {
    throw new RangeError(`${what}: vectors differ in length (${a.length} vs ${b.length})`);
  }
}

/** a · b */
export function dot(a: Vector, b: Vector): number {
  checkSameLength(a, b, 'dot');
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Euclidean length ||a||. */
export function norm(a: Vector): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/**
 * Cosine similarity a·b / (||a|| ||b||). Zero vectors have no direction; their
 * similarity to anything is defined as 0 rather than NaN so one empty
 * embedding cannot poison a ranking.
 */
export function cosine(a: Vector, b: Vector): number {
  checkSameLength(a, b, 'cosine');
  let ab = 0,
    aa = 0,
    bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i],
      y = b[i];
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  if (aa === 0 || bb === 0) return 0;
  return ab / Math.sqrt(aa * bb);
}

function checkMatrix(matrix: ArrayLike<number>, rows: number, dim: number, what: string): void {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(dim) || dim < 1) {
    throw new RangeError(`${what}: rows and dim must be non-negative integers (dim >= 1), got rows=${rows}, dim=${dim}`);
  }
  if (matrix.length < rows * dim) {
    throw new RangeError(`${what}: matrix has ${matrix.length} values, fewer than rows*dim = ${rows}*${dim}`);
  }
}

/**
 * Scales every row of a row-major matrix to unit length, so that a dot
 * product of two rows is their cosine. Zero rows stay zero.
 * @param options.inPlace write into `matrix` (default) or into a copy.
 * @returns the normalised matrix (`matrix` itself when in place).
 */
export function normalizeRows(matrix: Float32Array, rows: number, dim: number, options: { inPlace?: boolean } = {}): Float32Array {
  checkMatrix(matrix, rows, dim, 'normalizeRows');
  const out = options.inPlace === false ? new Float32Array(matrix.subarray(0, rows * dim)) : matrix;
  for (let r = 0, o = 0; r < rows; r++, o += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += out[o + j] * out[o + j];
    if (s === 0) continue;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) out[o + j] *= inv;
  }
  return out;
}

/** The [dim, rows] transpose of a row-major [rows, dim] matrix (e.g. a MatMul's right-hand side). */
export function transposeRows(matrix: Float32Array, rows: number, dim: number): Float32Array {
  const t = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) for (let j = 0; j < dim; j++) t[j * rows + r] = matrix[r * dim + j];
  return t;
}

/** Row `row` of a row-major matrix, as a view (no copy). */
export function row(matrix: Float32Array, row: number, dim: number): Float32Array {
  return matrix.subarray(row * dim, row * dim + dim);
}

/**
 * Mean of the given rows as a new Float64Array (e.g. the "mood" query of
 * several movies before normalising it).
 */
export function meanOfRows(matrix: Float32Array, dim: number, rowIndices: ArrayLike<number>): Float64Array {
  const out = new Float64Array(dim);
  if (rowIndices.length === 0) return out;
  for (let k = 0; k < rowIndices.length; k++) {
    const o = rowIndices[k] * dim;
    for (let j = 0; j < dim; j++) out[j] += matrix[o + j];
  }
  for (let j = 0; j < dim; j++) out[j] /= rowIndices.length;
  return out;
}
