// Prometheus metrics (/metrics): per-operation latency, errors by code, model swaps,
// and the database pool. One registry per gateway instance (tests start several).
// Every label value comes from a closed set fixed at start (the schema's root fields,
// the documented error codes, the server's routes, HTTP status codes): a value outside
// it is counted as "other", so nothing a client sends can add a time series.
import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '@cinemap/db';
import type { ModelStore } from '../model/model-store';

export interface GatewayMetrics {
  registry: Registry;
  operationSeconds: Histogram<'operation'>;
  errors: Counter<'operation' | 'code'>;
  httpRequests: Counter<'route' | 'status'>;
  /** operationSeconds.observe through a cached child (no label object per request). */
  observeOperation(operation: string, seconds: number): void;
  /** cinemap_graphql_errors_total + 1 for one error of `code` in `operation`. */
  countError(operation: string, code: string): void;
  /** httpRequests.inc through a cached child. */
  countRequest(route: string, status: number): void;
}

/** Operation labels besides the schema's root fields. */
export const OTHER_OPERATION_LABELS = ['introspection', 'invalid', 'other'] as const;
/** Error codes the gateway and Apollo produce (docs/graphql.md); anything else counts as OTHER. */
export const ERROR_CODE_LABELS = [
  'BAD_USER_INPUT',
  'MOVIE_NOT_FOUND',
  'MOVIE_NOT_IN_MODEL',
  'USER_NOT_FOUND',
  'NO_ACTIVE_MODEL',
  'MODEL_STALE',
  'SCORER_UNAVAILABLE',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'QUERY_TOO_DEEP',
  'BAD_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'DATABASE_UNAVAILABLE',
  'DATABASE_TIMEOUT',
  'INTERNAL_SERVER_ERROR',
  'OTHER',
] as const;
/** Routes of the HTTP server (server.ts). */
export const ROUTE_LABELS = ['graphql', 'live', 'ready', 'metrics', 'static', 'not_found', 'bad_url', 'error', 'other'] as const;

/** `value` when it is in `allowed`, else `fallback`. */
function closed(allowed: ReadonlySet<string>, value: string, fallback: string): string {
  return allowed.has(value) ? value : fallback;
}

export function createMetrics(db: Db, store: ModelStore, rootFields: readonly string[]): GatewayMetrics {
  const operations = new Set<string>([...rootFields, ...OTHER_OPERATION_LABELS]);
  const errorCodes = new Set<string>(ERROR_CODE_LABELS);
  const routes = new Set<string>(ROUTE_LABELS);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cinemap_gateway_' });
  const operationSeconds = new Histogram({
    name: 'cinemap_graphql_operation_duration_seconds',
    help: 'GraphQL operation latency, by root field (or operation name).',
    labelNames: ['operation'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'cinemap_graphql_errors_total',
    help: 'GraphQL errors by extensions.code.',
    labelNames: ['operation', 'code'],
    registers: [registry],
  });
  const httpRequests = new Counter({
    name: 'cinemap_http_requests_total',
    help: 'HTTP requests by route and status.',
    labelNames: ['route', 'status'],
    registers: [registry],
  });
  registerStateGauges(registry, db, store);
  // prom-client hashes a label object on every observe(); children bound once per
  // label value make the per-request cost one Map lookup (the label sets are closed, so
  // these maps are bounded too).
  const opChildren = new Map<string, ReturnType<typeof operationSeconds.labels>>();
  const reqChildren = new Map<string, ReturnType<typeof httpRequests.labels>>();
  return {
    registry,
    operationSeconds,
    errors,
    httpRequests,
    observeOperation(operation, seconds) {
      const op = closed(operations, operation, 'other');
      let c = opChildren.get(op);
      if (!c) opChildren.set(op, (c = operationSeconds.labels(op)));
      c.observe(seconds);
    },
    countError(operation, code) {
      errors.inc({ operation: closed(operations, operation, 'other'), code: closed(errorCodes, code, 'OTHER') });
    },
    countRequest(route, status) {
      const r = closed(routes, route, 'other');
      const st = Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'other';
      const key = `${r} ${st}`;
      let c = reqChildren.get(key);
      if (!c) reqChildren.set(key, (c = httpRequests.labels(r, st)));
      c.inc();
    },
  };
}

/** Gauges read when /metrics is scraped: the database pool, the served run, swaps, whether the run is up to date. */
function registerStateGauges(registry: Registry, db: Db, store: ModelStore): void {
  const pool = (db as Db & { pool?: { totalCount: number; idleCount: number; waitingCount: number } }).pool;
  new Gauge({
    name: 'cinemap_db_pool_connections',
    help: 'PostgreSQL pool connections by state (embedded PGlite: one in-process session, reported as total=1).',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool ? pool.totalCount : 1);
      this.set({ state: 'idle' }, pool ? pool.idleCount : 0);
      this.set({ state: 'waiting' }, pool ? pool.waitingCount : 0);
    },
  });
  new Gauge({
    name: 'cinemap_model_run_id',
    help: 'Id of the model run being served (0: none).',
    registers: [registry],
    collect() {
      this.set(store.current?.runId ?? 0);
    },
  });
  new Gauge({
    name: 'cinemap_model_up_to_date',
    help: '1 when the served run was trained on the active dataset; 0 while a newer dataset awaits its model (answers still come from the served run and its own catalogue).',
    registers: [registry],
    collect() {
      this.set(store.upToDate ? 1 : 0);
    },
  });
  new Gauge({
    name: 'cinemap_model_active_run_id',
    help: 'Id of the run the database marks active (0: none); differs from cinemap_model_run_id while it cannot be loaded.',
    registers: [registry],
    collect() {
      this.set(store.activeRunId ?? 0);
    },
  });
  let failuresSeen = 0;
  new Counter({
    name: 'cinemap_model_load_failures_total',
    help: 'Failed loads of an active run (each is retried with backoff; the previous run keeps answering).',
    registers: [registry],
    collect() {
      if (store.loadFailures > failuresSeen) this.inc(store.loadFailures - failuresSeen);
      failuresSeen = store.loadFailures;
    },
  });
  new Gauge({
    name: 'cinemap_model_swaps',
    help: 'Model runs loaded since start (hot swaps + the first load).',
    registers: [registry],
    collect() {
      this.set(store.swaps);
    },
  });
}

/**
 * The metrics label of a request: the first root field it selects (looking through
 * inline fragments and fragment spreads) when that is one of the schema's root fields,
 * 'introspection' for __schema/__type/__typename, else 'invalid'. Never anything the
 * client named (operation names, aliases, unknown fields).
 */
export function operationLabeller(rootFields: ReadonlySet<string>) {
  const firstField = (set: SelectionSetNode | undefined, doc: DocumentNode | undefined, hops: number): string | null => {
    if (!set || hops > 32) return null;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) return s.name.value;
      const inner =
        s.kind === Kind.INLINE_FRAGMENT
          ? s.selectionSet
          : doc?.definitions.find((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === s.name.value)
              ?.selectionSet;
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
