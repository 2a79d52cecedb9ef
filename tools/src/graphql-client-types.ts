// The explorer's TypeScript types, generated from the committed schema
// (apps/gateway/schema.graphql, itself generated from the gateway's type-graphql
// classes): one movie shape, written once in the gateway, followed by the client.
// A drift test (graphql-client-types.spec.ts) fails when the committed file is stale.
// Regenerate: node --import tsx tools/src/graphql-client-types.ts
//
// A few dozen lines on graphql-js rather than GraphQL Code Generator: the schema has
// six object types, one input and one custom scalar, and codegen's CLI brings ~150
// packages (babel, url/git/github loaders, inquirer) for the same output.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
} from 'graphql';

const root = join(__dirname, '..', '..');
export const SCHEMA_FILE = join(root, 'apps/gateway/schema.graphql');
export const CLIENT_TYPES_FILE = join(root, 'apps/explorer/src/api/schema.generated.ts');

/** TypeScript for each scalar; a scalar not listed here stops the generator (decide its type first). */
const SCALARS: Record<string, string> = {
  Int: 'number',
  Float: 'number',
  String: 'string',
  ID: 'string',
  Boolean: 'boolean',
  JSONObject: 'Record<string, unknown>',
};

function tsType(t: GraphQLType): string {
  if (isNonNullType(t)) return tsBase(t.ofType);
  return `${tsBase(t)} | null`;
}

function tsBase(t: GraphQLType): string {
  if (isNonNullType(t)) return tsBase(t.ofType);
  if (isListType(t)) {
    const inner = tsType(t.ofType);
    return inner.includes('|') ? `(${inner})[]` : `${inner}[]`;
  }
  if (isScalarType(t)) {
    const s = SCALARS[t.name];
    if (!s) throw new Error(`scalar ${t.name} has no TypeScript type: add it to SCALARS in tools/src/graphql-client-types.ts`);
    return s;
  }
  if (isEnumType(t))
    return t
      .getValues()
      .map((v) => JSON.stringify(v.value))
      .join(' | ');
  return (t as GraphQLNamedType).name;
}

function doc(description: string | null | undefined, indent: string): string {
  return description ? `${indent}/** ${description.replace(/\*\//g, '* /').replace(/\n+/g, ' ')} */\n` : '';
}

/** An input (or argument) may be left out when it is nullable or has a default. */
function member(f: GraphQLInputField | GraphQLArgument): string {
  const optional = !isNonNullType(f.type) || f.defaultValue !== undefined;
  return `${doc(f.description, '  ')}  ${f.name}${optional ? '?' : ''}: ${optional ? tsType(f.type).replace(/ \| null$/, '') + ' | null' : tsType(f.type)};\n`;
}

function field(f: GraphQLField<unknown, unknown>): string {
  return `${doc(f.description, '  ')}  ${f.name}: ${tsType(f.type)};\n`;
}

const upperFirst = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/** The generated module for `schema`: one interface per object and input type, one per root field's arguments. */
export function clientTypes(schema: GraphQLSchema): string {
  const out = [
    '// Generated from apps/gateway/schema.graphql by tools/src/graphql-client-types.ts. Do not edit:',
    '// run `node --import tsx tools/src/graphql-client-types.ts` (a test fails while this file is stale).',
    '',
  ];
  const query = schema.getQueryType();
  const named = Object.values(schema.getTypeMap())
    .filter((t) => !t.name.startsWith('__'))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const t of named) {
    if (isObjectType(t) && t !== query) {
      out.push(`${doc(t.description, '')}export interface ${t.name} {\n${Object.values(t.getFields()).map(field).join('')}}\n`);
    } else if (isInputObjectType(t)) {
      out.push(`${doc(t.description, '')}export interface ${t.name} {\n${Object.values(t.getFields()).map(member).join('')}}\n`);
    }
  }
  for (const f of Object.values(query?.getFields() ?? {}).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!f.args.length) continue;
    out.push(`/** Variables of Query.${f.name}. */\nexport interface Query${upperFirst(f.name)}Args {\n${f.args.map(member).join('')}}\n`);
  }
  return out.join('\n');
}

/** What CLIENT_TYPES_FILE must hold for the committed schema. */
export function expectedClientTypes(): string {
  return clientTypes(buildSchema(readFileSync(SCHEMA_FILE, 'utf8')));
}

if (require.main === module) {
  writeFileSync(CLIENT_TYPES_FILE, expectedClientTypes());
  console.log(`wrote ${CLIENT_TYPES_FILE}`);
}
