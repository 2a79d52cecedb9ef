// Which movie a typed title means (DESIGN.md "Title resolution"), as pure ranking
// over candidates the caller fetched: exact key matches only, year honoured, the
// most-rated first; and the "did you mean" list for MOVIE_NOT_FOUND.
import { parseTitleQuery, type TitleQuery } from './title-query';
import { trigramSimilarity } from './trigram';

/** What resolution needs to know about a movie. */
export interface TitleCandidate {
  movieId: number;
  /** movieKeys() of its parsed title. */
  keys: readonly string[];
  year: number | null;
  ratingCount: number;
}

/**
 * The candidates that the query names exactly, best first; [] when none does.
 * - A candidate matches when one of its keys (main or alternate title, or a
 *   variant) equals the query key. A prefix or a longer title never matches:
 *   "Mary Poppins" is not "Mary Poppins Returns".
 * - With a year, only candidates of that very year match; without one, any year.
 * - Order: most ratings first, then lowest movieId (stable, so SQL can agree).
 * `query` may be a TitleQuery or the raw text, which is parsed with parseTitleQuery.
 */
export function rankTitleCandidates<T extends TitleCandidate>(query: TitleQuery | string, candidates: readonly T[]): T[] {
  const q = typeof query === 'string' ? parseTitleQuery(query) : query;
  if (q.key === '') return [];
  return candidates
    .filter((c) => c.keys.includes(q.key) && (q.year === null || c.year === q.year))
    .sort(byRatingCountThenId);
}

export interface TitleSuggestion<T extends TitleCandidate> {
  candidate: T;
  /** Best trigramSimilarity() between the query key and one of the candidate's keys. */
  similarity: number;
}

/** pg_trgm's default similarity_threshold. */
export const SUGGESTION_MIN_SIMILARITY = 0.3;
/** How many suggestions a MOVIE_NOT_FOUND error carries. */
export const SUGGESTION_LIMIT = 5;

/**
 * "Did you mean" for a title that matched nothing: candidates whose best key
 * similarity to the query key is at least `minSimilarity`, ordered by similarity,
 * then most ratings, then lowest movieId; at most `limit`. The year is ignored
 * (a wrong year is a typical reason for no match).
 */
export function suggestTitles<T extends TitleCandidate>(
  query: TitleQuery | string,
  candidates: readonly T[],
  options: { limit?: number; minSimilarity?: number } = {},
): TitleSuggestion<T>[] {
  const q = typeof query === 'string' ? parseTitleQuery(query) : query;
  const limit = options.limit ?? SUGGESTION_LIMIT;
  const min = options.minSimilarity ?? SUGGESTION_MIN_SIMILARITY;
  if (q.key === '' || limit <= 0) return [];
  const scored: TitleSuggestion<T>[] = [];
  for (const candidate of candidates) {
    let similarity = 0;
    for (const k of candidate.keys) similarity = Math.max(similarity, trigramSimilarity(q.key, k));
    if (similarity >= min && similarity > 0) scored.push({ candidate, similarity });
  }
  scored.sort((a, b) => b.similarity - a.similarity || byRatingCountThenId(a.candidate, b.candidate));
  return scored.slice(0, limit);
}

function byRatingCountThenId(a: TitleCandidate, b: TitleCandidate): number {
  return b.ratingCount - a.ratingCount || a.movieId - b.movieId;
}
