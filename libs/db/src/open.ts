// Chooses the backend from configuration: DATABASE_URL → PostgreSQL, otherwise the
// embedded PGlite store under CINEMAP_HOME (default ./.cinemap). Migrates on open.
import { join, resolve } from 'node:path';
import { Db } from './db';
import { openPglite } from './pglite';
import { openPostgres } from './postgres';
import { migrate } from './migrate';

export interface OpenDbOptions {
  /** PostgreSQL URL; defaults to DATABASE_URL. Empty → embedded. */
  url?: string;
  /** Embedded store's home; defaults to CINEMAP_HOME or ./.cinemap. `memory://` for tests. */
  home?: string;
  /** Apply migrations on open (default true). */
  migrate?: boolean;
  /** Pool size for PostgreSQL. */
  max?: number;
  statementTimeoutMs?: number;
  applicationName?: string;
}

export function cinemapHome(): string {
  return resolve(process.env.CINEMAP_HOME || '.cinemap');
}

export async function openDb(opts: OpenDbOptions = {}): Promise<Db> {
  const url = opts.url ?? process.env.DATABASE_URL;
  const db = url
    ? await openPostgres({ url, max: opts.max, statementTimeoutMs: opts.statementTimeoutMs, applicationName: opts.applicationName })
    : await openPglite({ dataDir: opts.home ?? join(cinemapHome(), 'db') });
  if (opts.migrate !== false) {
    try {
      await migrate(db);
    } catch (e) {
      await db.close().catch(() => {});
      throw e;
    }
  }
  return db;
}
