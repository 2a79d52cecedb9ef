// The committed apps/gateway/schema.graphql is what the code serves: this fails when
// a decorator changes without regenerating the file (node dist/apps/gateway/schema.js).
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { printGatewaySchema } from './schema';

describe('schema.graphql', () => {
  it('matches the schema built from the code', async () => {
    const committed = readFileSync(join(__dirname, '../../schema.graphql'), 'utf8');
    expect(await printGatewaySchema()).toBe(committed);
  });

  it('holds the contract of docs/architecture.md ("The contract")', async () => {
    const s = await printGatewaySchema();
    for (const line of [
      'similarMovies(filter: MovieFilter, k: Int = 10, minSimilarity: Float, title: String!): [SimilarMovie!]!',
      'similarToMany(avoid: [String!], filter: MovieFilter, k: Int = 10, minSimilarity: Float, titles: [String!]!): [SimilarMovie!]!',
      'recommendFor(filter: MovieFilter, k: Int = 10, ratings: [VisitorRatingInput!]!): [PredictedMovie!]!',
      'predictRatings(movies: [MovieRefInput!]!, ratings: [VisitorRatingInput!]!): [PredictedMovie!]!',
      'movie(id: Int, title: String): Movie',
      'searchMovies(inModel: Boolean, limit: Int = 10, query: String!): [Movie!]!',
      'mostAppreciated(filter: MovieFilter, limit: Int = 10): [Movie!]!',
      'leastAppreciated(filter: MovieFilter, limit: Int = 10): [Movie!]!',
      'pcaProjection(filter: MovieFilter, limit: Int = 200): [MovieProjection!]!',
      'predictRating(title: String!, userId: Int!): Float',
      'activeModel: ModelRun',
    ])
      expect(s).toContain(line);
  });
});
