// Every migration of the schema, by concern (version ranges in ./core.ts).
import { audienceMigrations } from './audience';
import { coreMigrations } from './core';
import { runCatalogueMigrations } from './run-catalogue';
import { titleResolutionMigrations } from './title-resolution';
import { apiCatalogueMigrations } from './api-catalogue';
import { analystMigrations } from './analysts';
import { neighbourMigrations } from './neighbours';
import type { Migration } from './types';

export type { Migration } from './types';

/** Every migration, in version order. */
export const migrations: Migration[] = [
  ...coreMigrations,
  ...runCatalogueMigrations,
  ...titleResolutionMigrations,
  ...audienceMigrations,
  ...apiCatalogueMigrations,
  ...analystMigrations,
  ...neighbourMigrations,
].sort((a, b) => a.version - b.version);
