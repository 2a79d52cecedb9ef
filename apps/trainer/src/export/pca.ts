// PCA of the movie embeddings (centred, top 3 components) for the explorer's plots:
// per-movie coordinates pc1..pc3 and the explained variance ratio of each component.
// ml-pca does the SVD; the k×k covariance route keeps it fast for 86k movies.
import { PCA } from 'ml-pca';

export interface MoviePca {
  /** nMovies × 3, row-major. */
  coords: Float32Array;
  /** Share of the total variance each of the 3 components explains. */
  explainedVariance: number[];
}

export function moviePca(movieFactors: Float32Array, nMovies: number, dim: number): MoviePca {
  const rows: number[][] = new Array(nMovies);
  for (let r = 0; r < nMovies; r++) rows[r] = Array.from(movieFactors.subarray(r * dim, (r + 1) * dim));
  const nc = Math.min(3, dim, Math.max(1, nMovies - 1));
  const pca = new PCA(rows, { center: true, scale: false, method: nMovies > dim ? 'covarianceMatrix' : 'SVD' });
  const proj = pca.predict(rows, { nComponents: nc }).to2DArray();
  const coords = new Float32Array(nMovies * 3);
  for (let r = 0; r < nMovies; r++) for (let j = 0; j < nc; j++) coords[r * 3 + j] = proj[r][j];
  const ev = pca.getExplainedVariance().slice(0, 3);
  while (ev.length < 3) ev.push(0);
  return { coords, explainedVariance: ev };
}
