// GraphQL SimilarMovie: a neighbour and its cosine similarity to the query.
import { Field, Float, ObjectType } from 'type-graphql';
import { MovieView } from './movie.type';

@ObjectType()
export class SimilarMovie {
  @Field(() => MovieView)
  movie!: MovieView;

  @Field(() => Float, { description: 'Cosine similarity of the embeddings, -1..1.' })
  similarity!: number;
}
