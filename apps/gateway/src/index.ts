// apps/gateway: the GraphQL API (Apollo Server + type-graphql), health, metrics,
// hot model swap, and the explorer's files. startGateway() is the one entry.
// type-graphql's decorators read design-time metadata: the polyfill loads before any class.
import 'reflect-metadata';
export { startGateway } from './http/server';
export type { Gateway, GatewayOptions } from './http/server';
export { configFromEnv } from './config';
export type { GatewayConfig } from './config';
export { printGatewaySchema, gatewaySchema } from './graphql/schema';
export { DEFAULT_QUERY_LIMITS, queryLimitsRule } from './graphql/query-limits.rule';
export type { QueryLimits } from './graphql/query-limits.rule';
export { ModelSnapshot } from './model/snapshot';
export { ModelStore } from './model/model-store';
export { serveGateway } from './serve';
