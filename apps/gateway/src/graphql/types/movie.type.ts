// GraphQL Movie: a catalogue movie with its bias in the active run. THE movie shape
// the API serves: the snapshot builds these once per run, resolvers return them,
// schema.graphql is printed from this class and the explorer's client types are
// generated from schema.graphql (tools/src/graphql-client-types.ts).
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { imdbUrl, tmdbUrl } from '@cinemap/domain';
import type { MovieRow } from '@cinemap/db';

@ObjectType('Movie', { description: 'A movie of the MovieLens catalogue.' })
export class MovieView {
  @Field(() => Int, { description: 'MovieLens movieId.' })
  id!: number;

  @Field(() => String, { description: 'Exactly as in movies.csv: "Matrix, The (1999)".' })
  title!: string;

  @Field(() => Int, { nullable: true })
  year!: number | null;

  @Field(() => [String])
  genres!: string[];

  @Field(() => Int, { description: 'Ratings in the whole dump.' })
  ratingCount!: number;

  @Field(() => Float, { description: 'Average rating in the whole dump (0.5..5).' })
  averageRating!: number;

  @Field(() => Float, { nullable: true, description: "The movie's learned bias in the active run (null when it was not trained on)." })
  bias!: number | null;

  @Field(() => String, { nullable: true })
  imdbUrl!: string | null;

  @Field(() => String, { nullable: true })
  tmdbUrl!: string | null;
}

/** A catalogue row as the API shows it (links built from the ids). */
export function toMovieView(r: MovieRow): MovieView {
  return {
    id: r.movieId,
    title: r.title,
    year: r.year,
    genres: r.genres,
    ratingCount: r.ratingCount,
    averageRating: r.averageRating,
    bias: r.bias,
    imdbUrl: imdbUrl(r.imdbId),
    tmdbUrl: tmdbUrl(r.tmdbId),
  };
}
