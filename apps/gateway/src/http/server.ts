// The gateway's HTTP server on plain node:http: the routes (/graphql through Apollo,
// ./graphql-route.ts; /health/live and /health/ready, ./health.ts; /metrics; the
// explorer's static files at /), request ids, per-route metrics, listen and close.
// CORS is opt-in per origin (CINEMAP_CORS_ORIGINS); Apollo's CSRF prevention stays
// on; stack traces only with NODE_ENV=development (./apollo.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { setStatementTimeout, type Db } from '@cinemap/db';
import { ModelStore } from '../model/model-store';
import type { ModelSnapshot } from '../model/snapshot';
import type { ScorerLoad } from '../model/scorer';
import { gatewaySchema } from '../graphql/schema';
import { lookupMovieId } from '../graphql/arguments';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from '../graphql/query-limits.rule';
import { startApollo } from './apollo';
import { DirectAnswers } from './direct-answers';
import { graphqlRoute } from './graphql-route';
import { live, ready } from './health';
import { createMetrics, type GatewayMetrics } from './metrics';
import { decodeUrlPath, sendJson } from './responses';
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
  /** statement_timeout of the bulk reads when a run is loaded, ms (ModelStore; default 300 s). */
  modelLoadTimeoutMs?: number;
  /** Moods' whole-basis scans on a worker thread (model/scan-thread.ts); default on, false: on the event loop. */
  scanThread?: boolean;
  /** When a run's ONNX scorer loads (model/scorer.ts): at its first predictRating ('lazy', default) or with the run ('eager'). */
  scorerLoad?: ScorerLoad;
  /** Largest request body accepted, bytes. */
  maxBodyBytes?: number;
  /** Optional API keys and per-client rate limit for /graphql (protection.ts); off when absent. */
  protection?: ProtectionOptions;
  /** Compiled plans for the neighbour queries (graphql/execution-plan.ts); default on, false: graphql-js only. */
  executionPlans?: boolean;
  /** With plans: answer learnt neighbour queries without Apollo's pipeline (http/direct-answers.ts); default on. */
  directAnswers?: boolean;
}

export interface Gateway {
  url: string;
  port: number;
  store: ModelStore;
  metrics: GatewayMetrics;
  /** Requests answered directly (without Apollo's pipeline), by a plan inside Apollo, and by graphql-js (zeros with plans off). */
  executionUse(): { direct: number; plan: number; execute: number };
  /** The title lookup resolvers use (cached per snapshot): movie id or null. */
  lookupTitle(snapshot: ModelSnapshot | null, title: string): Promise<number | null>;
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const log = opts.log ?? pino({ level: process.env.LOG_LEVEL ?? 'info' });
  const development = opts.development ?? process.env.NODE_ENV === 'development';
  const introspection = opts.introspection ?? process.env.NODE_ENV !== 'production';
  const cors = new Set(opts.corsOrigins ?? []);
  const db = opts.db;
  if (db.backend === 'pglite' && opts.statementTimeoutMs) await setStatementTimeout(db, opts.statementTimeoutMs);

  const store = new ModelStore(db, log, {
    loadTimeoutMs: opts.modelLoadTimeoutMs,
    scanThread: opts.scanThread,
    scorerLoad: opts.scorerLoad,
  });
  await store.start();
  const schema = await gatewaySchema();
  const metrics = createMetrics(db, store, Object.keys(schema.getQueryType()?.getFields() ?? {}));
  const limits = opts.limits ?? DEFAULT_QUERY_LIMITS;
  const { apollo, plans } = await startApollo({
    schema,
    limits,
    introspection,
    development,
    metrics,
    executionPlans: opts.executionPlans,
  });
  const direct = plans && opts.directAnswers !== false ? new DirectAnswers(schema, limits, metrics) : null;
  const graphql = graphqlRoute({
    apollo,
    db,
    store,
    log,
    metrics,
    cors,
    maxBodyBytes: opts.maxBodyBytes ?? 1_000_000,
    guard: createRequestGuard(opts.protection),
    direct,
  });

  const route = router({ db, store, metrics, graphql, serveStatic: opts.staticDir ? staticHandler(opts.staticDir) : null });
  const server = await listen(route, opts, log, metrics);
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.host && opts.host !== '0.0.0.0' ? opts.host : 'localhost'}:${port}/graphql`;
  log.info({ url, runId: store.current?.runId ?? null, introspection, cors: [...cors] }, 'gateway listening');
  return {
    url,
    port,
    store,
    metrics,
    executionUse: () => ({ direct: direct?.answered ?? 0, ...(plans?.use ?? { plan: 0, execute: 0 }) }),
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

type Route = (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<string>;

/** The routes: answers one request and resolves to its route label for the metrics. */
function router(r: {
  db: Db;
  store: ModelStore;
  metrics: GatewayMetrics;
  graphql: ReturnType<typeof graphqlRoute>;
  serveStatic: ReturnType<typeof staticHandler>;
}): Route {
  const { db, store, metrics, graphql, serveStatic } = r;
  return async (req, res, requestId) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    // The path is decoded once, here, for every route: a URL that does not decode is the
    // client's mistake (400), never an exception inside a handler (500).
    const path = decodeUrlPath(q < 0 ? url : url.slice(0, q));
    if (path === null)
      return sendJson(
        res,
        400,
        { error: 'Malformed URL: the path has invalid percent-encoding (%XX with two hex digits, forming UTF-8) or a NUL byte.' },
        'bad_url',
      );
    if (path === '/graphql') return graphql(req, res, requestId, q < 0 ? '' : url.slice(q));
    if (path === '/health/live') return live(res);
    if (path === '/health/ready') return ready(res, db, store);
    if (path === '/metrics') {
      res.setHeader('Content-Type', metrics.registry.contentType);
      res.end(await metrics.registry.metrics());
      return 'metrics';
    }
    if (serveStatic?.(req, res, path)) return 'static';
    return sendJson(
      res,
      404,
      {
        error: `Nothing at ${JSON.stringify(path.length > 200 ? `${path.slice(0, 200)}…` : path)}: GraphQL is at /graphql, health at /health/live and /health/ready, metrics at /metrics.`,
      },
      'not_found',
    );
  };
}

/** The node:http server: a request id on every response, per-route counts, a 500 for what a route throws. */
async function listen(route: Route, opts: GatewayOptions, log: Logger, metrics: GatewayMetrics): Promise<Server> {
  const server: Server = createServer((req, res) => {
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', requestId);
    route(req, res, requestId)
      .then((label) => {
        metrics.countRequest(label, res.statusCode);
        if (log.isLevelEnabled('debug')) log.debug({ requestId, method: req.method, url: req.url, status: res.statusCode }, 'request');
      })
      .catch((e) => {
        log.error({ err: e, requestId }, 'request failed');
        if (!res.headersSent)
          sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }, 'error');
        else res.destroy();
      });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 4000, opts.host ?? '0.0.0.0', () => ok());
  });
  return server;
}
