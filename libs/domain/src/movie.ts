// The records of a MovieLens dump as the rest of cinemap passes them around, the
// rating scale, and links out to IMDb and TMDb.
import type { MovieExclusion } from './movie-exclusion';

/** A movie as stored in `movies` (docs/architecture.md, "The contract": database). */
export interface Movie {
  movieId: number;
  /** Exactly as in movies.csv: "Matrix, The (1999)". */
  title: string;
  /** Article in front, year and alternate titles off: "The Matrix". */
  displayTitle: string;
  year: number | null;
  genres: string[];
  /** IMDb number without "tt" (links.csv writes it zero-padded: "0133093"). */
  imdbId: number | null;
  tmdbId: number | null;
  /** Over the whole dump, not only the curated ratings. */
  ratingCount: number;
  averageRating: number;
  /** Why the dataset's curation left it without ratings to train on; null when it kept some. */
  excludedBy?: MovieExclusion | null;
}

/** One line of ratings.csv. */
export interface Rating {
  userId: number;
  movieId: number;
  /** 0.5..5.0 in steps of 0.5, see isValidRating. */
  rating: number;
  /** Unix seconds (UTC). */
  timestamp: number;
}

/** One line of links.csv; ids are null where the cell is empty. */
export interface Link {
  movieId: number;
  imdbId: number | null;
  tmdbId: number | null;
}

/** One line of tags.csv. */
export interface Tag {
  userId: number;
  movieId: number;
  tag: string;
  /** Unix seconds (UTC). */
  timestamp: number;
}

export const MIN_RATING = 0.5;
export const MAX_RATING = 5.0;
export const RATING_STEP = 0.5;

/** True for 0.5, 1.0, ..., 5.0 (numbers only; parse strings first). */
export function isValidRating(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= MIN_RATING && x <= MAX_RATING && Number.isInteger(x / RATING_STEP);
}

/**
 * IMDb page of a title: 114709 or "0114709" or "tt0114709" ->
 * "https://www.imdb.com/title/tt0114709/". IMDb pads ids to at least 7 digits
 * (newer ones have 8). null for a missing or malformed id.
 */
export function imdbUrl(imdbId: number | string | null | undefined): string | null {
  const n = parseId(typeof imdbId === 'string' ? imdbId.trim().replace(/^tt/i, '') : imdbId);
  // join, not a template: one flat string of 56 bytes, where the template's chain of three pieces took 88 (a film each).
  return n === null ? null : ['https://www.imdb.com/title/tt', String(n).padStart(7, '0'), '/'].join('');
}

/** TMDb page of a movie: 862 -> "https://www.themoviedb.org/movie/862". null when missing. */
export function tmdbUrl(tmdbId: number | string | null | undefined): string | null {
  const n = parseId(typeof tmdbId === 'string' ? tmdbId.trim() : tmdbId);
  return n === null ? null : `https://www.themoviedb.org/movie/${n}`;
}

function parseId(v: number | string | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' && !/^\d+$/.test(v)) return null;
  const n = Number(v);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}
