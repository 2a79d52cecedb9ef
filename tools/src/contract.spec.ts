// One source of truth, tested: the GraphQL types (apps/gateway/schema.graphql), the
// domain types (libs/domain) and the SQL schema (libs/db migrations) must not drift.
// Given the three, when read side by side, then every field maps to its partner.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, GraphQLInputObjectType, GraphQLObjectType } from 'graphql';
import * as ts from 'typescript';
import { openPglite, migrate, type Db } from '@cinemap/db';

const root = join(__dirname, '..', '..');

function interfaceFields(file: string, name: string): string[] {
  const src = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  let found: string[] | undefined;
  src.forEachChild((n) => {
    if (ts.isInterfaceDeclaration(n) && n.name.text === name) found = n.members.map((m) => (m.name as ts.Identifier).text);
  });
  if (!found) throw new Error(`interface ${name} not found in ${file}`);
  return found;
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

describe('contract: GraphQL ↔ domain ↔ SQL', () => {
  const schema = buildSchema(readFileSync(join(root, 'apps/gateway/schema.graphql'), 'utf8'));
  let db: Db;
  let columns: Record<string, string[]>;
  beforeAll(async () => {
    db = await openPglite({ dataDir: 'memory://' });
    await migrate(db);
    const rows = await db.query<{ table_name: string; column_name: string }>(
      "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'",
    );
    columns = {};
    for (const r of rows) (columns[r.table_name] ??= []).push(r.column_name);
  }, 60_000);
  afterAll(() => db?.close());

  it('stores every field of the domain Movie in a movies column', () => {
    const fields = interfaceFields('libs/domain/src/movie.ts', 'Movie');
    expect(fields.length).toBeGreaterThanOrEqual(9);
    expect(fields.map(snake).filter((c) => !columns.movies.includes(c))).toEqual([]);
  });

  it('serves every domain Movie field through GraphQL Movie, and nothing GraphQL cannot source', () => {
    const gql = Object.keys((schema.getType('Movie') as GraphQLObjectType).getFields());
    // GraphQL names that differ from the domain's, with where they come from.
    const derived: Record<string, string> = {
      id: 'movieId',
      imdbUrl: 'imdbId',
      tmdbUrl: 'tmdbId',
      bias: 'movie_embeddings.bias',
      inModel: 'movie_embeddings.movie_id',
    };
    const domain = interfaceFields('libs/domain/src/movie.ts', 'Movie');
    const sourced = gql.map((f) => derived[f] ?? f);
    expect(sourced.filter((f) => !domain.includes(f) && !f.includes('.'))).toEqual([]);
    expect(columns.movie_embeddings).toContain('bias');
    // Everything the domain knows of a movie, the display title and why it is out of the model included.
    expect(domain.filter((f) => !sourced.includes(f))).toEqual([]);
  });

  it('filters on the same fields in GraphQL MovieFilter and the domain MovieFilter', () => {
    const gql = Object.keys((schema.getType('MovieFilter') as GraphQLInputObjectType).getFields()).sort();
    expect(gql).toEqual(interfaceFields('libs/domain/src/movie-filter.ts', 'MovieFilter').sort());
  });

  it("keeps the contract's core columns of every table (docs/architecture.md)", () => {
    const core: Record<string, string[]> = {
      model_runs: ['id', 'dataset_id', 'created_at', 'params', 'engine', 'backend', 'metrics', 'status', 'active'],
      datasets: ['id', 'created_at', 'source', 'params', 'counts', 'active'],
    };
    for (const [t, cs] of Object.entries(core)) expect(cs.filter((c) => !columns[t].includes(c))).toEqual([]);
    const run = Object.keys((schema.getType('ModelRun') as GraphQLObjectType).getFields());
    for (const f of ['id', 'datasetId', 'createdAt', 'engine', 'backend', 'params', 'metrics']) expect(run).toContain(f);
  });
});
