// Title parts for the `movies` table, from @cinemap/domain (the one place the
// MovieLens title conventions and the title keys live, shared with the gateway).
import { movieKeys, parseGenres, parseMovieTitle } from '@cinemap/domain';

export interface TitleParts {
  displayTitle: string;
  year: number | null;
  keys: string[];
}

export function titleParts(raw: string): TitleParts {
  const p = parseMovieTitle(raw);
  return { displayTitle: p.displayTitle, year: p.year, keys: movieKeys(p) };
}

export function genresOf(raw: string): string[] {
  return parseGenres(raw);
}
