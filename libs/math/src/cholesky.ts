// The one Cholesky factorisation of cinemap's numerics: the fold-in's ridge solves
// (./fold-in.ts) and the audience SVD's CholeskyQR (./audience-svd.ts) both use it.

/**
 * Factors a symmetric positive-definite n × n matrix in place, A = L Lᵀ: reads A's upper
 * triangle (diagonal included), writes L into the lower triangle and the diagonal (the
 * strict upper triangle is left as it was). False, with A partly overwritten, when a pivot
 * is not above `minPivot` (0: not positive definite; callers with a relative tolerance
 * pass it scaled to their matrix).
 */
export function choleskyLower(a: Float64Array, n: number, minPivot = 0): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let p = 0; p < j; p++) d -= a[j * n + p] * a[j * n + p];
    if (!(d > minPivot)) return false;
    const l = Math.sqrt(d);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = a[j * n + i];
      for (let p = 0; p < j; p++) s -= a[i * n + p] * a[j * n + p];
      a[i * n + j] = s / l;
    }
  }
  return true;
}
