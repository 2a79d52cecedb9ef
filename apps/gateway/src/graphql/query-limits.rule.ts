// Validation rules bounding what one request may ask: nesting depth, and a cost
// estimate where a list field multiplies its selection by its size argument
// (k / limit / titles; default 10). Rejected documents never execute.
import { GraphQLError, Kind, type ASTVisitor, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext, type ValueNode } from 'graphql';

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

export function queryLimitsRule(limits: QueryLimits, variables?: Record<string, unknown>) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of context.getDocument().definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    const measure = (set: SelectionSetNode | undefined, depth: number, seen: Set<string>): { depth: number; cost: number } => {
      if (!set) return { depth, cost: 0 };
      let maxDepth = depth, cost = 0;
      for (const s of set.selections) {
        if (s.kind === Kind.FIELD) {
          const inner = measure(s.selectionSet, depth + 1, seen);
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
    return {
      OperationDefinition(op) {
        const { depth, cost } = measure(op.selectionSet, 0, new Set());
        if (depth > limits.maxDepth) {
          context.reportError(new GraphQLError(`Query is ${depth} levels deep; the limit is ${limits.maxDepth}.`, { nodes: [op], extensions: { code: 'QUERY_TOO_DEEP' } }));
        }
        if (cost > limits.maxCost) {
          context.reportError(new GraphQLError(`Query cost ${cost} exceeds the limit ${limits.maxCost} (each list multiplies its fields by k/limit); ask for fewer items or fields.`, { nodes: [op], extensions: { code: 'QUERY_TOO_COSTLY' } }));
        }
      },
    };
  };
}
