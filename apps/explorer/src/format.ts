// How the page writes numbers, titles and genres, and how it colours the map: pure
// functions, unit-tested in format.spec.ts. Fixed locale so screenshots and tests do
// not depend on the browser's language.
import type { Movie } from './api/types';

const COUNT = new Intl.NumberFormat('en-US');

/** 12345 -> "12,345 ratings"; 1 -> "1 rating". */
export function formatRatingCount(n: number): string {
  return `${COUNT.format(n)} rating${n === 1 ? '' : 's'}`;
}

/** 3.4567 -> "3.46". */
export function formatAverage(avg: number): string {
  return avg.toFixed(2);
}

/** Cosine similarity 0.8734 -> "0.87". */
export function formatSimilarity(s: number): string {
  return s.toFixed(2);
}

/** Width of the similarity bar in percent: cosine in [-1, 1], only the positive part is drawn. */
export function similarityPercent(s: number): number {
  if (!Number.isFinite(s)) return 0;
  return Math.round(Math.min(1, Math.max(0, s)) * 100);
}

/** A bias of 0.4321 -> "+0.43" (the sign matters: it is what the model adds to every prediction). */
export function formatBias(b: number | null): string {
  if (b === null || !Number.isFinite(b)) return '–';
  return `${b >= 0 ? '+' : '−'}${Math.abs(b).toFixed(2)}`;
}

export function formatGenres(genres: readonly string[]): string {
  return genres.length === 0 ? 'no genres listed' : genres.join(', ');
}

/** The sentence for an unknown title (the suggestions follow it as buttons). */
export function notFoundMessage(query: string, suggestionCount: number): string {
  const q = query.length > 80 ? `${query.slice(0, 77)}…` : query;
  return suggestionCount > 0
    ? `No film called '${q}' — did you mean …`
    : `No film called '${q}', and nothing close to it either. Try another spelling.`;
}

/**
 * A film's main genre, for colouring the map: MovieLens lists genres alphabetically,
 * so the first one says little (half the catalogue would be "Action" or "Adventure").
 * The most specific genre the film has wins, in this order.
 */
export const GENRE_PRIORITY = [
  'Animation',
  'Documentary',
  'Horror',
  'Western',
  'Film-Noir',
  'War',
  'Musical',
  'Sci-Fi',
  'Children',
  'Fantasy',
  'Mystery',
  'Crime',
  'Thriller',
  'Romance',
  'Comedy',
  'Action',
  'Adventure',
  'Drama',
  'IMAX',
] as const;

export function mainGenre(genres: readonly string[]): string {
  for (const g of GENRE_PRIORITY) if (genres.includes(g)) return g;
  return genres[0] ?? 'Other';
}

/**
 * The map's genre groups: a colour and a point shape each, so no two groups look alike
 * to anyone. The colours are the Okabe–Ito and Tol colour-blind-safe sets, picked to
 * keep ≥ 3:1 contrast on the white plot (WCAG non-text contrast); groups whose colours
 * come close under a simulated colour-vision deficiency get different shapes
 * (format.spec.ts checks both). Rarer genres share "Other".
 */
export const GENRE_GROUPS = [
  { label: 'Drama', colour: '#0072B2', shape: 'circle', genres: ['Drama'] },
  { label: 'Comedy', colour: '#D55E00', shape: 'circle', genres: ['Comedy'] },
  { label: 'Action & adventure', colour: '#009E73', shape: 'triangle', genres: ['Action', 'Adventure'] },
  { label: 'Crime & thriller', colour: '#332288', shape: 'triangle', genres: ['Crime', 'Thriller', 'Mystery', 'Film-Noir'] },
  { label: 'Romance', colour: '#CC79A7', shape: 'rect', genres: ['Romance'] },
  { label: 'Sci-fi & fantasy', colour: '#117733', shape: 'rect', genres: ['Sci-Fi', 'Fantasy'] },
  { label: 'Horror', colour: '#000000', shape: 'rect', genres: ['Horror'] },
  { label: 'Animation & children', colour: '#AA4499', shape: 'crossRot', genres: ['Animation', 'Children'] },
  { label: 'Other', colour: '#767676', shape: 'crossRot', genres: [] as string[] },
] as const;

export type GenreGroup = (typeof GENRE_GROUPS)[number];

/** Group label → colour (the legend's order is GENRE_GROUPS'). */
export const GENRE_COLOURS: Record<string, string> = Object.fromEntries(GENRE_GROUPS.map((g) => [g.label, g.colour]));

/** The group a film is drawn in, by its main genre. */
export function genreGroup(genres: readonly string[]): string {
  const g = mainGenre(genres);
  return GENRE_GROUPS.find((x) => (x.genres as readonly string[]).includes(g))?.label ?? 'Other';
}

/**
 * A film's name for people: the API's displayTitle ("The Matrix") with the year, so
 * namesakes stay apart ("Hamlet (1948)", "Hamlet (1996)"). Without a displayTitle (an
 * older server) the MovieLens title as is.
 */
export function displayTitle(movie: Pick<Movie, 'title' | 'year'> & { displayTitle?: string | null }): string {
  const name = movie.displayTitle?.trim();
  if (name) return movie.year === null || movie.year === undefined ? name : `${name} (${movie.year})`;
  if (movie.year === null || /\(\d{4}\)\s*$/.test(movie.title)) return movie.title;
  return `${movie.title} (${movie.year})`;
}
