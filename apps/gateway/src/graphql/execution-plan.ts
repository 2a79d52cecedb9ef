// Compiled execution of the hot documents. graphql-js completes a response field by field
// (argument values, resolver, completion, a null-prototype object per level): for a list
// of 10 neighbours with 10 movie fields each, ~110 field executions, and that, with the
// stringifying of the null-prototype result, was over half of a similarMovies request's
// CPU in the serving profile (docs/BENCHMARKS.md, issue 19). Most documents the gateway
// receives are a few fixed query texts, so each document is compiled once into a plan:
// a function per selection that copies exactly the selected fields, serialized by their
// scalars, into plain objects.
//
// Exactness: a plan produces what graphql-js's `execute` produces, or nothing. It covers
// only what it can prove equal: a query operation whose root fields are the `rootFields`
// given, each of a non-null type (so any failure means data null and the first error, as
// graphql-js orders them: document order for what fails at once, settling order for
// promises), resolved with graphql-js's own variable and argument coercion and then the
// field's resolver; below them plain fields (no arguments, no directives, no fragments, no
// repeated response keys) of object types without `isTypeOf`, each field either without a
// resolver (graphql-js's default: the property) or with one shown, by a probe at compile
// time, to return the source's property of the field's name unchanged and synchronously
// (type-graphql's plain @Field). Values are serialized by the leaf type's own `serialize`.
// Anything else at run time — a variable or argument that does not coerce, a resolver that
// throws or rejects, a null where the type is non-null, a non-array for a list, a value the
// scalar refuses, an Error or a function value — makes the plan give up, and graphql-js
// executes the request, handed the outcome of the field that decided the answer so that it
// reaches the same first failure without calling that resolver again (resolvers are pure
// functions of the run and the arguments; see rootOutcomes). Specs compare both on a schema
// of every scalar and wrapper (property test) and on the real schema over HTTP, byte for byte.
import {
  defaultFieldResolver,
  execute,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLInt,
  GraphQLString,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLLeafType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** What a completion returns when graphql-js must decide instead. */
const GIVE_UP: unique symbol = Symbol('give up');
type Completion = (value: unknown) => unknown;

interface RootStep {
  responseKey: string;
  field: GraphQLField<unknown, unknown>;
  node: FieldNode;
  complete: Completion;
  info: Omit<GraphQLResolveInfo, 'variableValues'>;
}

/**
 * Per request (keyed by requestKeyOf: its REQUEST_IDENTITY, else its context object): the
 * outcome of the root field at which a plan gave up
 * (the first failure, as graphql-js orders them). graphql-js, executing the request after,
 * takes it instead of calling that resolver again: the same failure first, so the same
 * answer — and no second "did you mean" lookup for an unknown title.
 */
const rootOutcomes = new WeakMap<object, Map<FieldNode, RootOutcome>>();
/**
 * A context value may carry, under this key, the object its request's state is kept by
 * (otherwise the context itself): one that stays the same when the context is copied —
 * Apollo copies it shallowly, and a request tried first outside Apollo (http/direct-answers.ts)
 * must find its state again inside.
 */
export const REQUEST_IDENTITY: unique symbol = Symbol('request identity');

function requestKeyOf(contextValue: unknown): object | null {
  if (typeof contextValue !== 'object' || contextValue === null) return null;
  return (contextValue as { [REQUEST_IDENTITY]?: object })[REQUEST_IDENTITY] ?? contextValue;
}
type RootOutcome = { value: unknown } | { error: unknown };
const REMEMBERS = Symbol('remembers outcomes');

/** Wraps a root field's resolver (once per field) to answer from `rootOutcomes` when the request has one. */
function rememberOutcomes(field: GraphQLField<unknown, unknown>): void {
  const resolve = field.resolve ?? defaultFieldResolver;
  if (REMEMBERS in resolve) return;
  const remembering: GraphQLFieldResolver<unknown, unknown> = (source, args, contextValue, info) => {
    const key = requestKeyOf(contextValue);
    const outcome = key ? rootOutcomes.get(key)?.get(info.fieldNodes[0]) : undefined;
    if (!outcome) return resolve(source, args, contextValue, info);
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  };
  Object.defineProperty(remembering, REMEMBERS, { value: true });
  field.resolve = remembering;
}

/** One compiled operation: `run` answers as graphql-js would, or null (execute it instead). */
export interface ExecutionPlan {
  run(contextValue: unknown, variables: Record<string, unknown> | undefined): Promise<ExecutionResult | null>;
  /** The request's variables coerced as graphql-js coerces them (null: they do not coerce: graphql-js answers). */
  coerce(variables: Record<string, unknown> | undefined): Record<string, unknown> | null;
  /** `run` with variables `coerce` gave. */
  runCoerced(contextValue: unknown, values: Record<string, unknown>): Promise<ExecutionResult | null>;
}

/** A document a plan answered: what answering it again needs (http/direct-answers.ts). */
export interface PlannedDocument {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  plan: ExecutionPlan;
}

export interface ExecutionPlansOptions {
  /** Root fields a plan may call (their resolvers run once per request, as in graphql-js). */
  rootFields: ReadonlySet<string>;
}

/** Plans per document and operation name, and `execute`: a plan when one applies, else graphql-js. */
export class ExecutionPlans {
  private readonly byDocument = new WeakMap<DocumentNode, Map<string, ExecutionPlan | null>>();
  private readonly plain = new Map<GraphQLField<unknown, unknown>, boolean>();
  /** Requests answered by a plan, and those graphql-js executed (a plan gave up, or none applies). */
  readonly use = { plan: 0, execute: 0 };

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly options: ExecutionPlansOptions,
  ) {
    const fields = schema.getQueryType()?.getFields() ?? {};
    for (const name of options.rootFields) if (fields[name]) rememberOutcomes(fields[name]);
  }

  /** The plan for `document`'s operation `operationName` (compiled on first use; null: none applies). */
  plan(document: DocumentNode, operationName: string | null | undefined): ExecutionPlan | null {
    let plans = this.byDocument.get(document);
    if (!plans) this.byDocument.set(document, (plans = new Map()));
    const key = operationName ?? '';
    let plan = plans.get(key);
    if (plan === undefined) {
      plan = this.compile(document, operationName);
      plans.set(key, plan);
    }
    return plan;
  }

  /**
   * Executes a validated document: by its plan where one applies and succeeds (then
   * `answeredBy` is told which), otherwise graphql-js — at once when a plan has already
   * given up on this request (its outcome is waiting: see rootOutcomes).
   */
  async execute(args: {
    document: DocumentNode;
    operationName?: string | null;
    contextValue: unknown;
    variableValues?: Record<string, unknown>;
    answeredBy?: (plan: ExecutionPlan) => void;
  }): Promise<ExecutionResult> {
    const { answeredBy, ...executeArgs } = args;
    const key = requestKeyOf(args.contextValue);
    const plan = key && rootOutcomes.has(key) ? null : this.plan(args.document, args.operationName);
    if (plan) {
      const result = await plan.run(args.contextValue, args.variableValues);
      if (result) {
        this.use.plan++;
        answeredBy?.(plan);
        return result;
      }
    }
    this.use.execute++;
    try {
      return await execute({ schema: this.schema, ...executeArgs });
    } finally {
      if (key) rootOutcomes.delete(key);
    }
  }

  private compile(document: DocumentNode, operationName: string | null | undefined): ExecutionPlan | null {
    const operation = getOperationAST(document, operationName);
    const queryType = this.schema.getQueryType();
    if (!operation || operation.operation !== 'query' || !queryType || operation.directives?.length) return null;
    const steps: RootStep[] = [];
    const keys = new Set<string>();
    for (const node of operation.selectionSet.selections) {
      if (node.kind !== Kind.FIELD || node.directives?.length || !this.options.rootFields.has(node.name.value)) return null;
      const responseKey = node.alias?.value ?? node.name.value;
      const field = queryType.getFields()[node.name.value];
      // Non-null roots only: then graphql-js's answer to any failure is data null and the first error.
      if (!field || !isNonNullType(field.type) || keys.has(responseKey)) return null;
      keys.add(responseKey);
      const complete = this.completion(field.type, node.selectionSet);
      if (!complete) return null;
      const info = rootInfo(this.schema, document, operation, queryType, field, node, responseKey);
      steps.push({ responseKey, field, node, complete, info });
    }
    return steps.length ? compiledPlan(this.schema, operation, steps) : null;
  }

  /** How to complete a value of `type` with `selectionSet`, as graphql-js does; null: not covered. */
  private completion(type: GraphQLOutputType, selectionSet: SelectionSetNode | undefined): Completion | null {
    if (isNonNullType(type)) {
      const inner = this.completion(type.ofType, selectionSet);
      return inner && ((v) => (v === null || v === undefined ? GIVE_UP : inner(v)));
    }
    const inner = this.nullableCompletion(type, selectionSet);
    return inner && ((v) => (v === null || v === undefined ? null : inner(v)));
  }

  private nullableCompletion(type: GraphQLOutputType, selectionSet: SelectionSetNode | undefined): Completion | null {
    if (isListType(type)) {
      const item = this.completion(type.ofType, selectionSet);
      return item && listCompletion(item);
    }
    if (isLeafType(type)) return selectionSet ? null : leafCompletion(type);
    if (isObjectType(type) && selectionSet && !type.isTypeOf) return this.objectCompletion(type, selectionSet);
    return null;
  }

  private objectCompletion(type: GraphQLObjectType, selectionSet: SelectionSetNode): Completion | null {
    const keys: string[] = [];
    const names: string[] = [];
    const parts: (Part | null)[] = []; // null: __typename
    for (const node of selectionSet.selections) {
      if (node.kind !== Kind.FIELD || node.directives?.length || node.arguments?.length) return null;
      const key = node.alias?.value ?? node.name.value;
      if (keys.includes(key)) return null;
      const name = node.name.value;
      if (name === '__typename') {
        if (node.selectionSet) return null;
        parts.push(null);
      } else {
        const field = type.getFields()[name];
        if (!field || !this.isPlain(field)) return null;
        const complete = this.completion(field.type, node.selectionSet);
        if (!complete) return null;
        parts.push({ complete, fast: fastTest(field.type) });
      }
      keys.push(key);
      names.push(name);
    }
    return objectFunction(type.name, keys, names, parts);
  }

  /**
   * True when the field's value is its source's property of the same name: no resolver
   * (graphql-js's default), or one that returns a probe's property, synchronously and
   * unchanged, whatever the context (type-graphql's plain @Field). Field arguments are not
   * covered (a field that declares any is not plain).
   */
  private isPlain(field: GraphQLField<unknown, unknown>): boolean {
    let plain = this.plain.get(field);
    if (plain === undefined) {
      plain = field.args.length === 0 && (field.resolve === undefined || field.resolve === defaultFieldResolver || probe(field));
      this.plain.set(field, plain);
    }
    return plain;
  }
}

function probe(field: GraphQLField<unknown, unknown>): boolean {
  const marker = { probe: field.name };
  try {
    const got = field.resolve!({ [field.name]: marker }, {}, {}, { fieldName: field.name } as GraphQLResolveInfo);
    return got === marker;
  } catch {
    return false;
  }
}

/**
 * The completion of one object selection as generated code: each selected property read
 * by name, completed, and the result built as one object literal (one hidden class, the
 * fast path of JSON.stringify) — a loop of keyed stores was a sixth of a request's CPU.
 * Names and keys are GraphQL names (letters, digits and underscores: the lexer's rule),
 * written as JSON strings all the same.
 */
function objectFunction(typeName: string, keys: string[], names: string[], parts: (Part | null)[]): Completion {
  const lines = ['if (typeof source !== "object" || source instanceof Error) return GIVE_UP;', 'let v;'];
  const fields: string[] = [];
  parts.forEach((part, i) => {
    const key = JSON.stringify(keys[i]);
    if (part === null) {
      fields.push(`${key}: typeName`);
      return;
    }
    lines.push(`v = source[${JSON.stringify(names[i])}];`);
    // The built-in scalars' common case inline (see leafCompletion); all else, null included, by the completion.
    lines.push(`const c${i} = ${part.fast ? `${part.fast} ? v : ` : ''}parts[${i}].complete(v);`, `if (c${i} === GIVE_UP) return GIVE_UP;`);
    fields.push(`${key}: c${i}`);
  });
  lines.push(`return { ${fields.join(', ')} };`);
  const make = new Function('parts', 'GIVE_UP', 'typeName', `return function complete(source) {\n${lines.join('\n')}\n};`);
  return make(parts, GIVE_UP, typeName) as Completion;
}

/** A field's completion, and the test (a JS expression of `v`) under which its value is its own answer. */
interface Part {
  complete: Completion;
  fast: string | null;
}

/**
 * When a built-in scalar's serialize returns the value itself (a JS expression of `v`): an
 * Int that is a 32-bit integer, a finite Float, a String, a Boolean. The one statement of
 * that rule: inlined into the generated object code, compiled for a leaf (leafCompletion).
 */
const BUILT_IN_FAST_TESTS = new Map<GraphQLLeafType, string>([
  [GraphQLInt, '(typeof v === "number" && (v | 0) === v)'],
  [GraphQLFloat, '(typeof v === "number" && Number.isFinite(v))'],
  [GraphQLString, 'typeof v === "string"'],
  [GraphQLBoolean, 'typeof v === "boolean"'],
]);

/** The fast test of a field's type (non-null unwrapped), or null: never assumed. */
function fastTest(type: GraphQLOutputType): string | null {
  const t = isNonNullType(type) ? type.ofType : type;
  return isLeafType(t) ? (BUILT_IN_FAST_TESTS.get(t) ?? null) : null;
}

/**
 * A leaf's serialization: graphql-js's `serialize`, with a built-in scalar's common case
 * (BUILT_IN_FAST_TESTS) answered first as its serialize answers it. Everything else goes to
 * serialize.
 */
function leafCompletion(type: GraphQLLeafType): Completion {
  const serialize = (v: unknown): unknown => {
    if (v instanceof Error || typeof v === 'function') return GIVE_UP;
    try {
      const s = type.serialize(v);
      return s === undefined || s === null ? GIVE_UP : s; // graphql-js: a null serialization is an error
    } catch {
      return GIVE_UP;
    }
  };
  const fast = BUILT_IN_FAST_TESTS.get(type);
  if (!fast) return serialize;
  return new Function('serialize', `return function leaf(v) { return ${fast} ? v : serialize(v); };`)(serialize) as Completion;
}

function listCompletion(item: Completion): Completion {
  return (v) => {
    if (!Array.isArray(v)) return GIVE_UP; // graphql-js takes any iterable: let it
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const c = item(v[i]);
      if (c === GIVE_UP) return GIVE_UP;
      out[i] = c;
    }
    return out;
  };
}

/** What graphql-js's buildResolveInfo gives a root field (variableValues added per request). */
function rootInfo(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  parentType: GraphQLObjectType,
  field: GraphQLField<unknown, unknown>,
  node: FieldNode,
  responseKey: string,
): Omit<GraphQLResolveInfo, 'variableValues'> {
  const fragments: GraphQLResolveInfo['fragments'] = Object.create(null);
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  return {
    fieldName: field.name,
    fieldNodes: [node],
    returnType: field.type,
    parentType,
    path: { prev: undefined, key: responseKey, typename: parentType.name },
    schema,
    fragments,
    rootValue: undefined,
    operation,
  };
}

function compiledPlan(schema: GraphQLSchema, operation: OperationDefinitionNode, steps: RootStep[]): ExecutionPlan {
  const definitions = operation.variableDefinitions ?? [];
  return {
    coerce,
    async run(contextValue, variables) {
      const values = coerce(variables);
      return values && runCoerced(contextValue, values);
    },
    runCoerced,
  };

  function coerce(variables: Record<string, unknown> | undefined): Record<string, unknown> | null {
    const coerced = getVariableValues(schema, definitions, variables ?? {}, { maxErrors: 50 });
    return coerced.errors ? null : coerced.coerced;
  }

  async function runCoerced(contextValue: unknown, values: Record<string, unknown>): Promise<ExecutionResult | null> {
    const completed: unknown[] = new Array(steps.length);
    const pending: { i: number; promise: Promise<unknown> }[] = [];
    // As graphql-js: root fields in document order, each resolver called, a value that is
    // already there completed at once, promises completed as they settle. The roots are
    // non-null, so the first failure in that order is graphql-js's whole answer (data null
    // and that error): the plan gives up there, leaving that field's outcome to graphql-js.
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      let args: Record<string, unknown>;
      try {
        args = getArgumentValues(s.field, s.node, values);
      } catch {
        return giveUp(contextValue, pending);
      }
      let value: unknown;
      try {
        value = (s.field.resolve ?? defaultFieldResolver)(undefined, args, contextValue, { ...s.info, variableValues: values });
      } catch (error) {
        return giveUp(contextValue, pending, s.node, { error });
      }
      if (value instanceof Promise) pending.push({ i, promise: value });
      else if ((completed[i] = s.complete(value)) === GIVE_UP) return giveUp(contextValue, pending, s.node, { value });
    }
    const failed = await settle(steps, pending, completed);
    if (failed) return giveUp(contextValue, pending, failed.node, failed.outcome);
    const data: Record<string, unknown> = {};
    for (let i = 0; i < steps.length; i++) data[steps[i].responseKey] = completed[i];
    return { data };
  }
}

/**
 * Completes the pending roots in the order they settle, into `completed`; resolves at the
 * first that rejects or does not complete (its node and outcome), or when all are done.
 */
function settle(
  steps: RootStep[],
  pending: { i: number; promise: Promise<unknown> }[],
  completed: unknown[],
): Promise<{ node: FieldNode; outcome: RootOutcome } | null> {
  if (!pending.length) return Promise.resolve(null);
  return new Promise((done) => {
    let left = pending.length;
    for (const { i, promise } of pending)
      promise.then(
        (value) => {
          if (left <= 0) return;
          if ((completed[i] = steps[i].complete(value)) === GIVE_UP) {
            left = 0;
            done({ node: steps[i].node, outcome: { value } });
          } else if (--left === 0) done(null);
        },
        (error) => {
          if (left <= 0) return;
          left = 0;
          done({ node: steps[i].node, outcome: { error } });
        },
      );
  });
}

/**
 * The plan steps aside: graphql-js will execute the request. The outcome of the root field
 * that decided the answer (when there is one) is kept for it (rootOutcomes), so graphql-js
 * reaches the same first failure without calling that resolver again. Promises no longer
 * awaited are marked handled (a rejection nobody awaits would end the process).
 */
function giveUp(contextValue: unknown, pending: { promise: Promise<unknown> }[], node?: FieldNode, outcome?: RootOutcome): null {
  for (const p of pending) p.promise.catch(() => {});
  const key = requestKeyOf(contextValue);
  if (node && outcome && key) rootOutcomes.set(key, new Map([[node, outcome]]));
  return null;
}
