// The biases-only baseline every run reports next to its own RMSE: global mean +
// user bias + movie bias, fitted by a few rounds of damped alternating means (the
// classic "baseline predictor" of Koren's Netflix-prize papers). A model that
// cannot beat it has learned nothing from the factors.
import type { RatingSet } from '@cinemap/model';

export interface BaselineModel {
  mean: number;
  userBias: Float64Array;
  movieBias: Float64Array;
}

export function fitBaseline(train: RatingSet, nUsers: number, nMovies: number, damping = 5, rounds = 4): BaselineModel {
  const n = train.ratings.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += train.ratings[i];
  mean /= Math.max(1, n);
  const bu = new Float64Array(nUsers),
    bm = new Float64Array(nMovies);
  const su = new Float64Array(nUsers),
    cu = new Float64Array(nUsers),
    sm = new Float64Array(nMovies),
    cm = new Float64Array(nMovies);
  for (let r = 0; r < rounds; r++) {
    sm.fill(0);
    cm.fill(0);
    for (let i = 0; i < n; i++) {
      const m = train.movies[i];
      sm[m] += train.ratings[i] - mean - bu[train.users[i]];
      cm[m]++;
    }
    for (let m = 0; m < nMovies; m++) bm[m] = sm[m] / (cm[m] + damping);
    su.fill(0);
    cu.fill(0);
    for (let i = 0; i < n; i++) {
      const u = train.users[i];
      su[u] += train.ratings[i] - mean - bm[train.movies[i]];
      cu[u]++;
    }
    for (let u = 0; u < nUsers; u++) bu[u] = su[u] / (cu[u] + damping);
  }
  return { mean, userBias: bu, movieBias: bm };
}

export function baselineRmse(b: BaselineModel, s: RatingSet): number {
  let sum = 0;
  for (let i = 0; i < s.ratings.length; i++) {
    const p = Math.min(5, Math.max(0.5, b.mean + b.userBias[s.users[i]] + b.movieBias[s.movies[i]]));
    const e = p - s.ratings[i];
    sum += e * e;
  }
  return Math.sqrt(sum / Math.max(1, s.ratings.length));
}
