// GraphQL types of visitor recommendations: the visitor's own ratings in, predicted
// ratings out (recommendFor, predictRatings).
import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { MovieView } from './movie.type';

@InputType({ description: 'One rating a visitor gives: a movie by id or by title (exactly one), rating 0.5..5 in steps of 0.5.' })
export class VisitorRatingInput {
  @Field(() => Int, { nullable: true, description: 'MovieLens movieId.' })
  id?: number | null;

  @Field(() => String, { nullable: true, description: 'Resolved as similarMovies resolves titles.' })
  title?: string | null;

  @Field(() => Float)
  rating!: number;
}

@InputType({ description: 'A movie by id or by title (exactly one).' })
export class MovieRefInput {
  @Field(() => Int, { nullable: true })
  id?: number | null;

  @Field(() => String, { nullable: true })
  title?: string | null;
}

@ObjectType({ description: "A movie with the rating the model predicts for the visitor (the model's y_range)." })
export class PredictedMovie {
  @Field(() => MovieView)
  movie!: MovieView;

  @Field(() => Float)
  predictedRating!: number;
}
