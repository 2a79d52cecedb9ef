// PCA of the movie embeddings (centred, top 3 components) for the explorer's plots:
// per-movie coordinates pc1..pc3 and the explained variance ratio of each component.
// @cinemap/math's Pca: one pass over the typed array for the k×k covariance, Jacobi
// eigenvectors, deterministic component signs (the same model gives the same plot).
import { Pca } from '@cinemap/math';

export interface MoviePca {
  /** nMovies × 3, row-major. */
  coords: Float32Array;
  /** Share of the total variance each of the 3 components explains. */
  explainedVariance: number[];
}

export function moviePca(movieFactors: Float32Array, nMovies: number, dim: number): MoviePca {
  const coords = new Float32Array(nMovies * 3);
  if (nMovies < 2) return { coords, explainedVariance: [0, 0, 0] };
  const nc = Math.min(3, dim);
  const pca = Pca.fit(movieFactors, nMovies, dim, nc);
  const proj = pca.project(movieFactors, nMovies);
  for (let r = 0; r < nMovies; r++) for (let j = 0; j < nc; j++) coords[r * 3 + j] = proj[r * nc + j];
  const ev = Array.from(pca.explainedVarianceRatio());
  while (ev.length < 3) ev.push(0);
  return { coords, explainedVariance: ev };
}
