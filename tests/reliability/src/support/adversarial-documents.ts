// Families of GraphQL documents built to make validation slow, each grown to the largest
// size the gateway's token limit admits, and a timer that validates them with exactly the
// gateway's parse options and rules (graphql-js's specified rules + the depth/cost rule).
// The known expensive shapes: repeated response names and fragment pairs (graphql-js's
// OverlappingFieldsCanBeMerged is quadratic in them), fragment fan-out and doubling chains
// (exponential without memoisation), deep inline fragments, wide lists, many operations,
// variables and directives.
import 'reflect-metadata';
import { parse, specifiedRules, validate, type DocumentNode } from 'graphql';
import { DEFAULT_QUERY_LIMITS, gatewaySchema, queryLimitsRule } from '@cinemap/gateway';

const rep = (n: number, f: (i: number) => string, sep = ' ') => Array.from({ length: n }, (_, i) => f(i)).join(sep);

export const ADVERSARIAL_DOCUMENTS: [family: string, build: (n: number) => string][] = [
  ['same response name, no arguments', (n) => `{ ${rep(n, () => 'a: __typename')} }`],
  ['same field with arguments', (n) => `{ ${rep(n, () => 'similarMovies(title: "x") { similarity }')} }`],
  ['same field with a sub-selection', (n) => `{ ${rep(n, () => 'm: similarMovies(title: "x") { movie { id } }')} }`],
  ['fragment fan-out', (n) => `{ ${rep(n, (i) => `...F${i}`)} } ${rep(n, (i) => `fragment F${i} on Query { a: __typename }`)}`],
  [
    'fragment fan-out with fields',
    (n) => `{ ${rep(n, (i) => `...F${i}`)} } ${rep(n, (i) => `fragment F${i} on Query { m: movie(id: 1) { id } }`)}`,
  ],
  [
    'same fragments under two same-named fields',
    (n) =>
      `{ m: movie(id: 1) { ${rep(n, (i) => `...A${i}`)} } m: movie(id: 1) { ${rep(n, (i) => `...A${i}`)} } } ${rep(n, (i) => `fragment A${i} on Movie { t: title }`)}`,
  ],
  [
    'different fragments under two same-named fields',
    (n) =>
      `{ m: movie(id: 1) { ${rep(n, (i) => `...A${i}`)} } m: movie(id: 1) { ${rep(n, (i) => `...B${i}`)} } } ${rep(n, (i) => `fragment A${i} on Movie { t: title }`)} ${rep(n, (i) => `fragment B${i} on Movie { t: title }`)}`,
  ],
  [
    'doubling fragment chain (issue 14 #1)',
    (n) => `{ ...F${n} } fragment F0 on Query { __typename } ${rep(n, (i) => `fragment F${i + 1} on Query { ...F${i} ...F${i} }`)}`,
  ],
  [
    'doubling fragment chain under a field',
    (n) =>
      `{ movie(id: 1) { ...F${n} } } fragment F0 on Movie { id } ${rep(n, (i) => `fragment F${i + 1} on Movie { ...F${i} ...F${i} }`)}`,
  ],
  ['nested inline fragments', (n) => `{ ${'... on Query { '.repeat(n)}__typename${' }'.repeat(n)} }`],
  ['wide inline fragments', (n) => `{ ${rep(n, () => '... on Query { a: __typename }')} }`],
  ['long list literal', (n) => `{ similarToMany(titles: [${rep(n, () => '"x"', ',')}]) { similarity } }`],
  ['many operations', (n) => rep(n, (i) => `query Q${i} { a: __typename }`)],
  [
    'many variables and directives',
    (n) => `query(${rep(n, (i) => `$v${i}: Boolean = false`)}) { ${rep(n, (i) => `a: __typename @include(if: $v${i})`)} }`,
  ],
  ['repeated directives', (n) => `{ __typename ${rep(n, () => '@skip(if: false)')} }`],
  ['distinct aliases with nested fields', (n) => `{ ${rep(n, (i) => `a${i}: similarMovies(title: "x") { movie { id title genres } }`)} }`],
];

const fits = (doc: string): boolean => {
  try {
    parse(doc, { maxTokens: DEFAULT_QUERY_LIMITS.maxTokens });
    return true;
  } catch {
    return false;
  }
};

/** The largest n whose document still parses under the token limit. */
function largest(build: (n: number) => string): number {
  let lo = 1,
    hi = 1;
  while (fits(build(hi * 2)) && hi < 1 << 20) hi *= 2;
  hi *= 2;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(build(mid))) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function countTokens(doc: string): number {
  let lo = 1,
    hi = DEFAULT_QUERY_LIMITS.maxTokens;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    try {
      parse(doc, { maxTokens: mid });
      hi = mid;
    } catch {
      lo = mid + 1;
    }
  }
  return lo;
}

export interface ValidationTime {
  family: string;
  document: string;
  tokens: number;
  chars: number;
  /** Best of ten validations (the cost of the document, not of the machine's other work). */
  ms: number;
  outcome: string;
}

export async function validationTimes(): Promise<ValidationTime[]> {
  const schema = await gatewaySchema();
  const rules = [...specifiedRules, queryLimitsRule(DEFAULT_QUERY_LIMITS)];
  const out: ValidationTime[] = [];
  for (const [family, build] of ADVERSARIAL_DOCUMENTS) {
    const document = build(largest(build));
    const ast: DocumentNode = parse(document, { maxTokens: DEFAULT_QUERY_LIMITS.maxTokens });
    let ms = Infinity;
    let errors: readonly { message: string }[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      errors = validate(schema, ast, rules);
      ms = Math.min(ms, performance.now() - t0);
    }
    out.push({
      family,
      document,
      tokens: countTokens(document),
      chars: document.length,
      ms,
      outcome: errors.length ? `refused: ${errors[0].message.slice(0, 80)}` : 'valid',
    });
  }
  return out;
}
