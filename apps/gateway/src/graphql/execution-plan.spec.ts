// Given a validated document, when the gateway executes it by a compiled plan, then the
// result is what graphql-js's execute gives — data, nulls, errors — for every value a
// resolver may return (a property test over a schema of every built-in scalar, an enum,
// a custom scalar, lists and non-null wrappers), and the plan is used only where it is
// sure: everything else is graphql-js's.
import {
  buildSchema,
  execute,
  GraphQLScalarType,
  parse,
  validate,
  type ExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { Rng } from '@cinemap/math';
import { ExecutionPlans } from './execution-plan';

const SDL = `
  enum Mood { HAPPY SAD }
  scalar Odd
  type Item {
    i: Int  f: Float  s: String  b: Boolean  id: ID  e: Mood  o: Odd
    ni: Int!  nf: Float!  ns: String!
    li: [Int]  lns: [String!]  nl: [Int!]!
    child: Item  nchild: Item!
    withArg(x: Int): Int
    computed: Int
  }
  type Query { items(n: Int!, tag: String = "t"): [Item!]!  one(id: ID!): Item  other: Int }
  type Mutation { items(n: Int!): [Item!]! }
`;

/** What the `items` resolver returns for each request: set by each test. */
let source: unknown[] = [];
/** How often the `items` resolver ran, by its argument n. */
const itemsCalls = new Map<number, number>();

function makeSchema(): GraphQLSchema {
  const schema = buildSchema(SDL);
  // Odd serializes positive odd integers, says null for negative ones (graphql-js: an
  // error) and throws for the rest (a custom scalar's serialize decides).
  const odd = schema.getType('Odd') as GraphQLScalarType;
  odd.serialize = (v: unknown) => {
    // What graphql-js never lets a scalar see: an Error (an error) or a function (called).
    if (v instanceof Error) return 'an error';
    if (typeof v === 'function') return 'a function';
    if (typeof v === 'number' && Math.abs(v % 2) === 1) return v > 0 ? v : null;
    throw new TypeError(`Odd cannot represent ${String(v)}`);
  };
  const q = schema.getQueryType()!.getFields();
  const items: GraphQLFieldResolver<unknown, unknown> = (_root, args) => {
    const n = (args as { n: number }).n;
    itemsCalls.set(n, (itemsCalls.get(n) ?? 0) + 1);
    if (n < -5) throw new Error('n must be >= 0');
    if (n < 0) return Promise.reject(new Error('n must be >= 0, later'));
    return Promise.resolve(source.slice(0, (args as { n: number }).n));
  };
  q.items.resolve = items;
  q.one.resolve = (_root, args) => source.find((x) => (x as { id?: unknown })?.id === (args as { id: string }).id) ?? null;
  schema.getMutationType()!.getFields().items.resolve = items;
  // A plain resolver in type-graphql's manner (the property, unchanged) and one that is not.
  const item = (schema.getType('Item') as import('graphql').GraphQLObjectType).getFields();
  item.s.resolve = (root) => (root as Record<string, unknown>).s;
  item.computed.resolve = (root) => Number((root as Record<string, unknown>).i ?? 0) * 2;
  return schema;
}

const schema = makeSchema();
const ROOTS = new Set(['items', 'one']);

/** graphql-js's answer, as JSON (errors by message and path). */
function shape(r: ExecutionResult): string {
  return JSON.stringify({ data: r.data, errors: r.errors?.map((e) => ({ message: e.message, path: e.path })) });
}

async function both(query: string, variables?: Record<string, unknown>, operationName?: string) {
  const document = parse(query);
  expect(validate(schema, document)).toEqual([]);
  const plans = new ExecutionPlans(schema, { rootFields: ROOTS });
  const planned = await plans.execute({ document, operationName, contextValue: {}, variableValues: variables });
  const reference = await execute({ schema, document, operationName, contextValue: {}, variableValues: variables });
  return { planned: shape(planned), reference: shape(reference), plans, document };
}

const pool: unknown[] = [
  0,
  1,
  -7,
  3,
  2.5,
  -0,
  2 ** 31,
  2 ** 31 - 1,
  -(2 ** 31),
  1e300,
  NaN,
  Infinity,
  '',
  'text',
  '42',
  '2.5',
  true,
  false,
  null,
  undefined,
  'HAPPY',
  'SAD',
  'ANGRY',
  [],
  [1, 2],
  [1, null],
  ['a', 'b'],
  ['a', null],
  {},
  { valueOf: () => 5 },
  () => 1,
  new Error('boom'),
  Symbol('s') as unknown,
  10n as unknown,
];
const FIELDS = ['i', 'f', 's', 'b', 'id', 'e', 'o', 'ni', 'nf', 'ns', 'li', 'lns', 'nl'];

function randomItem(rng: Rng, depth: number, regular: number): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const f of FIELDS) {
    // Mostly well-formed values (so whole answers are planned), sometimes anything at all.
    if (rng.next() < regular) item[f] = regularValue(f, rng);
    else item[f] = pool[rng.int(pool.length)];
  }
  if (depth > 0) {
    const u = rng.next();
    item.child = u < 0.2 ? null : u > regular ? pool[rng.int(pool.length)] : randomItem(rng, depth - 1, regular);
    item.nchild = randomItem(rng, depth - 1, regular);
  }
  return item;
}

function regularValue(f: string, rng: Rng): unknown {
  switch (f) {
    case 'i':
    case 'ni':
      return rng.int(1000) - 500;
    case 'f':
    case 'nf':
      return rng.next() * 10;
    case 's':
    case 'ns':
    case 'id':
      return `v${rng.int(100)}`;
    case 'b':
      return rng.next() < 0.5;
    case 'e':
      return rng.next() < 0.5 ? 'HAPPY' : 'SAD';
    case 'o':
      return 2 * rng.int(50) + 1;
    case 'li':
    case 'nl':
      return [rng.int(9), rng.int(9)];
    default:
      return ['x', 'y'];
  }
}

const ALL = 'i f s b id e o ni nf ns li lns nl';
const QUERY = `query Q($n: Int!) { items(n: $n) { ${ALL} __typename child { ${ALL} } nchild { ${ALL} nchild { i ns } } } }`;

// Objects of nullable fields only: nothing below can turn a wrong value into a give-up.
const NULLABLE_ONLY = 'query Q($n: Int!) { items(n: $n) { i o child { i s o child { b o } } } }';

describe('compiled execution plans', () => {
  it('give what graphql-js gives for any value a resolver returns (property test, 600 answers)', async () => {
    const rng = new Rng(19);
    let planned = 0;
    for (let round = 0; round < 600; round++) {
      const regular = [1, 0.98, 0.9, 0.5][round % 4];
      source = Array.from({ length: 1 + rng.int(4) }, () => randomItem(rng, 2, regular));
      const r = await both(QUERY, { n: 5 });
      expect(r.planned).toEqual(r.reference);
      planned += r.plans.use.plan;
    }
    // Both kinds of request were seen: answered by a plan, and handed to graphql-js.
    expect(planned).toBeGreaterThan(150);
    expect(planned).toBeLessThan(600);
  });

  it('give what graphql-js gives for each value in each field, the rest well-formed (every pair)', async () => {
    const rng = new Rng(23);
    let planned = 0,
      cases = 0;
    for (const field of [...FIELDS, 'child', 'nchild'])
      for (const value of pool) {
        const item = randomItem(rng, 2, 1);
        item[field] = value;
        source = [randomItem(rng, 2, 1), item];
        for (const query of [QUERY, NULLABLE_ONLY]) {
          const r = await both(query, { n: 2 });
          expect(r.planned).toEqual(r.reference);
          planned += r.plans.use.plan;
          cases++;
        }
      }
    expect(planned).toBeGreaterThan(cases / 4);
    expect(planned).toBeLessThan(cases);
  });

  it('answer aliases, __typename, repeated roots under other names, literals and defaults by plan', async () => {
    source = [randomItem(new Rng(3), 1, 1), randomItem(new Rng(4), 1, 1)];
    const r = await both('{ first: items(n: 1) { name: s, kind: __typename, i } all: items(n: 2, tag: "x") { i nf child { b } } }');
    expect(r.planned).toEqual(r.reference);
    expect(r.plans.use).toEqual({ plan: 1, execute: 0 });
    expect(JSON.parse(r.planned).data.first[0].kind).toBe('Item');
  });

  it.each([
    ['a fragment spread', '{ items(n: 1) { ...F } } fragment F on Item { i }'],
    ['an inline fragment', '{ items(n: 1) { ... on Item { i } } }'],
    ['a directive', '{ items(n: 1) { i @include(if: true) } }'],
    ['a field with arguments', '{ items(n: 1) { withArg(x: 1) } }'],
    ['a resolver that is not the property', '{ items(n: 1) { computed } }'],
    ['a root field outside the list', '{ other }'],
    ['a repeated response key', '{ items(n: 1) { i i } }'],
    ['a mutation', 'mutation { items(n: 1) { i } }'],
  ])('leave %s to graphql-js', async (_what, query) => {
    source = [randomItem(new Rng(5), 1, 1)];
    const r = await both(query);
    expect(r.planned).toEqual(r.reference);
    expect(r.plans.plan(r.document, undefined)).toBeNull();
    expect(r.plans.use).toEqual({ plan: 0, execute: 1 });
  });

  it.each([
    ['a variable that does not coerce', QUERY, { n: 'five' }],
    ['a missing variable', QUERY, {}],
    ['a resolver that throws', QUERY, { n: -1 }],
  ])('hand %s to graphql-js, whose errors the client gets', async (_what, query, variables) => {
    source = [randomItem(new Rng(6), 2, 1)];
    const r = await both(query, variables);
    expect(r.planned).toEqual(r.reference);
    expect(JSON.parse(r.planned).errors.length).toBeGreaterThan(0);
    expect(r.plans.use).toEqual({ plan: 0, execute: 1 });
  });

  it('leave no rejection unhandled when it gives up before awaiting every root', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      source = [{ ...randomItem(new Rng(8), 1, 1), ni: null }];
      const r = await both('{ a: items(n: 1) { ni } b: items(n: -1) { i } }');
      expect(r.planned).toEqual(r.reference);
      expect(r.plans.use).toEqual({ plan: 0, execute: 1 });
      await new Promise((ok) => setTimeout(ok, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it.each([
    ['completion fails (a null in a non-null field)', '{ a: items(n: 2) { ni } b: items(n: 1) { i } }', 2],
    ['a resolver rejects', '{ a: items(n: 1) { i } b: items(n: -1) { i } }', -1],
    ['a resolver throws', '{ a: items(n: 1) { i } b: items(n: -9) { i } c: items(n: 3) { s } }', -9],
  ])('leave graphql-js the outcome that decides when it gives up, not a second call: %s', async (_what, query, deciding) => {
    source = [{ ...randomItem(new Rng(9), 1, 1), ni: null }, randomItem(new Rng(10), 1, 1)];
    const plans = new ExecutionPlans(schema, { rootFields: ROOTS });
    const document = parse(query);
    itemsCalls.clear();
    const planned = shape(await plans.execute({ document, contextValue: {}, variableValues: {} }));
    expect(itemsCalls.get(deciding)).toBe(1);
    expect(plans.use).toEqual({ plan: 0, execute: 1 });
    expect(planned).toEqual(shape(await execute({ schema, document, contextValue: {} })));
    expect(JSON.parse(planned)).toMatchObject({ data: null });
  });

  it('leave nullable root fields to graphql-js (a failure there nulls one field, not the answer)', async () => {
    source = [randomItem(new Rng(11), 1, 1)];
    (source[0] as Record<string, unknown>).id = 'x';
    const r = await both('{ one(id: "x") { i } }');
    expect(r.planned).toEqual(r.reference);
    expect(r.plans.plan(r.document, undefined)).toBeNull();
  });

  it('choose the operation by name, one plan per document and name', async () => {
    source = [randomItem(new Rng(7), 1, 1)];
    const query = 'query A { items(n: 1) { i } } query B { items(n: 1) { s } }';
    const a = await both(query, undefined, 'A');
    const b = await both(query, undefined, 'B');
    expect(a.planned).toEqual(a.reference);
    expect(b.planned).toEqual(b.reference);
    expect(a.planned).not.toEqual(b.planned);
    const plans = new ExecutionPlans(schema, { rootFields: ROOTS });
    const doc = parse(query);
    expect(plans.plan(doc, 'A')).toBe(plans.plan(doc, 'A'));
    expect(plans.plan(doc, 'A')).not.toBe(plans.plan(doc, 'B'));
  });
});
