// The gateway's Apollo Server: the schema, the request limits (a token limit at parse
// time, the depth/cost rule at validation, the cost plugin once variables are known),
// the metrics plugin, and how errors are shown (stack traces only in development;
// database outages and timeouts as codes a client can act on; internals hidden behind
// the request id).
import { ApolloServer, type ApolloServerOptionsWithGateway, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../graphql/context';
import { databaseErrorCode } from '../graphql/errors';
import { ExecutionPlans } from '../graphql/execution-plan';
import { costPlugin, queryLimitsRule, tokenLimitMessage, type QueryLimits } from '../graphql/query-limits.rule';
import { operationLabeller, type GatewayMetrics } from './metrics';
import { landingPagePlugin } from './landing-page';

/** Root fields whose answer is a pure function of (active run, arguments). */
const REPLAYABLE = new Set(['similarMovies', 'similarToMany']);

export interface ApolloOptions {
  schema: GraphQLSchema;
  limits: QueryLimits;
  introspection: boolean;
  development: boolean;
  metrics: GatewayMetrics;
  /** Compiled plans for the neighbour queries (../graphql/execution-plan.ts); false: graphql-js for all (tests compare). */
  executionPlans?: boolean;
}

/** The started Apollo Server and the plans it executes with (null: plans off). */
export interface StartedApollo {
  apollo: ApolloServer<GatewayContext>;
  plans: ExecutionPlans | null;
}

/** The started Apollo Server the /graphql route executes requests with. */
export async function startApollo(opts: ApolloOptions): Promise<StartedApollo> {
  const { schema, limits, introspection, development } = opts;
  const plans = opts.executionPlans === false ? null : new ExecutionPlans(schema, { rootFields: REPLAYABLE });
  const apollo = new ApolloServer<GatewayContext>({
    ...(plans ? { gateway: planExecutor(schema, plans) } : { schema }),
    introspection,
    csrfPrevention: true,
    // Whoever starts the gateway handles SIGINT/SIGTERM and closes everything in order
    // (serve.ts: HTTP, the SQL port, the database). Apollo's own handler (on unless
    // NODE_ENV=test) stopped only Apollo and re-raised the signal, so `npm start` died
    // by SIGINT (exit 130) before the embedded store was closed, or raced the clean close.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: development,
    // The token limit bounds all parse and validation work (graphql-js stops lexing past it).
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: [queryLimitsRule(limits)],
    // Cache-control hints are unused (responses are cached per run snapshot instead); the
    // default plugin wraps every field resolver (willResolveField showed in the profile).
    plugins: [
      // The offline console (./landing-page.ts), not Apollo's Sandbox, which loads from the internet.
      introspection ? landingPagePlugin<GatewayContext>() : ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      costPlugin<GatewayContext>(limits),
      observePlugin(opts.metrics, schema),
    ],
    formatError: (formatted, error) => formatError(formatted, error, limits, development),
    // Compact JSON: Apollo pretty-prints by default (two-space indent), which took ~9% of a
    // request's CPU in the serving profile and a third more bytes on the wire.
    stringifyResult: (result) => JSON.stringify(result),
  });
  await apollo.start();
  return { apollo, plans };
}

/**
 * Apollo's one door for another executor is its gateway interface (made for federation):
 * a fixed schema, and every validated request executed by `plans` — a compiled plan for
 * the neighbour queries, graphql-js for everything else. Parsing, validation, the limits,
 * plugins, error formatting and the response are Apollo's as before.
 */
function planExecutor(schema: GraphQLSchema, plans: ExecutionPlans): ApolloServerOptionsWithGateway<GatewayContext>['gateway'] {
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async load() {
      return {
        executor: (rc) => {
          const context = rc.context as GatewayContext;
          return plans.execute({
            document: rc.document,
            operationName: rc.operationName,
            contextValue: context,
            variableValues: rc.request.variables,
            answeredBy: (plan) => (context.replay.planned = { plan, document: rc.document, operation: rc.operation }),
          });
        },
      };
    },
    async stop() {},
  };
}

/** Latency and errors per operation label, and which responses the HTTP layer may replay. */
function observePlugin(metrics: GatewayMetrics, schema: GraphQLSchema): ApolloServerPlugin<GatewayContext> {
  const operationLabel = operationLabeller(new Set(Object.keys(schema.getQueryType()?.getFields() ?? {})));
  return {
    async requestDidStart() {
      const t0 = performance.now();
      return {
        async didEncounterErrors(rc) {
          const op = operationLabel(rc);
          for (const e of rc.errors) {
            const code = String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
            metrics.countError(op, code);
            if (code === 'INTERNAL_SERVER_ERROR')
              rc.contextValue?.log?.error(
                { err: unwrapResolverError(e), requestId: rc.contextValue?.requestId, operation: op },
                'internal error',
              );
          }
        },
        async willSendResponse(rc) {
          metrics.observeOperation(operationLabel(rc), (performance.now() - t0) / 1e3);
          // Whole responses of neighbour queries depend only on the run and the request
          // body: the HTTP layer may replay them for the same snapshot.
          const roots = rc.operation?.operation === 'query' ? rc.operation.selectionSet.selections : [];
          if (
            rc.contextValue &&
            !rc.errors?.length &&
            roots.length > 0 &&
            roots.every((f) => f.kind === 'Field' && REPLAYABLE.has(f.name.value))
          )
            rc.contextValue.replay.operation = operationLabel(rc);
        },
      };
    },
  };
}

/** What a client sees of an error. */
function formatError(formatted: GraphQLFormattedError, error: unknown, limits: QueryLimits, development: boolean): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  const overTokens = code === 'GRAPHQL_PARSE_FAILED' ? tokenLimitMessage(formatted.message, limits) : null;
  if (overTokens) return { ...formatted, message: overTokens };
  if (development || (code && code !== 'INTERNAL_SERVER_ERROR')) return formatted;
  const original = unwrapResolverError(error);
  // Database outages and statement timeouts are the client's "retry later", not a bug.
  const dbCode = databaseErrorCode(original);
  if (dbCode === 'DATABASE_TIMEOUT')
    return {
      message: 'The database did not answer within the statement timeout; try again, or ask for less.',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: dbCode },
    };
  if (dbCode)
    return {
      message: 'The database is not reachable right now; try again in a few seconds (/health/ready says when it is back).',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: dbCode },
    };
  // A GraphQLError thrown on purpose without a code is still safe to show.
  if (original instanceof GraphQLError && !(original.originalError && !(original.originalError instanceof GraphQLError))) return formatted;
  return {
    message: 'Internal server error; the gateway log has the details under this request id (x-request-id response header).',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
