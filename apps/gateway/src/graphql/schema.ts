// Builds the executable schema from the decorated classes; printGatewaySchema() is
// what apps/gateway/schema.graphql holds (a test fails when they drift; regenerate
// with `node dist/apps/gateway/schema.js`).
import 'reflect-metadata';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { SimilarResolver } from './resolvers/similar.resolver';
import { MovieResolver } from './resolvers/movie.resolver';
import { AppreciationResolver } from './resolvers/appreciation.resolver';
import { ProjectionResolver } from './resolvers/projection.resolver';
import { PredictionResolver } from './resolvers/prediction.resolver';
import { ModelResolver } from './resolvers/model.resolver';
import { VisitorResolver } from './resolvers/visitor.resolver';
import { CatalogueResolver } from './resolvers/catalogue.resolver';

let built: Promise<GraphQLSchema> | null = null;

export function gatewaySchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: [
      SimilarResolver,
      MovieResolver,
      AppreciationResolver,
      CatalogueResolver,
      ProjectionResolver,
      PredictionResolver,
      ModelResolver,
      VisitorResolver,
    ],
    validate: false,
    emitSchemaFile: false,
  });
  return built;
}

export async function printGatewaySchema(): Promise<string> {
  const header =
    '# Generated from apps/gateway/src/graphql (type-graphql). Do not edit: run `npm run build && node dist/apps/gateway/schema.js`.\n\n';
  return header + printSchema(lexicographicSortSchema(await gatewaySchema())) + '\n';
}
