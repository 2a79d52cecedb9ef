// Applies versioned migrations idempotently: each in its own transaction, recorded
// in schema_migrations; an advisory lock keeps two migrators from racing; an
// already-applied migration whose text changed is refused rather than skipped silently.
import { createHash } from 'node:crypto';
import { Db, DbError } from './db';
import { migrations as allMigrations, Migration } from './migrations';

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
  const [{ v }] = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  return { applied, current: v ?? 0 };
}
