// GraphQL Movie: a catalogue movie with its bias in the active run. THE movie shape
// the API serves: the snapshot builds these once per run, resolvers return them,
// schema.graphql is printed from this class and the explorer's client types are
// generated from schema.graphql (tools/src/graphql-client-types.ts).
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { imdbUrl, MOVIE_EXCLUSIONS, tmdbUrl, type MovieExclusion } from '@cinemap/domain';
import type { MovieRow } from '@cinemap/db';

/** The domain's closed set of reasons, as a GraphQL enum (values named as in the domain). */
export const ExcludedBy = Object.fromEntries(MOVIE_EXCLUSIONS.map((r) => [r, r])) as { [K in MovieExclusion]: K };

registerEnumType(ExcludedBy, {
  name: 'ExcludedBy',
  description: "Why a movie has no vector in the active run: the dataset's curation step that removed its last rating.",
  valuesConfig: {
    NO_RATINGS: { description: 'No rating at all in the dataset.' },
    MIN_AVG_RATING: { description: "Its average rating is below the dataset's --min-avg-rating." },
    MIN_MOVIE_RATINGS: { description: "It has fewer ratings than the dataset's --min-movie-ratings." },
    MIN_USER_RATINGS: { description: 'All its ratings came from users with fewer ratings than --min-user-ratings.' },
    SAMPLE_FRACTION: { description: "The dataset's sample (--sample-fraction) kept none of its ratings." },
    NOT_TRAINED: { description: 'Curated, but the run has no vector for it (a run trained before reasons were recorded).' },
  },
});

@ObjectType('Movie', { description: 'A movie of the MovieLens catalogue.' })
export class MovieView {
  @Field(() => Int, { description: 'MovieLens movieId.' })
  id!: number;

  @Field(() => String, { description: 'Exactly as in movies.csv: "Matrix, The (1999)".' })
  title!: string;

  @Field(() => String, { description: 'What to show people: article in front, year and alternate titles off ("The Matrix").' })
  displayTitle!: string;

  @Field(() => Int, { nullable: true, description: 'Release year from the title (null when the title has none).' })
  year!: number | null;

  @Field(() => [String])
  genres!: string[];

  @Field(() => Int, { description: 'Ratings in the whole dump.' })
  ratingCount!: number;

  @Field(() => Float, { description: 'Average rating in the whole dump (0.5..5).' })
  averageRating!: number;

  @Field(() => Float, { nullable: true, description: "The movie's learned bias in the active run (null when it was not trained on)." })
  bias!: number | null;

  @Field(() => Boolean, {
    description: 'True when the active run has a vector for it: similarMovies, similarToMany and predictions can use it.',
  })
  inModel!: boolean;

  @Field(() => ExcludedBy, { nullable: true, description: 'Why it is not in the model (null when inModel).' })
  excludedBy!: MovieExclusion | null;

  @Field(() => String, { nullable: true })
  imdbUrl!: string | null;

  @Field(() => String, { nullable: true })
  tmdbUrl!: string | null;
}

/**
 * A catalogue row as the API shows it (links built from the ids). A row with a bias
 * has a vector in the run it was read with (rows join movie_embeddings of that run).
 */
export function toMovieView(r: MovieRow): MovieView {
  const inModel = r.bias !== null && r.bias !== undefined;
  return {
    id: r.movieId,
    title: r.title,
    displayTitle: r.displayTitle,
    year: r.year,
    genres: r.genres,
    ratingCount: r.ratingCount,
    averageRating: r.averageRating,
    bias: r.bias,
    inModel,
    excludedBy: inModel ? null : (r.excludedBy ?? 'NOT_TRAINED'),
    imdbUrl: imdbUrl(r.imdbId),
    tmdbUrl: tmdbUrl(r.tmdbId),
  };
}
