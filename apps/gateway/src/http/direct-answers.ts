// Direct answers: a neighbour query whose document Apollo has already accepted and a plan
// has answered (../graphql/execution-plan.ts) is answered again without Apollo's request
// pipeline — its per-request objects, hooks and promise hops were about a fifth of a
// request's CPU once the plans had replaced graphql-js's execution.
//
// What Apollo did for that document and is not redone: parsing, validation (the token,
// depth, cost and introspection rules: properties of the document text alone), operation
// selection. What depends on the request and is redone here exactly as Apollo and the
// gateway's plugins do it: the body's shape (only `query`, `variables` as an object,
// `operationName`: anything else, e.g. persisted-query extensions, goes to Apollo), the
// response's media type (an Accept header Apollo could answer with another type goes to
// Apollo), the cost of sizes given as variables (over the limit: Apollo answers the error),
// the operation's latency metric, the response replay of the run snapshot, and the JSON of
// the result (`{"data":…}`, compact, as stringifyResult writes it). When the plan gives up
// (a bad title, a bad argument), Apollo executes the request with the same context: the
// same answer, errors included, as if it had never been tried here (a spec compares both,
// headers and bodies, request by request).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import type { PlannedDocument } from '../graphql/execution-plan';
import { coercedCostError, type QueryLimits } from '../graphql/query-limits.rule';
import type { GatewayContext } from '../graphql/context';
import type { GatewayMetrics } from './metrics';
import { endTogether } from './responses';

/** The most documents kept (each a query text Apollo accepted and a plan answered). */
const MAX_DOCUMENTS = 256;
const CONTENT_TYPE = 'application/json; charset=utf-8';

/** What a learnt document needs to be answered again, and the metrics' operation label Apollo's pipeline gave it. */
type Learnt = PlannedDocument & { label: string };

/** The parsed body of a JSON POST, when it is one a direct answer may take. */
interface DirectRequest {
  query: string;
  operationName: string | null;
  variables: Record<string, unknown> | undefined;
}

export class DirectAnswers {
  private readonly learnt = new Map<string, Learnt>();
  /** Requests answered here. */
  answered = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly limits: QueryLimits,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** After Apollo answered `body` by `plan` (validated, no errors, replayable): keep it. */
  learn(body: unknown, learnt: Learnt): void {
    const r = directRequest(body);
    if (!r || this.learnt.size >= MAX_DOCUMENTS) return;
    this.learnt.set(key(r), learnt);
  }

  /**
   * Answers the request if it can (resolving to what was sent, for the replay cache), else
   * null: Apollo then executes it, with `context` (the plan may have tried it: see
   * ExecutionPlans' rootOutcomes).
   */
  async answer(
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    context: () => GatewayContext,
  ): Promise<{ text: string; contentType: string; operation: string } | null> {
    const accept = req.headers.accept;
    if (accept !== undefined && accept !== 'application/json' && accept !== '*/*') return null;
    const r = directRequest(body);
    const learnt = r && this.learnt.get(key(r));
    if (!r || !learnt) return null;
    const t0 = performance.now();
    // Coerced once, for the cost check and the execution (null: graphql-js's coercion errors, by Apollo).
    const values = learnt.plan.coerce(r.variables);
    if (!values || coercedCostError(this.schema, learnt.document, learnt.operation, values, this.limits)) return null;
    const result = await learnt.plan.runCoerced(context(), values);
    if (!result) return null;
    const text = JSON.stringify(result);
    res.setHeader('content-type', CONTENT_TYPE);
    res.statusCode = 200;
    endTogether(res, text);
    this.answered++;
    this.metrics.observeOperation(learnt.label, (performance.now() - t0) / 1e3);
    return { text, contentType: CONTENT_TYPE, operation: learnt.label };
  }
}

function key(r: DirectRequest): string {
  return r.operationName === null ? r.query : `${r.operationName}\n${r.query}`;
}

function directRequest(body: unknown): DirectRequest | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  let query: unknown, operationName: unknown, variables: unknown;
  for (const k in body) {
    const v = (body as Record<string, unknown>)[k];
    if (k === 'query') query = v;
    else if (k === 'operationName') operationName = v;
    else if (k === 'variables') variables = v;
    else return null;
  }
  if (typeof query !== 'string') return null;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
  return {
    query,
    operationName: (operationName as string | null | undefined) ?? null,
    variables: (variables as Record<string, unknown> | null | undefined) ?? undefined,
  };
}
