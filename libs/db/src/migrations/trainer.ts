// Migrations owned by the trainer (version range in ./core.ts).
import type { Migration } from './types';

export const trainerMigrations: Migration[] = [];
