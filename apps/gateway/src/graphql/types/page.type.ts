// Cursor pages with a total count, for the lists that can be long (search, appreciation,
// the PCA map). A cursor is opaque to clients: it names the run it was issued for and the
// position after the page (apps/gateway/src/graphql/paging.ts).
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { MovieView } from './movie.type';
import { MovieProjection } from './movie-projection.type';

@ObjectType()
export class PageInfo {
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page (null on an empty page).' })
  endCursor!: string | null;

  @Field(() => Boolean)
  hasNextPage!: boolean;
}

@ObjectType({ description: 'A page of movies and how many the whole list holds.' })
export class MoviePage {
  @Field(() => Int, { description: 'Movies in the whole list, every page together.' })
  totalCount!: number;

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => [MovieView])
  nodes!: MovieView[];
}

@ObjectType({ description: 'A page of the PCA map and how many points the whole map holds.' })
export class ProjectionPage {
  @Field(() => Int)
  totalCount!: number;

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => [MovieProjection])
  nodes!: MovieProjection[];
}

@ObjectType({ description: "The dataset's curation as recorded, which shaped every list of trained films." })
export class DatasetFilters {
  @Field(() => String, { nullable: true, description: 'floors, blog or blog-scaled (null: recorded before presets).' })
  curation!: string | null;

  @Field(() => Float, { nullable: true })
  minAvgRating!: number | null;

  @Field(() => Int, { nullable: true })
  minMovieRatings!: number | null;

  @Field(() => Int, { nullable: true })
  minUserRatings!: number | null;

  @Field(() => Float, { nullable: true, description: 'null: no sampling.' })
  sampleFraction!: number | null;

  @Field(() => Int, { description: "The rating-count floor this list applied (the filter's minRatingCount, default 10)." })
  listFloor!: number;

  @Field(() => String, { description: 'One line for people saying what shaped the list.' })
  summary!: string;
}

@ObjectType({ description: 'A page of movies by learned bias, and the dataset filters that shaped the list.' })
export class AppreciationPage extends MoviePage {
  @Field(() => DatasetFilters)
  shapedBy!: DatasetFilters;
}
