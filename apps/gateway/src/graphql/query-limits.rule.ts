// Bounds on what one request may ask: nesting depth, and a cost estimate where a list
// field multiplies its selection by its size argument (k / limit; default 10).
// Validation (cached per document by Apollo) sees no variables, so a size passed as a
// variable is checked again once the variables are known (costPlugin, before
// execution). Rejected documents never execute.
import { GraphQLError, Kind, type ASTNode, type ASTVisitor, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext, type ValueNode } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 8, maxCost: 20_000 };

const SIZE_ARGS = ['k', 'limit'];

function intArg(node: FieldNode, variables: Record<string, unknown> | undefined): number | null {
  for (const a of node.arguments ?? []) {
    if (a.name.value === 'titles' && a.value.kind === Kind.LIST) continue;
    if (!SIZE_ARGS.includes(a.name.value)) continue;
    const v = valueOf(a.value, variables);
    if (typeof v === 'number') return v;
  }
  return null;
}

function valueOf(v: ValueNode, variables: Record<string, unknown> | undefined): unknown {
  if (v.kind === Kind.INT) return Number(v.value);
  if (v.kind === Kind.VARIABLE) return variables?.[v.name.value];
  return undefined;
}

/** Depth and cost of each operation of `document`, sizes read from literals or `variables`. */
export function measureOperations(document: DocumentNode, variables?: Record<string, unknown>): { name: string | undefined; depth: number; cost: number; usesSizeVariable: boolean }[] {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    let usesSizeVariable = false;
    const measure = (set: SelectionSetNode | undefined, depth: number, seen: Set<string>): { depth: number; cost: number } => {
      if (!set) return { depth, cost: 0 };
      let maxDepth = depth, cost = 0;
      for (const s of set.selections) {
        if (s.kind === Kind.FIELD) {
          const inner = measure(s.selectionSet, depth + 1, seen);
          if (s.arguments?.some((a) => SIZE_ARGS.includes(a.name.value) && a.value.kind === Kind.VARIABLE)) usesSizeVariable = true;
          const size = s.selectionSet ? Math.max(1, intArg(s, variables) ?? (s.name.value === 'pcaProjection' ? 200 : 10)) : 1;
          maxDepth = Math.max(maxDepth, inner.depth);
          cost += 1 + size * inner.cost;
        } else if (s.kind === Kind.INLINE_FRAGMENT) {
          const inner = measure(s.selectionSet, depth, seen);
          maxDepth = Math.max(maxDepth, inner.depth);
          cost += inner.cost;
        } else {
          const f = fragments.get(s.name.value);
          if (!f || seen.has(s.name.value)) continue; // cycles are reported by NoFragmentCycles
          const inner = measure(f.selectionSet, depth, new Set([...seen, s.name.value]));
          maxDepth = Math.max(maxDepth, inner.depth);
          cost += inner.cost;
        }
      }
      return { depth: maxDepth, cost };
    };
    return document.definitions.flatMap((d) => {
      if (d.kind !== Kind.OPERATION_DEFINITION) return [];
      usesSizeVariable = false;
      const m = measure(d.selectionSet, 0, new Set());
      return [{ name: d.name?.value, ...m, usesSizeVariable }];
    });
}

function costError(cost: number, max: number, nodes?: readonly ASTNode[]): GraphQLError {
  return new GraphQLError(`Query cost ${cost} exceeds the limit ${max} (each list multiplies its fields by k/limit); ask for fewer items or fields.`, {
    nodes,
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
  });
}

export function queryLimitsRule(limits: QueryLimits) {
  return (context: ValidationContext): ASTVisitor => {
    const measured = new Map(measureOperations(context.getDocument()).map((m) => [m.name, m]));
    return {
      OperationDefinition(op) {
        // graphql 16 validates a mutation/subscription against a schema without one and
        // only fails at execution, as an INTERNAL_SERVER_ERROR: refuse it here instead.
        if (op.operation !== 'query' && !(op.operation === 'mutation' ? context.getSchema().getMutationType() : context.getSchema().getSubscriptionType())) {
          context.reportError(new GraphQLError(`This API has no ${op.operation}s; it serves queries only.`, { nodes: [op] }));
          return;
        }
        const { depth, cost, usesSizeVariable } = measured.get(op.name?.value)!;
        if (depth > limits.maxDepth) {
          context.reportError(new GraphQLError(`Query is ${depth} levels deep; the limit is ${limits.maxDepth}.`, { nodes: [op], extensions: { code: 'QUERY_TOO_DEEP' } }));
        }
        // A size given as a variable is unknown here: costPlugin checks it with the value.
        if (!usesSizeVariable && cost > limits.maxCost) context.reportError(costError(cost, limits.maxCost, [op]));
      },
    };
  };
}

/** The cost check again with the request's variables, for sizes given as variables. */
export function costPlugin<T extends object>(limits: QueryLimits): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          const name = rc.operation?.name?.value;
          const m = measureOperations(rc.document, rc.request.variables ?? {}).find((x) => x.name === name);
          if (m?.usesSizeVariable && m.cost > limits.maxCost) throw costError(m.cost, limits.maxCost);
        },
      };
    },
  };
}
