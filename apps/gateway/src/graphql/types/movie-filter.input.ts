// GraphQL MovieFilter: which movies a list may contain (libs/domain MovieFilter).
import { Field, Float, InputType, Int } from 'type-graphql';
import { DEFAULT_MIN_RATING_COUNT } from '@cinemap/domain';

@InputType({
  description: `Restricts a movie list. Without minRatingCount, movies rated by fewer than the default floor (${DEFAULT_MIN_RATING_COUNT}) are left out.`,
})
export class MovieFilter {
  @Field(() => [String], { nullable: true, description: 'Keep movies with at least one of these genres.' })
  genres?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Drop movies with any of these genres.' })
  excludeGenres?: string[] | null;

  @Field(() => Int, { nullable: true, description: 'Inclusive; movies without a year are dropped.' })
  yearFrom?: number | null;

  @Field(() => Int, { nullable: true, description: 'Inclusive; movies without a year are dropped.' })
  yearTo?: number | null;

  @Field(() => Float, { nullable: true })
  minAverageRating?: number | null;

  @Field(() => Int, { nullable: true, description: `Default ${DEFAULT_MIN_RATING_COUNT}; 0 keeps every movie.` })
  minRatingCount?: number | null;
}
