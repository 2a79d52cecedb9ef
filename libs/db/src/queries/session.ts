// Session-level statements: the statement timeout (set per pooled connection on
// PostgreSQL at open; here for PGlite's one session) and the health check's ping.
import type { Queryable } from '../db';

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
