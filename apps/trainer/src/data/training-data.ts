// Turns raw (MovieLens user id, movie id, rating) triples into what the engines
// train on: dense indices (ids sorted ascending, so index → id maps are stable and
// exported in the ONNX metadata) and a seeded validation split in fast.ai's way
// (RandomSplitter: one random permutation, the first valid_pct of it is validation).
// The training part keeps that permutation's order: it is the engines' pre-shuffle.
import { Rng } from '@cinemap/math';
import type { RatingSet } from '@cinemap/model';

export interface RawRatings {
  userIds: Int32Array;
  movieIds: Int32Array;
  ratings: Float32Array;
}

export interface TrainingData {
  /** Dense user index → MovieLens userId (ascending). */
  userIds: Int32Array;
  /** Dense movie index → MovieLens movieId (ascending). */
  movieIds: Int32Array;
  train: RatingSet;
  valid: RatingSet;
}

function denseIndex(ids: Int32Array): { sorted: Int32Array; index: Int32Array } {
  // ids are positive ints < 2^31; sort the distinct values, then map each id by binary search
  // through a typed sort (no Map with millions of entries).
  const copy = Int32Array.from(ids).sort();
  let n = 0;
  for (let i = 0; i < copy.length; i++) if (i === 0 || copy[i] !== copy[i - 1]) copy[n++] = copy[i];
  const sorted = copy.slice(0, n);
  const index = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    let lo = 0,
      hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    index[i] = lo;
  }
  return { sorted, index };
}

export function prepareTrainingData(raw: RawRatings, validPct: number, seed: number): TrainingData {
  const n = raw.ratings.length;
  if (n < 2)
    throw new Error(
      `The active dataset has ${n} curated ratings; training needs at least 2. Ingest a dump with looser curation thresholds.`,
    );
  if (!(validPct >= 0 && validPct < 1)) throw new RangeError(`--valid-pct must be in [0, 1), got ${validPct}`);
  const users = denseIndex(raw.userIds);
  const movies = denseIndex(raw.movieIds);
  const perm = new Rng(seed).permutation(n);
  const nValid = Math.round(n * validPct);
  const take = (from: number, to: number): RatingSet => {
    const s: RatingSet = { users: new Int32Array(to - from), movies: new Int32Array(to - from), ratings: new Float32Array(to - from) };
    for (let i = from; i < to; i++) {
      const j = perm[i];
      s.users[i - from] = users.index[j];
      s.movies[i - from] = movies.index[j];
      s.ratings[i - from] = raw.ratings[j];
    }
    return s;
  };
  return { userIds: users.sorted, movieIds: movies.sorted, valid: take(0, nValid), train: take(nValid, n) };
}

/** Concatenates streamed batches into one RawRatings of known total size. */
export class RawRatingsBuilder {
  private n = 0;
  readonly raw: RawRatings;
  constructor(capacity: number) {
    this.raw = { userIds: new Int32Array(capacity), movieIds: new Int32Array(capacity), ratings: new Float32Array(capacity) };
  }
  add(b: RawRatings): void {
    if (this.n + b.ratings.length > this.raw.ratings.length)
      throw new Error('More curated ratings arrived than were counted; was the dataset changed during training?');
    this.raw.userIds.set(b.userIds, this.n);
    this.raw.movieIds.set(b.movieIds, this.n);
    this.raw.ratings.set(b.ratings, this.n);
    this.n += b.ratings.length;
  }
  get count(): number {
    return this.n;
  }
  finish(): RawRatings {
    return {
      userIds: this.raw.userIds.subarray(0, this.n),
      movieIds: this.raw.movieIds.subarray(0, this.n),
      ratings: this.raw.ratings.subarray(0, this.n),
    };
  }
}
