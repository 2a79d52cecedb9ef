// Migrations owned by the ingest (version range in ./core.ts).
import type { Migration } from './types';

export const ingestMigrations: Migration[] = [];
