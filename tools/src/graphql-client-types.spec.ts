// The explorer's client types follow the committed schema: given schema.graphql, when
// the generator runs, then it writes exactly the committed schema.generated.ts.
import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import { CLIENT_TYPES_FILE, SCHEMA_FILE, clientTypes, expectedClientTypes } from './graphql-client-types';

describe('apps/explorer/src/api/schema.generated.ts', () => {
  it('is what the generator makes of apps/gateway/schema.graphql (regenerate: node --import tsx tools/src/graphql-client-types.ts)', () => {
    expect(readFileSync(CLIENT_TYPES_FILE, 'utf8')).toBe(expectedClientTypes());
  });

  it('changes when the schema does (planted: a new Movie field)', () => {
    const sdl = readFileSync(SCHEMA_FILE, 'utf8').replace('type Movie {', 'type Movie {\n  runtimeMinutes: Int');
    expect(clientTypes(buildSchema(sdl))).toContain('export interface Movie {\n  runtimeMinutes: number | null;\n');
    expect(clientTypes(buildSchema(sdl))).not.toBe(expectedClientTypes());
  });

  it('maps nullability, lists, inputs and arguments as a client sends and reads them', () => {
    const out = clientTypes(
      buildSchema(
        'type Query { f(a: Int!, b: [String!] = [], c: In): [T]! }\ntype T { x: [Int!]!, y: [Float] }\ninput In { p: Boolean!, q: Int = 3 }',
      ),
    );
    expect(out).toContain('export interface T {\n  x: number[];\n  y: (number | null)[] | null;\n}');
    expect(out).toContain('export interface In {\n  p: boolean;\n  q?: number | null;\n}');
    expect(out).toContain('export interface QueryFArgs {\n  a: number;\n  b?: string[] | null;\n  c?: In | null;\n}');
  });

  it('refuses a scalar it has no TypeScript type for', () => {
    expect(() => clientTypes(buildSchema('scalar Money\ntype Query { price: Money }\ntype P { m: Money }'))).toThrow(
      /scalar Money has no TypeScript type/,
    );
  });
});
