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
  return { registry, operationSeconds, errors, httpRequests };
}
