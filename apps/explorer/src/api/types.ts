// The shapes the explorer reads from the public GraphQL API. Generated from the schema
// the gateway commits (./schema.generated.ts; a test fails when it is stale), so the
// client never keeps its own copy of a movie; here only the subsets the page asks for.
import type { Movie, MovieProjection as SchemaProjection } from './schema.generated';

export type { Movie, MovieFilter, SimilarMovie } from './schema.generated';

/** What the page needs to name a film and send it back: the map asks for no more. */
export type FilmRef = Pick<Movie, 'id' | 'title' | 'displayTitle' | 'year' | 'genres'>;

/** A film on the map: its FilmRef and what the dimming of filtered-out films reads. */
export type MapFilm = FilmRef & Pick<Movie, 'averageRating' | 'ratingCount'>;

/** A point of the map: MAP_QUERY selects x, y and the film's FilmRef fields. */
export type MovieProjection = Pick<SchemaProjection, 'x' | 'y'> & { movie: MapFilm };

/** One film of the results: a neighbour (similarity) or a recommendation (the stars the visitor would give). */
export interface Listed {
  movie: Movie;
  similarity?: number;
  predicted?: number;
}
