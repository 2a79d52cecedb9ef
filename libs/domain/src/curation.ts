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
