// The MovieFilter GraphQL input (apps/gateway/schema.graphql) as a domain rule: what is valid, and
// which movies pass. The gateway's SQL applies the same rule; movieMatchesFilter
// is its reference (tests, in-memory fast paths).
import { canonicalGenre, MOVIELENS_GENRES } from './genres';
import type { Movie } from './movie';
import { checkInteger, checkNumber } from './validation';

export interface MovieFilter {
  /** Keep movies with at least one of these genres. Empty or absent: no constraint. */
  genres?: readonly string[] | null;
  /** Drop movies with any of these genres. */
  excludeGenres?: readonly string[] | null;
  /** Inclusive. A movie without a year fails any year bound. */
  yearFrom?: number | null;
  yearTo?: number | null;
  /** Inclusive, on the movie's average over the whole dump. */
  minAverageRating?: number | null;
  /** Inclusive, on the movie's rating count over the whole dump; absent: DEFAULT_MIN_RATING_COUNT. */
  minRatingCount?: number | null;
}

/**
 * Default floor on a movie's rating count (over the whole dump) for every movie list
 * cinemap serves (neighbours, most/least appreciated, PCA): a film rated by a handful
 * of users has a noisy embedding, so its "neighbours" are random. MovieFilter's
 * minRatingCount overrides it (0 turns it off). The gateway's in-memory scan, its SQL
 * queries and the analysts' similar_movies() (cinemap_default_min_rating_count(),
 * generated from this constant) all read it from here.
 */
export const DEFAULT_MIN_RATING_COUNT = 10;

/** The rating-count floor `filter` asks for: its minRatingCount, else the default floor. */
export function minRatingCountOf(filter: MovieFilter | null | undefined): number {
  return filter?.minRatingCount ?? DEFAULT_MIN_RATING_COUNT;
}

export const FILTER_MIN_YEAR = 1800;
export const FILTER_MAX_YEAR = 2200;
const MAX_GENRES = 50;

/**
 * Every problem with `filter`, one message each naming the argument
 * ("filter.yearFrom ..."); [] when valid. Genre names are matched loosely
 * (canonicalGenre: "sci-fi" is "Sci-Fi"); unknown ones are errors listing `knownGenres`.
 */
export function validateMovieFilter(
  filter: MovieFilter | null | undefined,
  knownGenres: readonly string[] = MOVIELENS_GENRES,
  argument = 'filter',
): string[] {
  if (filter === null || filter === undefined) return [];
  const errors: (string | null)[] = [];
  for (const field of ['genres', 'excludeGenres'] as const) {
    const list = filter[field];
    if (list === null || list === undefined) continue;
    if (!Array.isArray(list)) {
      errors.push(`${argument}.${field} must be a list of genre names`);
      continue;
    }
    if (list.length > MAX_GENRES) errors.push(`${argument}.${field} has ${list.length} entries; the limit is ${MAX_GENRES}`);
    const unknown = list.filter((g) => typeof g !== 'string' || canonicalGenre(g, knownGenres) === null);
    if (unknown.length > 0) {
      errors.push(
        `${argument}.${field}: unknown genre ${unknown.map((g) => JSON.stringify(g)).join(', ')}; known genres: ${knownGenres.join(', ')}`,
      );
    }
  }
  const year = (f: 'yearFrom' | 'yearTo') =>
    filter[f] === null || filter[f] === undefined ? null : checkInteger(`${argument}.${f}`, filter[f], FILTER_MIN_YEAR, FILTER_MAX_YEAR);
  errors.push(year('yearFrom'), year('yearTo'));
  if (typeof filter.yearFrom === 'number' && typeof filter.yearTo === 'number' && filter.yearFrom > filter.yearTo) {
    errors.push(`${argument}.yearFrom (${filter.yearFrom}) is after ${argument}.yearTo (${filter.yearTo}); swap them`);
  }
  if (filter.minAverageRating !== null && filter.minAverageRating !== undefined) {
    errors.push(checkNumber(`${argument}.minAverageRating`, filter.minAverageRating, 0, 5));
  }
  if (filter.minRatingCount !== null && filter.minRatingCount !== undefined) {
    errors.push(checkInteger(`${argument}.minRatingCount`, filter.minRatingCount, 0));
  }
  return errors.filter((e): e is string => e !== null);
}

/**
 * The same filter with genre names in canonical spelling, duplicates and
 * null/undefined fields removed, empty genre lists dropped. Call after validation
 * (unknown genres are dropped here).
 */
export function normalizeMovieFilter(
  filter: MovieFilter | null | undefined,
  knownGenres: readonly string[] = MOVIELENS_GENRES,
): MovieFilter {
  const out: MovieFilter = {};
  if (!filter) return out;
  for (const field of ['genres', 'excludeGenres'] as const) {
    const list = filter[field];
    if (!list) continue;
    const canon = [...new Set(list.map((g) => canonicalGenre(g, knownGenres)).filter((g): g is string => g !== null))];
    if (canon.length > 0) out[field] = canon;
  }
  for (const field of ['yearFrom', 'yearTo', 'minAverageRating', 'minRatingCount'] as const) {
    const v = filter[field];
    if (v !== null && v !== undefined) out[field] = v;
  }
  return out;
}

/** Whether `movie` passes `filter` (genre names compared exactly: normalise first). */
export function movieMatchesFilter(
  movie: Pick<Movie, 'genres' | 'year' | 'averageRating' | 'ratingCount'>,
  filter: MovieFilter | null | undefined,
): boolean {
  if (!filter) return true;
  const { genres, excludeGenres, yearFrom, yearTo, minAverageRating, minRatingCount } = filter;
  if (genres && genres.length > 0 && !genres.some((g) => movie.genres.includes(g))) return false;
  if (excludeGenres && excludeGenres.some((g) => movie.genres.includes(g))) return false;
  if (yearFrom !== null && yearFrom !== undefined && (movie.year === null || movie.year < yearFrom)) return false;
  if (yearTo !== null && yearTo !== undefined && (movie.year === null || movie.year > yearTo)) return false;
  if (minAverageRating !== null && minAverageRating !== undefined && movie.averageRating < minAverageRating) return false;
  if (minRatingCount !== null && minRatingCount !== undefined && movie.ratingCount < minRatingCount) return false;
  return true;
}
