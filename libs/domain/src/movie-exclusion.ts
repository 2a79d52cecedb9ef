// Why a catalogue movie is not in a model run, as one of a closed set of reasons,
// and the sentence that says it. The ingest records the reason per movie (the
// curation step that removed its last rating); the API exposes it as
// Movie.excludedBy and words MOVIE_NOT_IN_MODEL with it, so a client never reads
// "too few ratings" about a film curation dropped for its average.
import type { CurationParams } from './curation';

/** The curation step (or later stage) that left a movie without a vector. */
export const MOVIE_EXCLUSIONS = [
  /** No rating at all in the dump. */
  'NO_RATINGS',
  /** Step 1: its average over the whole dump is below --min-avg-rating. */
  'MIN_AVG_RATING',
  /** Step 2: fewer ratings than --min-movie-ratings over the whole dump. */
  'MIN_MOVIE_RATINGS',
  /** Step 3: every one of its ratings came from users with fewer than --min-user-ratings ratings. */
  'MIN_USER_RATINGS',
  /** Step 4: the stratified sample (--sample-fraction) kept none of its ratings. */
  'SAMPLE_FRACTION',
  /** Curated, but the run has no vector for it (trained before the reason was recorded, or the trainer dropped it). */
  'NOT_TRAINED',
] as const;

export type MovieExclusion = (typeof MOVIE_EXCLUSIONS)[number];

/** A movie's ratings as each curation step left them (counts over the whole dump first). */
export interface MovieCurationCounts {
  /** Ratings in the whole dump. */
  ratingCount: number;
  /** Sum of its ratings (stars) in the whole dump. */
  ratingSum: number;
  /** Ratings left after step 3 (users with too few ratings removed), steps 1-2 ignored. */
  fromKeptUsers: number;
  /** Ratings in the curated set (after all four steps). */
  kept: number;
}

/**
 * The first curation step that removed the movie, in the contract's order; null when
 * it kept some of its ratings. Steps 1-2 compare dump totals exactly as curate() does
 * (sum ≥ threshold × count, with the same tolerance).
 */
export function movieExclusion(c: MovieCurationCounts, p: Pick<CurationParams, 'minAvgRating' | 'minMovieRatings'>): MovieExclusion | null {
  if (c.kept > 0) return null;
  if (c.ratingCount === 0) return 'NO_RATINGS';
  if (2 * c.ratingSum < 2 * p.minAvgRating * c.ratingCount - 1e-9) return 'MIN_AVG_RATING';
  if (c.ratingCount < p.minMovieRatings) return 'MIN_MOVIE_RATINGS';
  if (c.fromKeptUsers === 0) return 'MIN_USER_RATINGS';
  return 'SAMPLE_FRACTION';
}

/** What a message about the movie needs to know. */
export interface ExcludedMovie {
  displayTitle: string;
  year: number | null;
  ratingCount: number;
  averageRating: number;
}

const fmtAvg = (x: number) => (Math.round(x * 100) / 100).toFixed(2);

/**
 * Why `movie` is not in the model, in one sentence a person can act on, with the
 * threshold that applied when the dataset's parameters are known.
 */
export function exclusionSentence(reason: MovieExclusion, movie: ExcludedMovie, params: Partial<CurationParams> | null): string {
  const name = movie.year === null ? movie.displayTitle : `${movie.displayTitle} (${movie.year})`;
  const has = `${movie.ratingCount} rating${movie.ratingCount === 1 ? '' : 's'}, average ${fmtAvg(movie.averageRating)}`;
  const at = (v: unknown, flag: string) => (typeof v === 'number' ? ` (${flag} ${v})` : '');
  switch (reason) {
    case 'NO_RATINGS':
      return `${name} has no ratings in the dataset, so the model has no vector for it`;
    case 'MIN_AVG_RATING':
      return `${name} was left out of training because its average rating is below the dataset's threshold${at(params?.minAvgRating, '--min-avg-rating')}; it has ${has}`;
    case 'MIN_MOVIE_RATINGS':
      return `${name} has too few ratings to be trained on${at(params?.minMovieRatings, '--min-movie-ratings')}; it has ${has}`;
    case 'MIN_USER_RATINGS':
      return `${name} was left out of training because all its ratings came from users with too few ratings${at(params?.minUserRatings, '--min-user-ratings')}; it has ${has}`;
    case 'SAMPLE_FRACTION':
      return `${name} was left out of training because the dataset's sample kept none of its ratings${at(params?.sampleFraction, '--sample-fraction')}; it has ${has}`;
    case 'NOT_TRAINED':
      return `${name} is in the catalogue but the active run has no vector for it (${has}); training again records why`;
  }
}
