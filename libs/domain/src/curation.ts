// The seed blog's curation rules as parameters (docs/architecture.md, "The contract": curation): which
// movies and users survive, and how many ratings are sampled. Each field is a
// CLI flag of `npm run ingest`; messages name the flag.
import { checkInteger, checkNumber, describeValue } from './validation';

export interface CurationParams {
  /** 1. Drop movies whose average rating (over the whole dump) is below this. */
  minAvgRating: number;
  /** 2. Drop movies with fewer ratings than this (over the whole dump). */
  minMovieRatings: number;
  /** 3. Drop every rating of users who rated fewer movies than this in the whole dump. */
  minUserRatings: number;
  /**
   * 4. Keep this fraction of each movie's remaining ratings, stratified by score;
   * null = no sampling (keep all; the same as 1).
   */
  sampleFraction: number | null;
  /** Seed of the sampling, so the same flags give the same dataset. */
  seed: number;
}

/** The blog's values; suited to the full ml-latest dump (they leave nothing of ml-latest-small). */
export const DEFAULT_CURATION: Readonly<CurationParams> = Object.freeze({
  minAvgRating: 3.5,
  minMovieRatings: 1000,
  minUserRatings: 500,
  sampleFraction: 0.1,
  seed: 42,
});

/**
 * The curation presets (`npm run ingest -- --curation <name>`), recorded with the
 * dataset (datasets.params.curation):
 *  - `floors`: every film and user with enough ratings for a usable vector, no average
 *    threshold and no sampling (npm start and --auto-curation). "Only the good ones" is
 *    then a query-time filter (MovieFilter.minAverageRating), so any film can be asked
 *    about and the answers can still be only the good ones.
 *  - `blog`: the seed blog's exact thresholds (DEFAULT_CURATION), the CLI's default.
 *  - `blog-scaled`: the blog's thresholds, scaled to the dump when they keep nothing
 *    (apps/ingest/src/curate/suggest.ts).
 * Threshold flags given with a preset override its values; the dataset then records
 * the preset with the thresholds actually used.
 */
export const CURATION_PRESETS = ['floors', 'blog', 'blog-scaled'] as const;
export type CurationPreset = (typeof CURATION_PRESETS)[number];

/**
 * Fewest ratings for a usable film vector: from this count on, the default model
 * predicts a film's held-out ratings better than its bias alone does (measured on
 * ml-latest-small, bench/src/quality/vector-floor.ts; figures in docs/ingest.md).
 */
export const MIN_RATINGS_FOR_A_VECTOR = 5;

/**
 * Fewest ratings for a usable user vector: the same count as a film's (a user vector
 * is fitted the same way); every MovieLens dump has at least 20 per user, so it only
 * matters for other sources.
 */
export const MIN_USER_RATINGS_FOR_A_VECTOR = 5;

/** The `floors` preset's thresholds. */
export const FLOOR_CURATION: Readonly<CurationParams> = Object.freeze({
  minAvgRating: 0,
  minMovieRatings: MIN_RATINGS_FOR_A_VECTOR,
  minUserRatings: MIN_USER_RATINGS_FOR_A_VECTOR,
  sampleFraction: null,
  seed: 42,
});

/** The thresholds a preset starts from (blog-scaled starts from the blog's and may scale them). */
export function presetCuration(preset: CurationPreset): Readonly<CurationParams> {
  return preset === 'floors' ? FLOOR_CURATION : DEFAULT_CURATION;
}

/** The CLI flag of each parameter, for messages and --help. */
export const CURATION_FLAGS: Readonly<Record<keyof CurationParams, string>> = Object.freeze({
  minAvgRating: '--min-avg-rating',
  minMovieRatings: '--min-movie-ratings',
  minUserRatings: '--min-user-ratings',
  sampleFraction: '--sample-fraction',
  seed: '--seed',
});

/** Every problem with `p`, one message each naming the flag; [] when valid. */
export function validateCurationParams(p: CurationParams): string[] {
  const errors = [
    checkNumber(CURATION_FLAGS.minAvgRating, p.minAvgRating, 0, 5),
    checkInteger(CURATION_FLAGS.minMovieRatings, p.minMovieRatings, 0),
    checkInteger(CURATION_FLAGS.minUserRatings, p.minUserRatings, 0),
    p.sampleFraction === null
      ? null
      : typeof p.sampleFraction === 'number' && p.sampleFraction > 0 && p.sampleFraction <= 1
        ? null
        : `${CURATION_FLAGS.sampleFraction} must be a fraction above 0 and at most 1, e.g. 0.1 (got ${describeValue(p.sampleFraction)}); to keep every rating, pass 1 or leave sampling off`,
    checkInteger(CURATION_FLAGS.seed, p.seed, 0, 0xffffffff, 'a whole number from 0 to 4294967295'),
  ];
  return errors.filter((e): e is string => e !== null);
}

/**
 * One line saying which dataset filters shaped a list of trained films (appreciation
 * lists, the map), for people: e.g. that with the blog's curation even the "least
 * appreciated" films average at least 3.5. `params` as the dataset recorded them
 * (unknown fields are left out); `listFloor` the rating-count floor the list applied.
 */
export function describeDatasetFilters(params: Partial<CurationParams> | null, listFloor: number): string {
  const p = params ?? {};
  const parts: string[] = [];
  if (typeof p.minMovieRatings === 'number') parts.push(`films with at least ${p.minMovieRatings} ratings`);
  if (typeof p.minAvgRating === 'number' && p.minAvgRating > 0) parts.push(`averaging at least ${p.minAvgRating}`);
  if (typeof p.minUserRatings === 'number' && p.minUserRatings > 1) parts.push(`rated by users with at least ${p.minUserRatings} ratings`);
  if (typeof p.sampleFraction === 'number' && p.sampleFraction < 1)
    parts.push(`${Math.round(p.sampleFraction * 100)}% of their ratings sampled`);
  const trained = parts.length ? `The model was trained on ${parts.join(', ')}` : 'The model was trained on every film of the dataset';
  const good =
    typeof p.minAvgRating === 'number' && p.minAvgRating > 0 ? `, so even the lowest-ranked here average at least ${p.minAvgRating}` : '';
  return `${trained}${good}; lists leave out films with fewer than ${listFloor} ratings.`;
}
