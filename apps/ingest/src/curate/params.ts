// The curation thresholds (DESIGN.md "Curation"), their defaults (the seed blog's,
// sized for the full dump) and their validation, with messages naming the flag.
import { IngestError } from '../movielens/errors';

export interface CurationParams {
  /** Step 1: drop movies whose average rating (over the whole dump) is below this. */
  minAvgRating: number;
  /** Step 2: drop movies with fewer ratings than this (over the whole dump). */
  minMovieRatings: number;
  /** Step 3: drop every rating of users who rated fewer movies than this in total. */
  minUserRatings: number;
  /** Step 4: keep this share of each movie's ratings, stratified by score; 1 = no sampling. */
  sampleFraction: number;
  /** Seed of the sampling in step 4. */
  seed: number;
}

export const DEFAULT_CURATION: Readonly<CurationParams> = Object.freeze({ minAvgRating: 3.5, minMovieRatings: 1000, minUserRatings: 500, sampleFraction: 0.1, seed: 42 });

const FLAGS: Record<keyof CurationParams, string> = {
  minAvgRating: '--min-avg-rating',
  minMovieRatings: '--min-movie-ratings',
  minUserRatings: '--min-user-ratings',
  sampleFraction: '--sample-fraction',
  seed: '--seed',
};

export function curationFlag(k: keyof CurationParams): string {
  return FLAGS[k];
}

/** Throws an IngestError naming the flag when a threshold is out of range. */
export function validateCurationParams(p: CurationParams): CurationParams {
  const bad = (k: keyof CurationParams, what: string) => new IngestError(`${FLAGS[k]} ${String(p[k])}: ${what}`);
  if (!Number.isFinite(p.minAvgRating) || p.minAvgRating < 0 || p.minAvgRating > 5) throw bad('minAvgRating', 'must be a number from 0 to 5 (e.g. 3.5)');
  if (!Number.isInteger(p.minMovieRatings) || p.minMovieRatings < 0) throw bad('minMovieRatings', 'must be a whole number ≥ 0 (e.g. 1000)');
  if (!Number.isInteger(p.minUserRatings) || p.minUserRatings < 0) throw bad('minUserRatings', 'must be a whole number ≥ 0 (e.g. 500)');
  if (!Number.isFinite(p.sampleFraction) || p.sampleFraction <= 0 || p.sampleFraction > 1) throw bad('sampleFraction', 'must be in (0, 1], or "none" for no sampling (e.g. 0.1)');
  if (!Number.isSafeInteger(p.seed)) throw bad('seed', 'must be an integer (e.g. 42)');
  return p;
}

/** Parses a --sample-fraction value: a number, or none/off/1 for no sampling. */
export function parseSampleFraction(s: string): number {
  if (/^(none|off|no)$/i.test(s.trim())) return 1;
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v)) throw new IngestError(`--sample-fraction ${s}: not a number; give e.g. 0.1, or none for no sampling`);
  return v;
}
