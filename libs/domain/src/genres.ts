// MovieLens genres: the fixed list and the "A|B|C" field of movies.csv.

/** The genres MovieLens uses (README of ml-latest), in its order. */
export const MOVIELENS_GENRES = [
  'Action',
  'Adventure',
  'Animation',
  'Children',
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'IMAX',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
] as const;

export type MovieLensGenre = (typeof MOVIELENS_GENRES)[number];

/** What movies.csv writes for a movie without genres. */
export const NO_GENRES_LISTED = '(no genres listed)';

/**
 * 'Adventure|Animation|Children' -> ['Adventure', 'Animation', 'Children'];
 * '(no genres listed)' or '' -> []. Names are trimmed, empty parts and repeats
 * dropped, order kept. Names outside MOVIELENS_GENRES are kept as written (a dump
 * may add genres); use isMovieLensGenre to check.
 */
export function parseGenres(field: string): string[] {
  const f = field.trim();
  if (f === '' || f === NO_GENRES_LISTED) return [];
  // A Set keeps first-seen order and makes this linear (includes() on the list made a
  // hostile 10,000-genre field quadratic; ingest also caps a field at 64 genres).
  const out = new Set<string>();
  for (const part of f.split('|')) {
    const g = part.trim();
    if (g !== '' && g !== NO_GENRES_LISTED) out.add(g);
  }
  return [...out];
}

/** Inverse of parseGenres, as movies.csv writes it. */
export function formatGenres(genres: readonly string[]): string {
  return genres.length === 0 ? NO_GENRES_LISTED : genres.join('|');
}

export function isMovieLensGenre(name: string): name is MovieLensGenre {
  return (MOVIELENS_GENRES as readonly string[]).includes(name);
}

/**
 * The canonical spelling of a genre typed loosely ("sci-fi", "SciFi", "film noir"
 * -> "Sci-Fi", "Film-Noir"): compared ignoring case and non-letters. null when no
 * genre in `known` matches.
 */
export function canonicalGenre(name: string, known: readonly string[] = MOVIELENS_GENRES): string | null {
  const squash = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
  const n = squash(name);
  if (n === '') return null;
  return known.find((g) => squash(g) === n) ?? null;
}
