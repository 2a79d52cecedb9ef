// GraphQL MovieProjection: a movie's first three principal components (the blog's plot).
import { Field, Float, ObjectType } from 'type-graphql';
import { Movie } from './movie.type';

@ObjectType()
export class MovieProjection {
  @Field(() => Movie)
  movie!: Movie;

  @Field(() => Float)
  x!: number;

  @Field(() => Float)
  y!: number;

  @Field(() => Float)
  z!: number;
}
