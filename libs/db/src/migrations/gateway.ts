// Migrations owned by the gateway (version range in ./core.ts).
import type { Migration } from './types';

export const gatewayMigrations: Migration[] = [];
