// Session-level statements: the statement timeout (set per pooled connection on
// PostgreSQL at open; here for PGlite's one session) and the health check's ping.
import type { Db, Queryable } from '../db';

/**
 * Sets statement_timeout for the session. PostgreSQL pools set it per connection at
 * open (openDb's statementTimeoutMs); PGlite has one session, set here.
 */
export async function setStatementTimeout(q: Queryable, ms: number): Promise<void> {
  await q.query(`SELECT set_config('statement_timeout', $1, false)`, [String(Math.max(0, Math.floor(ms)))]);
}

/** Cheap round trip for /health/ready. */
export async function pingDatabase(q: Queryable): Promise<boolean> {
  const rows = await q.query<{ ok: number }>('SELECT 1 AS ok');
  return rows[0]?.ok === 1;
}

/**
 * Runs `fn` in one transaction whose statements may each take up to `ms` (0: no limit).
 * Bulk reads (a run's catalogue, title keys and scorer when the gateway loads a run) are
 * far larger than any request and must not fail on the per-request statement timeout;
 * SET LOCAL ends with the transaction, so the session keeps its own timeout.
 */
export async function withStatementTimeout<T>(db: Db, ms: number, fn: (q: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('statement_timeout', $1, true)`, [String(Math.max(0, Math.floor(ms)))]);
    return fn(tx);
  });
}
