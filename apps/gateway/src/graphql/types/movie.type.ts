// GraphQL Movie: a catalogue movie with its bias in the active run.
import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A movie of the MovieLens catalogue.' })
export class Movie {
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
