// Given a trained model, when its movie embeddings are projected, then the PCA
// coordinates are centred and the three components explain a falling share of the variance.
import { prepareTrainingData } from '../data/training-data';
import { NativeEngine } from '../engines/native/native-engine';
import { plantedRatings } from '../testing/planted';
import { moviePca } from './pca';

describe('moviePca', () => {
  it('gives centred coordinates that explain a falling share of the variance', async () => {
    const data = prepareTrainingData(plantedRatings({ users: 300, movies: 200, ratingsPerUser: 30, seed: 11 }), 0.2, 42);
    const p = (
      await new NativeEngine().train(data, {
        factors: 16,
        epochs: 2,
        lr: 5e-3,
        wd: 0.1,
        batchSize: 64,
        yRange: [0, 5.5],
        seed: 42,
        threads: 1,
      })
    ).weights;
    const r = moviePca(p.movieFactors, p.nMovies, p.factors);
    expect(r.coords).toHaveLength(p.nMovies * 3);
    for (let j = 0; j < 3; j++) {
      let mean = 0;
      for (let i = 0; i < p.nMovies; i++) mean += r.coords[i * 3 + j];
      expect(Math.abs(mean / p.nMovies)).toBeLessThan(1e-4);
    }
    expect(r.explainedVariance[0]).toBeGreaterThanOrEqual(r.explainedVariance[1]);
    expect(r.explainedVariance[1]).toBeGreaterThanOrEqual(r.explainedVariance[2]);
    expect(r.explainedVariance.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-9);
  });
});
