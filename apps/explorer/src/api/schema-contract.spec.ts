// Every operation the page sends is valid against the schema the gateway commits
// (apps/gateway/schema.graphql, kept equal to the served schema by the gateway's drift
// test): a renamed field or argument fails here, with the operation and the reason,
// before any browser starts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import * as queries from './queries';

const SCHEMA_FILE = join(__dirname, '../../../gateway/schema.graphql');

describe("the explorer's GraphQL operations against apps/gateway/schema.graphql", () => {
  const schema = buildSchema(readFileSync(SCHEMA_FILE, 'utf8'));
  const operations = Object.entries(queries).filter(([name, v]) => name.endsWith('_QUERY') && typeof v === 'string') as [string, string][];

  it('covers every operation the page sends', () => {
    expect(operations.map(([n]) => n).sort()).toEqual([
      'APPRECIATED_QUERY',
      'GENRES_QUERY',
      'MAP_QUERY',
      'MODEL_QUERY',
      'MOOD_QUERY',
      'MOVIE_QUERY',
      'RECOMMEND_QUERY',
      'SEARCH_QUERY',
      'SIMILAR_QUERY',
      'SIMILAR_WITH_MOVIE_QUERY',
    ]);
  });

  it.each(operations)('%s is valid', (_name, doc) => {
    expect(validate(schema, parse(doc)).map((e) => e.message)).toEqual([]);
  });
});
