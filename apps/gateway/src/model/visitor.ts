// A visitor folded into the snapshot's run: their vector and bias solved against the
// run's fixed movie factors (libs/math foldInUser), then predicted ratings for any movie
// and the best-predicted ones under the same filter rule as neighbours.
import { VISITOR_RIDGE_LAMBDA, type MovieFilter } from '@cinemap/domain';
import { foldInUser, sigmoidRange, topK } from '@cinemap/math';
import type { PredictedMovie } from '../graphql/types/visitor.type';
import type { ModelSnapshot } from './snapshot';

export interface Visitor {
  vector: Float64Array;
  bias: number;
  yRange: readonly [number, number];
}

/** The run's y_range as the trainer recorded it (fast.ai's default (0, 5.5) when absent). */
export function runYRange(snap: ModelSnapshot): readonly [number, number] {
  const y = (snap.run.params as { yRange?: unknown }).yRange;
  return Array.isArray(y) && y.length === 2 && y.every((v) => typeof v === 'number') ? [y[0], y[1]] : [0, 5.5];
}

/** Folds in ratings of movies given by their ids (every one in the snapshot's run). */
export function foldInVisitor(snap: ModelSnapshot, movieIds: readonly number[], ratings: readonly number[]): Visitor {
  const k = snap.dim;
  const factors = new Float64Array(movieIds.length * k);
  const movieBias = new Float64Array(movieIds.length);
  movieIds.forEach((id, i) => {
    const r = snap.rowOfMovie(id)!;
    factors.set(snap.factors.subarray(r * k, (r + 1) * k), i * k);
    movieBias[i] = snap.biases[r];
  });
  const yRange = runYRange(snap);
  const f = foldInUser({ factors, movieBias, ratings, dim: k, yRange, lambda: VISITOR_RIDGE_LAMBDA });
  return { vector: f.vector, bias: f.bias, yRange };
}

function logit(snap: ModelSnapshot, v: Visitor, row: number): number {
  const k = snap.dim,
    o = row * k;
  let x = snap.biases[row];
  for (let j = 0; j < k; j++) x += snap.factors[o + j] * v.vector[j];
  return x;
}

/** The visitor's predicted rating of a movie of the run. */
export function predictFor(snap: ModelSnapshot, v: Visitor, movieId: number): number {
  return sigmoidRange(logit(snap, v, snap.rowOfMovie(movieId)!) + v.bias, v.yRange[0], v.yRange[1]);
}

/** The k movies with the highest predicted rating that pass `filter`, the rated ones excluded. */
export function recommend(snap: ModelSnapshot, v: Visitor, k: number, filter: MovieFilter, exclude: readonly number[]): PredictedMovie[] {
  const scores = new Float64Array(snap.size);
  for (let r = 0; r < snap.size; r++) scores[r] = logit(snap, v, r);
  const { indices, scores: best } = topK(scores, k, { exclude: snap.rejection(filter, exclude) });
  return Array.from(indices, (r, i) => ({
    movie: snap.movies[r],
    predictedRating: sigmoidRange(best[i] + v.bias, v.yRange[0], v.yRange[1]),
  }));
}
