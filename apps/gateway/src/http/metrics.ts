// Prometheus metrics (/metrics): per-operation latency, errors by code, model swaps,
// and the database pool. One registry per gateway instance (tests start several).
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
  /** httpRequests.inc through a cached child. */
  countRequest(route: string, status: number): void;
}

export function createMetrics(db: Db, store: ModelStore): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cinemap_gateway_' });
  const operationSeconds = new Histogram({
    name: 'cinemap_graphql_operation_duration_seconds',
    help: 'GraphQL operation latency, by root field (or operation name).',
    labelNames: ['operation'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const errors = new Counter({ name: 'cinemap_graphql_errors_total', help: 'GraphQL errors by extensions.code.', labelNames: ['operation', 'code'], registers: [registry] });
  const httpRequests = new Counter({ name: 'cinemap_http_requests_total', help: 'HTTP requests by route and status.', labelNames: ['route', 'status'], registers: [registry] });
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
    name: 'cinemap_model_swaps',
    help: 'Model runs loaded since start (hot swaps + the first load).',
    registers: [registry],
    collect() {
      this.set(store.swaps);
    },
  });
  // prom-client hashes a label object on every observe(); children bound once per
  // label value make the per-request cost one Map lookup (label values are bounded:
  // root field names and a handful of routes and statuses).
  const opChildren = new Map<string, ReturnType<typeof operationSeconds.labels>>();
  const reqChildren = new Map<string, ReturnType<typeof httpRequests.labels>>();
  return {
    registry,
    operationSeconds,
    errors,
    httpRequests,
    observeOperation(operation, seconds) {
      let c = opChildren.get(operation);
      if (!c) {
        c = operationSeconds.labels(operation);
        if (opChildren.size < 256) opChildren.set(operation, c);
      }
      c.observe(seconds);
    },
    countRequest(route, status) {
      const key = `${route} ${status}`;
      let c = reqChildren.get(key);
      if (!c) {
        c = httpRequests.labels(route, String(status));
        if (reqChildren.size < 256) reqChildren.set(key, c);
      }
      c.inc();
    },
  };
}
