// Generated from apps/gateway/schema.graphql by tools/src/graphql-client-types.ts. Do not edit:
// run `node --import tsx tools/src/graphql-client-types.ts` (a test fails while this file is stale).

/** A page of movies by learned bias, and the dataset filters that shaped the list. */
export interface AppreciationPage {
  nodes: Movie[];
  pageInfo: PageInfo;
  shapedBy: DatasetFilters;
  /** Movies in the whole list, every page together. */
  totalCount: number;
}

/** The dataset's curation as recorded, which shaped every list of trained films. */
export interface DatasetFilters {
  /** floors, blog or blog-scaled (null: recorded before presets). */
  curation: string | null;
  /** The rating-count floor this list applied (the filter's minRatingCount, default 10). */
  listFloor: number;
  minAvgRating: number | null;
  minMovieRatings: number | null;
  minUserRatings: number | null;
  /** null: no sampling. */
  sampleFraction: number | null;
  /** One line for people saying what shaped the list. */
  summary: string;
}

/** Loss figures of one training epoch. */
export interface EpochMetrics {
  epoch: number;
  /** Wall-clock seconds. */
  seconds: number | null;
  /** Training MSE. */
  trainLoss: number | null;
  /** Validation MSE. */
  validLoss: number | null;
  validRmse: number | null;
}

/** A genre of the served catalogue with its counts. */
export interface GenreCount {
  /** Of those, the ones in the model (similarMovies can answer about them). */
  inModel: number;
  /** Catalogue movies with this genre. */
  movies: number;
  name: string;
}

/** A trained model run (the one serving answers). */
export interface ModelRun {
  /** The dataset active in the database now (null: none). */
  activeDatasetId: number | null;
  /** Where it trained: cpu, wasm, tensorflow, cuda, ... */
  backend: string;
  /** ISO 8601. */
  createdAt: string;
  /** The dataset this run was trained on; answers use its catalogue. */
  datasetId: number;
  /** native or tfjs. */
  engine: string;
  epochs: EpochMetrics[];
  /** Embedding dimension. */
  factors: number;
  id: number;
  /** When this gateway loaded it (ISO 8601). */
  loadedAt: string;
  /** Metrics as recorded by the trainer. */
  metrics: Record<string, unknown>;
  /** Movies with an embedding. */
  movieCount: number;
  /** Training parameters as recorded. */
  params: Record<string, unknown>;
  /** False when a newer dataset was ingested after this run was trained: answers still come from this run and its own catalogue until a run on the new dataset is activated (npm run train). */
  upToDate: boolean;
}

/** A movie of the MovieLens catalogue. */
export interface Movie {
  /** Average rating in the whole dump (0.5..5). */
  averageRating: number;
  /** The movie's learned bias in the active run (null when it was not trained on). */
  bias: number | null;
  /** What to show people: article in front, year and alternate titles off ("The Matrix"). */
  displayTitle: string;
  /** Why it is not in the model (null when inModel). */
  excludedBy: "MIN_AVG_RATING" | "MIN_MOVIE_RATINGS" | "MIN_USER_RATINGS" | "NOT_TRAINED" | "NO_RATINGS" | "SAMPLE_FRACTION" | null;
  genres: string[];
  /** MovieLens movieId. */
  id: number;
  imdbUrl: string | null;
  /** True when the active run has a vector for it: similarMovies, similarToMany and predictions can use it. */
  inModel: boolean;
  /** Ratings in the whole dump. */
  ratingCount: number;
  /** Exactly as in movies.csv: "Matrix, The (1999)". */
  title: string;
  tmdbUrl: string | null;
  /** Release year from the title (null when the title has none). */
  year: number | null;
}

/** Restricts a movie list. Without minRatingCount, movies rated by fewer than the default floor (10) are left out. */
export interface MovieFilter {
  /** Drop movies with any of these genres. */
  excludeGenres?: string[] | null;
  /** Keep movies with at least one of these genres. */
  genres?: string[] | null;
  minAverageRating?: number | null;
  /** Default 10; 0 keeps every movie. */
  minRatingCount?: number | null;
  /** Inclusive; movies without a year are dropped. */
  yearFrom?: number | null;
  /** Inclusive; movies without a year are dropped. */
  yearTo?: number | null;
}

/** A page of movies and how many the whole list holds. */
export interface MoviePage {
  nodes: Movie[];
  pageInfo: PageInfo;
  /** Movies in the whole list, every page together. */
  totalCount: number;
}

export interface MovieProjection {
  movie: Movie;
  x: number;
  y: number;
  z: number;
}

/** A movie by id or by title (exactly one). */
export interface MovieRefInput {
  id?: number | null;
  title?: string | null;
}

export interface PageInfo {
  /** Pass as `after` for the next page (null on an empty page). */
  endCursor: string | null;
  hasNextPage: boolean;
}

/** A movie with the rating the model predicts for the visitor (the model's y_range). */
export interface PredictedMovie {
  movie: Movie;
  predictedRating: number;
}

/** A page of the PCA map and how many points the whole map holds. */
export interface ProjectionPage {
  nodes: MovieProjection[];
  pageInfo: PageInfo;
  totalCount: number;
}

export interface SimilarMovie {
  movie: Movie;
  /** Cosine similarity of the embeddings, -1..1. */
  similarity: number;
}

/** One rating a visitor gives: a movie by id or by title (exactly one), rating 0.5..5 in steps of 0.5. */
export interface VisitorRatingInput {
  /** MovieLens movieId. */
  id?: number | null;
  rating: number;
  /** Resolved as similarMovies resolves titles. */
  title?: string | null;
}

/** Variables of Query.appreciatedMovies. */
export interface QueryAppreciatedMoviesArgs {
  after?: string | null;
  filter?: MovieFilter | null;
  first?: number | null;
  order: "LEAST" | "MOST";
}

/** Variables of Query.leastAppreciated. */
export interface QueryLeastAppreciatedArgs {
  filter?: MovieFilter | null;
  limit?: number | null;
}

/** Variables of Query.mostAppreciated. */
export interface QueryMostAppreciatedArgs {
  filter?: MovieFilter | null;
  limit?: number | null;
}

/** Variables of Query.movie. */
export interface QueryMovieArgs {
  id?: number | null;
  title?: string | null;
}

/** Variables of Query.movies. */
export interface QueryMoviesArgs {
  ids: number[];
}

/** Variables of Query.pcaMap. */
export interface QueryPcaMapArgs {
  after?: string | null;
  filter?: MovieFilter | null;
  first?: number | null;
}

/** Variables of Query.pcaProjection. */
export interface QueryPcaProjectionArgs {
  filter?: MovieFilter | null;
  limit?: number | null;
}

/** Variables of Query.predictRating. */
export interface QueryPredictRatingArgs {
  title: string;
  userId: number;
}

/** Variables of Query.predictRatings. */
export interface QueryPredictRatingsArgs {
  movies: MovieRefInput[];
  ratings: VisitorRatingInput[];
}

/** Variables of Query.recommendFor. */
export interface QueryRecommendForArgs {
  filter?: MovieFilter | null;
  k?: number | null;
  ratings: VisitorRatingInput[];
}

/** Variables of Query.searchMovies. */
export interface QuerySearchMoviesArgs {
  inModel?: boolean | null;
  limit?: number | null;
  query: string;
}

/** Variables of Query.searchMoviesPage. */
export interface QuerySearchMoviesPageArgs {
  after?: string | null;
  first?: number | null;
  inModel?: boolean | null;
  query: string;
}

/** Variables of Query.similarMovies. */
export interface QuerySimilarMoviesArgs {
  filter?: MovieFilter | null;
  k?: number | null;
  minSimilarity?: number | null;
  title: string;
}

/** Variables of Query.similarToMany. */
export interface QuerySimilarToManyArgs {
  avoid?: string[] | null;
  filter?: MovieFilter | null;
  k?: number | null;
  minSimilarity?: number | null;
  titles: string[];
}
