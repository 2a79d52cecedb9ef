// Whether a film on the map passes the page's filter, so the map can dim the films the
// filter leaves out. The same rule as the server's (libs/domain movieMatchesFilter; the
// explorer reaches the server only over HTTP, so it keeps this small copy, and
// filter-match.spec.ts pins the cases).
import type { MapFilm, MovieFilter } from './api/types';

export function passesFilter(
  movie: Pick<MapFilm, 'genres' | 'year' | 'averageRating' | 'ratingCount'>,
  filter?: MovieFilter | null,
): boolean {
  if (!filter) return true;
  const { genres, excludeGenres, yearFrom, yearTo, minAverageRating, minRatingCount } = filter;
  if (genres && genres.length > 0 && !genres.some((g) => movie.genres.includes(g))) return false;
  if (excludeGenres && excludeGenres.some((g) => movie.genres.includes(g))) return false;
  if (yearFrom != null && (movie.year == null || movie.year < yearFrom)) return false;
  if (yearTo != null && (movie.year == null || movie.year > yearTo)) return false;
  if (minAverageRating != null && movie.averageRating < minAverageRating) return false;
  if (minRatingCount != null && movie.ratingCount < minRatingCount) return false;
  return true;
}
