// The gateway's HTTP server on plain node:http: POST/GET /graphql through Apollo's
// framework-neutral handler, /health/live, /health/ready, /metrics, and the explorer's
// static files at /. CORS is opt-in per origin (CINEMAP_CORS_ORIGINS); Apollo's CSRF
// prevention stays on; stack traces only with NODE_ENV=development.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLFormattedError, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import pino, { type Logger } from 'pino';
import { pingDatabase, setStatementTimeout, type Db } from '@cinemap/db';
import { ModelStore } from '../model/model-store';
import type { ModelSnapshot } from '../model/snapshot';
import { gatewaySchema } from '../graphql/schema';
import { createContext, type GatewayContext } from '../graphql/context';
import { lookupMovieId } from '../graphql/arguments';
import { databaseErrorCode } from '../graphql/errors';
import { costPlugin, DEFAULT_QUERY_LIMITS, queryLimitsRule, tokenLimitMessage, type QueryLimits } from '../graphql/query-limits.rule';
import { createMetrics, type GatewayMetrics } from './metrics';
import { staticHandler } from './static-files';
import { createRequestGuard, type ProtectionOptions } from './protection';

export interface GatewayOptions {
  db: Db;
  /** 0 picks a free port (tests). Default 4000. */
  port?: number;
  host?: string;
  /** Origins allowed to call /graphql from a browser; ['*'] allows any. Default none (same origin only). */
  corsOrigins?: string[];
  /** Schema introspection and the Apollo landing page. */
  introspection?: boolean;
  /** NODE_ENV=development: stack traces and internal messages in responses. */
  development?: boolean;
  log?: Logger;
  /** Explorer build to serve at / (served only when it holds index.html). */
  staticDir?: string | null;
  limits?: QueryLimits;
  /** Applied to the embedded session (PostgreSQL sets it per pooled connection at open). */
  statementTimeoutMs?: number;
  /** Largest request body accepted, bytes. */
  maxBodyBytes?: number;
  /** Optional API keys and per-client rate limit for /graphql (protection.ts); off when absent. */
  protection?: ProtectionOptions;
}

export interface Gateway {
  url: string;
  port: number;
  store: ModelStore;
  metrics: GatewayMetrics;
  /** The title lookup resolvers use (cached per snapshot): movie id or null. */
  lookupTitle(snapshot: ModelSnapshot | null, title: string): Promise<number | null>;
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;
/** Root fields whose answer is a pure function of (active run, arguments). */
const REPLAYABLE = new Set(['similarMovies', 'similarToMany']);
const REPLAY_MAX_BODY = 4096;

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const log = opts.log ?? pino({ level: process.env.LOG_LEVEL ?? 'info' });
  const development = opts.development ?? process.env.NODE_ENV === 'development';
  const introspection = opts.introspection ?? process.env.NODE_ENV !== 'production';
  const cors = new Set(opts.corsOrigins ?? []);
  const guard = createRequestGuard(opts.protection);
  const maxBody = opts.maxBodyBytes ?? 1_000_000;
  const db = opts.db;
  const limits = opts.limits ?? DEFAULT_QUERY_LIMITS;
  if (db.backend === 'pglite' && opts.statementTimeoutMs) await setStatementTimeout(db, opts.statementTimeoutMs);

  const store = new ModelStore(db, log);
  await store.start();
  const schema = await gatewaySchema();
  const rootFields = Object.keys(schema.getQueryType()?.getFields() ?? {});
  const metrics = createMetrics(db, store, rootFields);
  const operationLabel = operationLabeller(new Set(rootFields));

  const observe: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      const t0 = performance.now();
      return {
        async didEncounterErrors(rc) {
          const op = operationLabel(rc);
          for (const e of rc.errors) {
            const code = String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
            metrics.countError(op, code);
            if (code === 'INTERNAL_SERVER_ERROR') rc.contextValue?.log?.error({ err: unwrapResolverError(e), requestId: rc.contextValue?.requestId, operation: op }, 'internal error');
          }
        },
        async willSendResponse(rc) {
          metrics.observeOperation(operationLabel(rc), (performance.now() - t0) / 1e3);
          // Whole responses of neighbour queries depend only on the run and the request
          // body: the HTTP layer may replay them for the same snapshot.
          const roots = rc.operation?.operation === 'query' ? rc.operation.selectionSet.selections : [];
          if (rc.contextValue && !rc.errors?.length && roots.length > 0 && roots.every((f) => f.kind === 'Field' && REPLAYABLE.has(f.name.value))) rc.contextValue.replay.operation = operationLabel(rc);
        },
      };
    },
  };

  const apollo = new ApolloServer<GatewayContext>({
    schema,
    introspection,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: development,
    // The token limit bounds all parse and validation work (graphql-js stops lexing past it).
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: [queryLimitsRule(limits)],
    // Cache-control hints are unused (responses are cached per run snapshot instead); the
    // default plugin wraps every field resolver (willResolveField showed in the profile).
    plugins: [introspection ? ApolloServerPluginLandingPageLocalDefault({ footer: false }) : ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), costPlugin<GatewayContext>(limits), observe],
    formatError: (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
      const code = formatted.extensions?.code;
      const overTokens = code === 'GRAPHQL_PARSE_FAILED' ? tokenLimitMessage(formatted.message, limits) : null;
      if (overTokens) return { ...formatted, message: overTokens };
      if (development || (code && code !== 'INTERNAL_SERVER_ERROR')) return formatted;
      const original = unwrapResolverError(error);
      // Database outages and statement timeouts are the client's "retry later", not a bug.
      const dbCode = databaseErrorCode(original);
      if (dbCode === 'DATABASE_TIMEOUT') return { message: 'The database did not answer within the statement timeout; try again, or ask for less.', locations: formatted.locations, path: formatted.path, extensions: { code: dbCode } };
      if (dbCode) return { message: 'The database is not reachable right now; try again in a few seconds (/health/ready says when it is back).', locations: formatted.locations, path: formatted.path, extensions: { code: dbCode } };
      // A GraphQLError thrown on purpose without a code is still safe to show.
      if (original instanceof GraphQLError && !(original.originalError && !(original.originalError instanceof GraphQLError))) return formatted;
      return { message: 'Internal server error; the gateway log has the details under this request id (x-request-id response header).', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    },
  });
  await apollo.start();

  const serveStatic = opts.staticDir ? staticHandler(opts.staticDir) : null;

  const handle = async (req: IncomingMessage, res: ServerResponse, requestId: string): Promise<string> => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    // The path is decoded once, here, for every route: a URL that does not decode is the
    // client's mistake (400), never an exception inside a handler (500).
    const path = decodeUrlPath(q < 0 ? url : url.slice(0, q));
    if (path === null) return sendJson(res, 400, { error: 'Malformed URL: the path has invalid percent-encoding (%XX with two hex digits, forming UTF-8) or a NUL byte.' }, 'bad_url');
    if (path === '/graphql') {
      const origin = req.headers.origin;
      if (origin && (cors.has('*') || cors.has(origin))) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Vary', 'Origin');
      }
      if (req.method === 'OPTIONS') {
        if (res.hasHeader('Access-Control-Allow-Origin')) {
          res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
          res.setHeader('Access-Control-Allow-Headers', 'content-type, apollo-require-preflight, x-apollo-operation-name, x-request-id');
          res.setHeader('Access-Control-Max-Age', '600');
        }
        res.statusCode = 204;
        res.end();
        return 'graphql';
      }
      if (guard && !guard(req, res)) return 'graphql';
      let body: unknown = undefined;
      let raw = '';
      // The media type proper (parameters dropped), as Apollo's CSRF check reads it: a
      // "simple" request (text/plain; charset=application/json …) is never JSON here, so it
      // cannot reach the response cache and Apollo refuses it.
      const json = mediaType(req.headers['content-type']) === 'application/json';
      const snapshot = store.current;
      let replayCache: ModelSnapshot['responseCache'] | null = null;
      if (req.method === 'POST') {
        const read = await readBody(req, maxBody);
        if (read !== null) raw = read;
        if (read === null)
          return sendJson(res, 413, { errors: [{ message: `Request body over ${maxBody} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] }, 'graphql');
        // Every protection runs before this replay: the size limit (above), CSRF (only an
        // application/json POST gets here: never a simple request), and the token, depth and
        // cost limits (only bodies that once passed them and executed without error are
        // stored; the key is the whole body, variables included).
        if (json && snapshot && raw.length <= REPLAY_MAX_BODY) {
          replayCache = snapshot.responseCache;
          const hit = replayCache.get(raw);
          if (hit) {
            const t0 = performance.now();
            res.writeHead(200, { 'content-type': hit.contentType, 'content-length': Buffer.byteLength(hit.text) });
            res.end(hit.text);
            metrics.observeOperation(hit.operation, (performance.now() - t0) / 1e3);
            return 'graphql';
          }
        }
        if (json) {
          try {
            body = raw.length ? JSON.parse(raw) : undefined;
          } catch {
            return sendJson(res, 400, { errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] }, 'graphql');
          }
          if (typeof body !== 'object' || body === null) replayCache = null;
        } else body = raw;
      }
      const replayKey = replayCache ? raw : null;
      let ctxValue: GatewayContext | undefined;
      const headers = new HeaderMap();
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
      const result = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: q < 0 ? '' : url.slice(q), body },
        context: async () => (ctxValue = createContext(db, store, log, requestId)),
      });
      if (replayKey && replayCache && ctxValue?.replay.operation && ctxValue.snapshot === snapshot && result.body.kind === 'complete' && (result.status ?? 200) === 200) {
        replayCache.set(replayKey, { text: result.body.string, contentType: result.headers.get('content-type') ?? 'application/json; charset=utf-8', operation: ctxValue.replay.operation });
      }
      for (const [k, v] of result.headers) res.setHeader(k, v);
      res.statusCode = result.status ?? 200;
      if (result.body.kind === 'complete') res.end(result.body.string);
      else {
        for await (const chunk of result.body.asyncIterator) res.write(chunk);
        res.end();
      }
      return 'graphql';
    }
    if (path === '/health/live') return sendJson(res, 200, { status: 'ok' }, 'live');
    if (path === '/health/ready') {
      const reasons: string[] = [];
      const dbOk = await withTimeout(pingDatabase(db), 2000).catch(() => false);
      if (!dbOk) reasons.push(`database ${db.location} is not reachable`);
      if (!store.current) reasons.push(store.lastError ? `the active model run cannot be served: ${store.lastError}` : 'no model run is active (train one: npm run train)');
      const run = store.current?.run ?? null;
      // Ready either way (a consistent pair is served), but never "ok" while a newer dataset waits for its model.
      const stale = run !== null && !store.upToDate;
      const warnings = stale ? [`dataset ${store.activeDatasetId ?? 'none'} is active, but the model served (run ${run.id}) was trained on dataset ${run.datasetId}: answers come from run ${run.id} and its own catalogue until a run on the new dataset is activated (npm run train)`] : [];
      const status = reasons.length ? 'unavailable' : stale ? 'stale' : 'ok';
      return sendJson(res, reasons.length ? 503 : 200, { status, reasons, warnings, runId: run?.id ?? null, runDatasetId: run?.datasetId ?? null, activeDatasetId: store.activeDatasetId }, 'ready');
    }
    if (path === '/metrics') {
      res.setHeader('Content-Type', metrics.registry.contentType);
      res.end(await metrics.registry.metrics());
      return 'metrics';
    }
    if (serveStatic?.(req, res, path)) return 'static';
    sendJson(res, 404, { error: `Nothing at ${JSON.stringify(path.length > 200 ? `${path.slice(0, 200)}…` : path)}: GraphQL is at /graphql, health at /health/live and /health/ready, metrics at /metrics.` }, 'not_found');
    return 'not_found';
  };

  const server: Server = createServer((req, res) => {
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', requestId);
    handle(req, res, requestId)
      .then((route) => {
        metrics.countRequest(route, res.statusCode);
        if (log.isLevelEnabled('debug')) log.debug({ requestId, method: req.method, url: req.url, status: res.statusCode }, 'request');
      })
      .catch((e) => {
        log.error({ err: e, requestId }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }, 'error');
        else res.destroy();
      });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 4000, opts.host ?? '0.0.0.0', () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.host && opts.host !== '0.0.0.0' ? opts.host : 'localhost'}:${port}/graphql`;
  log.info({ url, runId: store.current?.runId ?? null, introspection, cors: [...cors] }, 'gateway listening');
  return {
    url,
    port,
    store,
    metrics,
    lookupTitle: (snapshot, title) => lookupMovieId(db, snapshot, title),
    async close() {
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      });
      await apollo.stop();
      await store.close();
    },
  };
}

/**
 * The metrics label of a request: the first root field it selects (looking through
 * inline fragments and fragment spreads) when that is one of the schema's root fields,
 * 'introspection' for __schema/__type/__typename, else 'invalid'. Never anything the
 * client named (operation names, aliases, unknown fields).
 */
function operationLabeller(rootFields: ReadonlySet<string>) {
  const firstField = (set: SelectionSetNode | undefined, doc: DocumentNode | undefined, hops: number): string | null => {
    if (!set || hops > 32) return null;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) return s.name.value;
      const inner =
        s.kind === Kind.INLINE_FRAGMENT
          ? s.selectionSet
          : doc?.definitions.find((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === s.name.value)?.selectionSet;
      const f = firstField(inner, doc, hops + 1);
      if (f) return f;
    }
    return null;
  };
  return (rc: { operation?: OperationDefinitionNode | null; document?: DocumentNode }): string => {
    const name = firstField(rc.operation?.selectionSet, rc.document, 0);
    if (name && rootFields.has(name)) return name;
    return name?.startsWith('__') ? 'introspection' : 'invalid';
  };
}

/** The media type of a Content-Type header without its parameters, lower case ('' when absent). */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

/** The percent-decoded path, or null when it does not decode (bad %XX, invalid UTF-8) or holds NUL. */
export function decodeUrlPath(raw: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return null;
  }
  return path.includes('\0') ? null : path;
}

function sendJson(res: ServerResponse, status: number, body: unknown, route: string): string {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
  return route;
}

function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => ok(over ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), ok(v)),
      (e) => (clearTimeout(t), fail(e)),
    );
  });
}
