// Every GraphQL operation the explorer sends, and the pure helpers that build their
// variables. The page is the reference client of the public API: nothing here is
// private to it.
import type { FilmRef, MovieFilter } from './types';

export const MOVIE_FIELDS = `
fragment MovieFields on Movie {
  id title displayTitle year genres ratingCount averageRating bias imdbUrl tmdbUrl inModel excludedBy
}`;

export const SEARCH_QUERY = `
query Search($query: String!, $limit: Int) {
  searchMovies(query: $query, limit: $limit, inModel: true) { ...MovieFields }
}${MOVIE_FIELDS}`;

export const SIMILAR_QUERY = `
query Similar($title: String!, $k: Int, $filter: MovieFilter, $basis: SimilarityBasis) {
  similarMovies(title: $title, k: $k, filter: $filter, basis: $basis) { similarity movie { ...MovieFields } }
}${MOVIE_FIELDS}`;

export const MOOD_QUERY = `
query Mood($titles: [String!]!, $k: Int, $filter: MovieFilter, $basis: SimilarityBasis) {
  similarToMany(titles: $titles, k: $k, filter: $filter, basis: $basis) { similarity movie { ...MovieFields } }
}${MOVIE_FIELDS}`;

// The first page of each end of the list, how many films the list holds, and the one line
// saying what shaped it (the dataset's curation and the rating-count floor).
export const APPRECIATED_QUERY = `
query Appreciated($first: Int, $filter: MovieFilter) {
  most: appreciatedMovies(order: MOST, first: $first, filter: $filter) { totalCount shapedBy { summary } nodes { ...MovieFields } }
  least: appreciatedMovies(order: LEAST, first: $first, filter: $filter) { nodes { ...MovieFields } }
}${MOVIE_FIELDS}`;

/** The catalogue's genres with how many of their films the model can answer about. */
export const GENRES_QUERY = `
query Genres {
  genres { name movies inModel }
}`;

// Hundreds of points: only what the dots, their tooltips and the dimming of filtered-out films need.
export const MAP_QUERY = `
query Map($limit: Int) {
  pcaProjection(limit: $limit) { x y movie { id title displayTitle year genres averageRating ratingCount } }
}`;

/** Films the visitor would probably rate highest, from their own ratings (the gateway folds them into the model). */
export const RECOMMEND_QUERY = `
query Recommend($ratings: [VisitorRatingInput!]!, $k: Int, $filter: MovieFilter) {
  recommendFor(ratings: $ratings, k: $k, filter: $filter) { predictedRating movie { ...MovieFields } }
}${MOVIE_FIELDS}`;

/** One film by title (a mood named in a shared URL). */
export const MOVIE_QUERY = `
query Movie($title: String!) {
  movie(title: $title) { ...MovieFields }
}${MOVIE_FIELDS}`;

/** What "similar" means (GraphQL SimilarityBasis); BLEND is the API's default. */
export const BASES = ['BLEND', 'AUDIENCE', 'TASTE'] as const;
export type Basis = (typeof BASES)[number];
export const DEFAULT_BASIS: Basis = 'BLEND';

/** A basis from the URL or the select (any case); anything else is the default. */
export function parseBasis(value: string | null | undefined): Basis {
  const v = (value ?? '').trim().toUpperCase();
  return (BASES as readonly string[]).includes(v) ? (v as Basis) : DEFAULT_BASIS;
}

/** The blog's "good film" bar: the average rating a film needs to count as good. */
export const GOOD_FILM_MIN_AVERAGE = 3.5;
export const MIN_K = 1;
export const MAX_K = 100;
export const DEFAULT_K = 10;

/** What the filter form holds: raw strings as typed, so the form can say what is wrong. */
export interface FilterForm {
  genres: string[];
  excludeGenres: string[];
  yearFrom: string;
  yearTo: string;
  onlyGood: boolean;
  minAverageRating: string;
  minRatingCount: string;
}

export const EMPTY_FILTER_FORM: FilterForm = {
  genres: [],
  excludeGenres: [],
  yearFrom: '',
  yearTo: '',
  onlyGood: false,
  minAverageRating: '',
  minRatingCount: '',
};

/** The form a visitor starts with: "only the good ones" (the blog's promise) is on. */
export const DEFAULT_FILTER_FORM: FilterForm = { ...EMPTY_FILTER_FORM, onlyGood: true };

export interface BuiltFilter {
  /** undefined when the form constrains nothing (the server's defaults apply). */
  filter?: MovieFilter;
  /** One sentence per problem, naming the field as the form labels it. */
  errors: string[];
}

function parseWhole(label: string, raw: string, min: number, max: number, errors: string[]): number | undefined {
  const s = raw.trim();
  if (s === '') return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < min || n > max) {
    errors.push(`${label} must be a whole number from ${min} to ${max} (got "${s}")`);
    return undefined;
  }
  return n;
}

/** The MovieFilter for the form, or the reasons it is invalid (nothing is sent then). */
export function buildFilter(form: FilterForm): BuiltFilter {
  const errors: string[] = [];
  const filter: MovieFilter = {};
  const genres = [...new Set(form.genres)];
  const excludeGenres = [...new Set(form.excludeGenres)];
  const both = genres.filter((g) => excludeGenres.includes(g));
  if (both.length > 0) errors.push(`${both.join(', ')} cannot be both wanted and excluded`);
  if (genres.length > 0) filter.genres = genres;
  if (excludeGenres.length > 0) filter.excludeGenres = excludeGenres;
  const yearFrom = parseWhole('From year', form.yearFrom, 1800, 2200, errors);
  const yearTo = parseWhole('To year', form.yearTo, 1800, 2200, errors);
  if (yearFrom !== undefined && yearTo !== undefined && yearFrom > yearTo)
    errors.push(`From year (${yearFrom}) is after To year (${yearTo}); swap them`);
  if (yearFrom !== undefined) filter.yearFrom = yearFrom;
  if (yearTo !== undefined) filter.yearTo = yearTo;
  let minAvg: number | undefined;
  const rawAvg = form.minAverageRating.trim();
  if (rawAvg !== '') {
    const n = Number(rawAvg);
    if (!Number.isFinite(n) || n < 0 || n > 5) errors.push(`Minimum average rating must be a number from 0 to 5 (got "${rawAvg}")`);
    else minAvg = n;
  }
  if (form.onlyGood) minAvg = Math.max(minAvg ?? 0, GOOD_FILM_MIN_AVERAGE);
  if (minAvg !== undefined && minAvg > 0) filter.minAverageRating = minAvg;
  const minCount = parseWhole('Minimum number of ratings', form.minRatingCount, 0, 100_000_000, errors);
  // 0 is meaningful: it lifts the server's default floor on rating counts.
  if (minCount !== undefined) filter.minRatingCount = minCount;
  return Object.keys(filter).length === 0 ? { errors } : { filter, errors };
}

/** k from the form, clamped to what the API accepts (1..100). */
export function parseK(raw: string | number): number {
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isFinite(n)) return DEFAULT_K;
  return Math.min(MAX_K, Math.max(MIN_K, Math.round(n)));
}

/**
 * The title to send back to the API for a film the page already knows: its title with
 * the year appended when the title does not already end with it, so a title shared by
 * several films ("Hamlet") resolves to this one and not the most-rated namesake.
 */
export function titleQueryFor(movie: Pick<FilmRef, 'title' | 'year'>): string {
  const t = movie.title.trim();
  if (movie.year === null || movie.year === undefined) return t;
  return /\(\d{4}\)\s*$/.test(t) ? t : `${t} (${movie.year})`;
}

/** Neighbours of a title typed by hand, with the film itself (to name it in the heading). */
export const SIMILAR_WITH_MOVIE_QUERY = `
query SimilarWithMovie($title: String!, $k: Int, $filter: MovieFilter, $basis: SimilarityBasis) {
  movie(title: $title) { ...MovieFields }
  similarMovies(title: $title, k: $k, filter: $filter, basis: $basis) { similarity movie { ...MovieFields } }
}${MOVIE_FIELDS}`;

/** The model card. ModelRun's fields follow apps/gateway/schema.graphql. */
export const MODEL_QUERY = `
query ActiveModel {
  activeModel { id createdAt engine backend movieCount params metrics epochs { epoch trainLoss validLoss validRmse seconds } }
}`;
