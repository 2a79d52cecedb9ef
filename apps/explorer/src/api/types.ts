// The shapes the explorer reads from the public GraphQL API (apps/gateway/schema.graphql).
// Only the fields the page asks for; keep in step with the queries in ./queries.ts.

export interface Movie {
  id: number;
  title: string;
  year: number | null;
  genres: string[];
  ratingCount: number;
  averageRating: number;
  bias: number | null;
  imdbUrl: string | null;
  tmdbUrl: string | null;
}

/** What the page needs to name a film and send it back: the map asks for no more. */
export type FilmRef = Pick<Movie, 'id' | 'title' | 'year' | 'genres'>;

export interface SimilarMovie {
  movie: Movie;
  similarity: number;
}

export interface MovieProjection {
  movie: FilmRef;
  x: number;
  y: number;
}

export interface MovieFilter {
  genres?: string[];
  excludeGenres?: string[];
  yearFrom?: number;
  yearTo?: number;
  minAverageRating?: number;
  minRatingCount?: number;
}
