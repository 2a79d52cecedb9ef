import { coreMigrations } from './core';
import { ingestMigrations } from './ingest';
import { trainerMigrations } from './trainer';
import { gatewayMigrations } from './gateway';
import type { Migration } from './types';

export type { Migration } from './types';

/** Every migration, in version order. */
export const migrations: Migration[] = [...coreMigrations, ...ingestMigrations, ...trainerMigrations, ...gatewayMigrations].sort((a, b) => a.version - b.version);
