// Bounds on what one request may ask, each linear in the document so that no request
// can hold the event loop: a token limit at parse time (graphql-js stops lexing past
// it, which also bounds graphql-js's own validation, whose overlapping-fields check is
// quadratic in repeated names), nesting depth, and a cost estimate where a list field
// multiplies its selection by its size argument (k / limit) or by 10 without one.
// Each fragment is measured once per document (memoised), however often it is spread.
// Sizes are the values that execute: literals, supplied variables, variables' defaults
// and the arguments' schema defaults (graphql-js's own getArgumentValues). Validation
// (cached per document by Apollo) sees no variables, so a size given as a variable is
// costed again once the variables are known (costPlugin, before execution).
import {
  GraphQLError,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  getArgumentValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  isInterfaceType,
  isListType,
  isObjectType,
  type ASTNode,
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
  /** Lexical tokens (names, punctuation, values; not comments or commas) one document may hold. */
  maxTokens: number;
}

// 1,000 tokens is ten times the largest query the explorer sends; at that size the slowest
// document we could construct validates in a few ms (docs/RELIABILITY.md, request guards).
export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 8, maxCost: 20_000, maxTokens: 1_000 };

/** Size arguments: a list field with one returns that many items at most; a page field (one with `nodes`) that many nodes. */
const SIZE_ARGS = new Set(['k', 'limit', 'first']);
/** List arguments whose length is the size of the list returned (movies(ids:), predictRatings(movies:)). */
const LIST_SIZE_ARGS = new Set(['ids', 'movies']);
/** Lists whose size the schema bounds otherwise (genres: MovieLens has 20; 50 leaves room for other sources). */
const FIXED_LIST_SIZES = new Map([['Query.genres', 50]]);
/** Items assumed for a list field without a size argument. */
const UNSIZED_LIST = 10;

export interface OperationMeasure {
  name: string | undefined;
  depth: number;
  cost: number;
  /** A size argument takes its value from a variable (unknown until the request's variables are). */
  usesSizeVariable: boolean;
}

interface Measure {
  depth: number;
  cost: number;
  usesSizeVariable: boolean;
}

function fieldDef(schema: GraphQLSchema, parent: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === '__typename') return TypeNameMetaFieldDef;
  if (parent && parent === schema.getQueryType()) {
    if (name === '__schema') return SchemaMetaFieldDef;
    if (name === '__type') return TypeMetaFieldDef;
  }
  return parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
}

/**
 * Measures operations of `document` in one pass over each selection set and each
 * fragment (memoised): time and memory linear in the document. `variables` are the
 * request's coerced values (getVariableValues); null at validation, when a size from
 * a variable is unknown and only flagged.
 */
/**
 * How many items a field with a selection returns at most: 1 for a non-list, its size
 * argument as executed (literal, variable, default) for a list that has one, else
 * UNSIZED_LIST. A size from a variable is unknown (and flagged) while `variables` is null.
 */
function listSize(
  def: GraphQLField<unknown, unknown>,
  field: FieldNode,
  variables: Record<string, unknown> | null,
  parentName = '',
): { size: number; fromVariable: boolean } {
  if (!isListType(getNullableType(def.type))) return { size: 1, fromVariable: false };
  const fixed = FIXED_LIST_SIZES.get(`${parentName}.${def.name}`);
  if (fixed !== undefined) return { size: fixed, fromVariable: false };
  const sizeArg = def.args.find((a) => SIZE_ARGS.has(a.name)) ?? def.args.find((a) => LIST_SIZE_ARGS.has(a.name));
  if (!sizeArg) return { size: UNSIZED_LIST, fromVariable: false };
  return argumentSize(def, field, sizeArg.name, variables);
}

/** The size `name` gives as executed: a number, or a list's length (literal, variable, default). */
function argumentSize(
  def: GraphQLField<unknown, unknown>,
  field: FieldNode,
  name: string,
  variables: Record<string, unknown> | null,
): { size: number; fromVariable: boolean } {
  const fromVariable = field.arguments?.some((a) => a.name.value === name && a.value.kind === Kind.VARIABLE) ?? false;
  if (fromVariable && !variables) return { size: UNSIZED_LIST, fromVariable };
  let v: unknown;
  try {
    v = getArgumentValues(def, field, variables ?? {})[name];
  } catch {
    v = undefined; // a malformed value: reported by validation or execution
  }
  if (Array.isArray(v)) return { size: Math.max(1, v.length), fromVariable };
  return { size: typeof v === 'number' && Number.isFinite(v) ? Math.max(1, v) : UNSIZED_LIST, fromVariable };
}

/** The page size of a page field (not a list, has `first`, its type has `nodes`): its nodes count that many. */
function pageSize(
  def: GraphQLField<unknown, unknown>,
  field: FieldNode,
  variables: Record<string, unknown> | null,
): { size: number; fromVariable: boolean } | null {
  const named = getNamedType(def.type);
  if (isListType(getNullableType(def.type)) || !isObjectType(named) || !named.getFields().nodes) return null;
  if (!def.args.some((a) => a.name === 'first')) return null;
  return argumentSize(def, field, 'first', variables);
}

type SetMeasurer = (set: SelectionSetNode, parent: GraphQLNamedType | undefined, page?: number | null) => Measure;

/** A field's depth and cost; `page`: the page size of the page object it belongs to (its `nodes` count that many). */
function measureField(
  schema: GraphQLSchema,
  variables: Record<string, unknown> | null,
  selectionSet: SetMeasurer,
  s: FieldNode,
  parent: GraphQLNamedType | undefined,
  page: number | null,
): Measure {
  const def = fieldDef(schema, parent, s.name.value);
  if (!s.selectionSet) return { depth: 1, cost: 1, usesSizeVariable: false };
  const paged = def ? pageSize(def, s, variables) : null;
  const sub = selectionSet(s.selectionSet, def ? getNamedType(def.type) : undefined, paged?.size ?? null);
  const sized =
    def && page !== null && s.name.value === 'nodes' && isListType(getNullableType(def.type))
      ? { size: page, fromVariable: false }
      : def
        ? listSize(def, s, variables, parent?.name)
        : { size: 1, fromVariable: false };
  return {
    depth: sub.depth + 1,
    cost: 1 + sized.size * sub.cost,
    usesSizeVariable: sub.usesSizeVariable || sized.fromVariable || Boolean(paged?.fromVariable),
  };
}

function measurer(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | null) {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const memo = new Map<string, Measure>();
  const inProgress = new Set<string>();
  const none: Measure = { depth: 0, cost: 0, usesSizeVariable: false };

  // A fragment is measured once per page size it is spread under (a page's `nodes` count that many).
  const fragment = (name: string, page: number | null): Measure => {
    const key = `${name}|${page ?? ''}`;
    const known = memo.get(key);
    if (known) return known;
    const f = fragments.get(name);
    // Unknown fragments and cycles are reported by graphql-js's own rules.
    if (!f || inProgress.has(name)) return none;
    inProgress.add(name);
    const m = selectionSet(f.selectionSet, schema.getType(f.typeCondition.name.value), page);
    inProgress.delete(name);
    memo.set(key, m);
    return m;
  };

  const fieldMeasure = (s: FieldNode, parent: GraphQLNamedType | undefined, page: number | null): Measure =>
    measureField(schema, variables, selectionSet, s, parent, page);

  /** Depth below this selection set (a field counts 1) and the cost of one instance of it. */
  const selectionSet = (set: SelectionSetNode, parent: GraphQLNamedType | undefined, page: number | null = null): Measure => {
    let depth = 0,
      cost = 0,
      usesSizeVariable = false;
    for (const s of set.selections) {
      let inner: Measure;
      if (s.kind === Kind.FIELD) {
        inner = fieldMeasure(s, parent, page);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        inner = selectionSet(s.selectionSet, s.typeCondition ? schema.getType(s.typeCondition.name.value) : parent, page);
      } else {
        inner = fragment(s.name.value, page);
      }
      depth = Math.max(depth, inner.depth);
      cost += inner.cost;
      usesSizeVariable ||= inner.usesSizeVariable;
    }
    return { depth, cost, usesSizeVariable };
  };

  return (op: OperationDefinitionNode): OperationMeasure => {
    const root =
      op.operation === 'query'
        ? schema.getQueryType()
        : op.operation === 'mutation'
          ? schema.getMutationType()
          : schema.getSubscriptionType();
    return { name: op.name?.value, ...selectionSet(op.selectionSet, root ?? undefined) };
  };
}

/** Depth and cost of each operation of `document`; sizes from variables need `variables` (coerced). */
export function measureOperations(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | null = null,
): OperationMeasure[] {
  const measure = measurer(schema, document, variables);
  return document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? [measure(d)] : []));
}

function costError(cost: number, max: number, nodes?: readonly ASTNode[]): GraphQLError {
  return new GraphQLError(
    `Query cost ${cost} exceeds the limit ${max} (each list multiplies its fields by k/limit); ask for fewer items or fields.`,
    {
      nodes,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
    },
  );
}

/** Documents (as Apollo caches them) whose cost depends on the request's variables. */
const variableSized = new WeakMap<DocumentNode, Set<string | undefined>>();

export function queryLimitsRule(limits: QueryLimits) {
  return (context: ValidationContext): ASTVisitor => {
    const document = context.getDocument();
    const measured = new Map(measureOperations(context.getSchema(), document).map((m) => [m.name, m]));
    variableSized.set(document, new Set([...measured.values()].filter((m) => m.usesSizeVariable).map((m) => m.name)));
    return {
      OperationDefinition(op) {
        // graphql 16 validates a mutation/subscription against a schema without one and
        // only fails at execution, as an INTERNAL_SERVER_ERROR: refuse it here instead.
        if (
          op.operation !== 'query' &&
          !(op.operation === 'mutation' ? context.getSchema().getMutationType() : context.getSchema().getSubscriptionType())
        ) {
          context.reportError(new GraphQLError(`This API has no ${op.operation}s; it serves queries only.`, { nodes: [op] }));
          return;
        }
        const m = measured.get(op.name?.value);
        if (!m) return;
        if (m.depth > limits.maxDepth) {
          context.reportError(
            new GraphQLError(`Query is ${m.depth} levels deep; the limit is ${limits.maxDepth}.`, {
              nodes: [op],
              extensions: { code: 'QUERY_TOO_DEEP' },
            }),
          );
        }
        // A size given as a variable is unknown here: costPlugin checks it with the value.
        if (!m.usesSizeVariable && m.cost > limits.maxCost) context.reportError(costError(m.cost, limits.maxCost, [op]));
      },
    };
  };
}

/**
 * The cost check again with the values that will execute, for operations whose sizes
 * come from variables: the request's variables coerced as graphql-js will (defaults
 * of variables included; an absent variable leaves the argument's schema default).
 */
export function costPlugin<T extends object>(limits: QueryLimits): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          if (!rc.operation) return;
          const error = variableCostError(rc.schema, rc.document, rc.operation, rc.request.variables, limits);
          if (error) throw error;
        },
      };
    },
  };
}

/**
 * The cost error of `operation` with these variables, or null: null too when its sizes do
 * not come from variables (validation checked them) or the variables do not coerce
 * (execution answers BAD_USER_INPUT; nothing runs). costPlugin's check.
 */
export function variableCostError(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  limits: QueryLimits,
): GraphQLError | null {
  if (!sizedByVariables(schema, document, operation)) return null;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 1 });
  if (coerced.errors) return null;
  return coercedCostError(schema, document, operation, coerced.coerced, limits);
}

/**
 * `variableCostError` for variables already coerced as graphql-js coerces them (the direct
 * answers, http/direct-answers.ts, coerce once for the check and the execution).
 */
export function coercedCostError(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  coerced: Record<string, unknown>,
  limits: QueryLimits,
): GraphQLError | null {
  if (!sizedByVariables(schema, document, operation)) return null;
  const m = measurer(schema, document, coerced)(operation);
  return m.cost > limits.maxCost ? costError(m.cost, limits.maxCost) : null;
}

/** Whether `operation`'s sizes come from variables (measured once per document). */
function sizedByVariables(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): boolean {
  let flagged = variableSized.get(document);
  if (!flagged) {
    flagged = new Set(
      measureOperations(schema, document)
        .filter((m) => m.usesSizeVariable)
        .map((m) => m.name),
    );
    variableSized.set(document, flagged);
  }
  return flagged.has(operation.name?.value);
}

/** The parse error graphql-js gives past maxTokens ("more that N tokens"), reworded to say what to do. */
export function tokenLimitMessage(message: string, limits: QueryLimits): string | null {
  if (!/Document contains more th(?:an|at) \d+ tokens/.test(message)) return null;
  return `The query has more than ${limits.maxTokens.toLocaleString('en-US')} tokens (names, punctuation, values); the limit keeps every request fast. Split it into several requests, or pass long values as variables.`;
}
