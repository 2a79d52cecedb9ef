// The audience embedding of a training run (issue 13): one vector per movie from
// who rated it, computed from ALL the curated ratings (train and validation: it
// predicts nothing, so there is nothing to hold out) with the same dense movie
// indices as the taste factors. The numerics live in @cinemap/math.
import { audienceEmbeddingFast, ratingsCsr, type AudienceEmbedding, type AudienceValues } from '@cinemap/math';
import type { TrainingData } from '../data/training-data';

export interface AudienceParams {
  audienceFactors: number;
  audienceOversampling: number;
  audiencePowerIterations: number;
  audienceRowExponent: number;
  audienceValues: AudienceValues;
  audienceSeed: number;
}

/**
 * Concatenates train and valid into one (user, movie, rating) set and runs the randomized
 * SVD (its passes in the WebAssembly SIMD kernel where available; `kernel` says which ran).
 */
export async function trainingAudience(
  data: TrainingData,
  p: AudienceParams,
  onPass?: (done: number, total: number) => void,
  kernel: 'wasm' | 'ts' = 'wasm',
): Promise<AudienceEmbedding & { kernel: 'wasm' | 'ts' }> {
  const nt = data.train.ratings.length,
    n = nt + data.valid.ratings.length;
  const users = new Int32Array(n),
    movies = new Int32Array(n),
    ratings = new Float32Array(n);
  users.set(data.train.users);
  users.set(data.valid.users, nt);
  movies.set(data.train.movies);
  movies.set(data.valid.movies, nt);
  ratings.set(data.train.ratings);
  ratings.set(data.valid.ratings, nt);
  const csr = ratingsCsr(users, movies, ratings, data.userIds.length, data.movieIds.length);
  return audienceEmbeddingFast(csr, {
    k: p.audienceFactors,
    oversampling: p.audienceOversampling,
    powerIterations: p.audiencePowerIterations,
    rowExponent: p.audienceRowExponent,
    values: p.audienceValues,
    seed: p.audienceSeed,
    onPass,
    kernel,
  });
}
