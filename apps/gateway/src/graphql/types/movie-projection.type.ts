// GraphQL MovieProjection: a movie's first three principal components (the blog's plot).
import { Field, Float, ObjectType } from 'type-graphql';
import { MovieView } from './movie.type';

@ObjectType()
export class MovieProjection {
  @Field(() => MovieView)
  movie!: MovieView;

  @Field(() => Float)
  x!: number;

  @Field(() => Float)
  y!: number;

  @Field(() => Float)
  z!: number;
}
