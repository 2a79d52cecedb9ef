// GraphQL MovieFilter: which movies a list may contain (libs/domain MovieFilter).
import { Field, Float, InputType, Int } from 'type-graphql';

@InputType({ description: 'Restricts a movie list. Without minRatingCount, movies rated by fewer than the default floor (10) are left out.' })
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

  @Field(() => Int, { nullable: true, description: 'Default 10; 0 keeps every movie.' })
  minRatingCount?: number | null;
}
