// @cinemap/db: the only place SQL lives. Connection (PGlite or PostgreSQL),
// migrations, bulk COPY, and the typed queries each app uses.
export * from './db';
export { openDb, cinemapHome } from './open';
export type { OpenDbOptions } from './open';
export { openPglite } from './pglite';
export { openPostgres, redactUrl } from './postgres';
export { migrate } from './migrate';
export type { MigrateResult } from './migrate';
export { migrations } from './migrations';
export type { Migration } from './migrations';
export { serveSql } from './serve';
export { setRolePasswords, ROLE_PASSWORD_ENV } from './roles';
export type { CinemapRole } from './roles';
export * from './queries/ingest';
export * from './queries/trainer';
export * from './queries/gateway';
