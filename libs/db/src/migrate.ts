// Applies versioned migrations idempotently: each in its own transaction, recorded
// in schema_migrations; an advisory lock keeps two migrators from racing; an
// already-applied migration whose text changed is refused rather than skipped silently.
import { createHash } from 'node:crypto';
import { Db, DbError } from './db';
import { migrations as allMigrations, Migration } from './migrations';
import { ENSURE_SEARCH_PATH_SQL } from './migrations/analysts';

const LOCK_KEY = 4_242_001;

export interface MigrateResult {
  applied: number[];
  current: number;
}

/** What schema_migrations records of `m`: an applied migration whose text changed no longer matches it. */
export function migrationChecksum(m: Migration): string {
  return createHash('sha256').update(m.sql).digest('hex').slice(0, 16);
}

export async function migrate(db: Db, migrations: Migration[] = allMigrations): Promise<MigrateResult> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const applied: number[] = [];
  for (const m of migrations) {
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
      const rows = await tx.query<{ checksum: string }>('SELECT checksum FROM schema_migrations WHERE version = $1', [m.version]);
      if (rows.length) {
        if (rows[0].checksum !== migrationChecksum(m)) {
          throw new DbError(
            `Migration ${m.version} (${m.name}) was changed after it was applied to ${db.location}.`,
            'Never edit an applied migration: add a new one with a higher version.',
          );
        }
        return false;
      }
      try {
        await tx.exec(m.sql);
      } catch (e) {
        throw new DbError(
          `Migration ${m.version} (${m.name}) failed: ${(e as Error).message}`,
          'Nothing of it was applied (it ran in a transaction).',
        );
      }
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        migrationChecksum(m),
      ]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  if (db.backend === 'postgres') await ensureDatabaseSearchPath(db);
  const [{ v }] = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  return { applied, current: v ?? 0 };
}

/**
 * psql sessions find cinemap's functions through the database's search_path (migration
 * 600 sets it). A database restored with pg_restore into one made by hand has lost it:
 * set it again, only when missing (ALTER DATABASE on every open would race other openers).
 */
async function ensureDatabaseSearchPath(db: Db): Promise<void> {
  const [row] = await db.query<{ ok: boolean; schema: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
                    WHERE d.datname = current_database() AND s.setrole = 0
                      AND EXISTS (SELECT 1 FROM unnest(s.setconfig) c WHERE c LIKE 'search_path=%cinemap%')) AS ok,
            to_regnamespace('cinemap') IS NOT NULL AS schema`,
  );
  if (row.schema && !row.ok) await db.exec(ENSURE_SEARCH_PATH_SQL);
}
