// Server backend: a pg Pool against PostgreSQL >= 15 with pgvector >= 0.7.
// Bulk loads stream through COPY FROM STDIN (pg-copy-streams).
import { Pool, PoolClient, Client, types } from 'pg';
import { from as copyFromStream } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Db, DbError, Queryable } from './db';

// int8 and numeric as JS numbers, as on PGlite (ids stay far below 2^53).
types.setTypeParser(20, (v) => Number(v));
types.setTypeParser(1700, (v) => Number(v));

export interface PostgresOptions {
  url: string;
  /** Pool size (default 10). */
  max?: number;
  /** statement_timeout in ms for every session (default none). */
  statementTimeoutMs?: number;
  applicationName?: string;
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

// eslint-disable-next-line max-lines-per-function -- builds one Db whose methods close over the pool
export async function openPostgres(opts: PostgresOptions): Promise<Db & { pool: Pool }> {
  const pool = new Pool({
    connectionString: opts.url,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? 'cinemap',
    ...(opts.statementTimeoutMs ? { statement_timeout: opts.statementTimeoutMs } : {}),
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  try {
    const c = await pool.connect();
    c.release();
  } catch (e) {
    await pool.end().catch(() => {});
    throw new DbError(
      `Cannot connect to PostgreSQL at ${redactUrl(opts.url)}: ${(e as Error).message}`,
      'Check DATABASE_URL and that the server is running; unset DATABASE_URL to use the embedded database.',
    );
  }
  const wrap = (q: Pool | PoolClient): Queryable => ({
    backend: 'postgres',
    async query<T>(sql: string, params?: unknown[]) {
      return (await q.query(sql, params as unknown[])).rows as T[];
    },
    async exec(sql: string) {
      await q.query(sql);
    },
    async copyFrom(table, columns, csv) {
      const client = 'release' in q ? (q as PoolClient) : await (q as Pool).connect();
      try {
        const stream = client.query(copyFromStream(`COPY ${table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT csv)`));
        await pipeline(Readable.from(csv as AsyncIterable<Uint8Array | string>), stream);
        return Number(stream.rowCount ?? 0);
      } finally {
        if (client !== q) client.release();
      }
    },
  });
  const base = wrap(pool);
  return {
    ...base,
    pool,
    location: redactUrl(opts.url),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const r = await fn(wrap(client));
        await client.query('COMMIT');
        return r;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    async listen(channel, onNotify) {
      // A dedicated connection that reconnects when the server goes away.
      let client: Client | undefined;
      let stopped = false;
      let connectedBefore = false;
      const connect = async (): Promise<void> => {
        if (stopped) return;
        const c = new Client({ connectionString: opts.url, application_name: `${opts.applicationName ?? 'cinemap'}-listen` });
        c.on('notification', (m) => {
          if (m.channel === channel) onNotify(m.payload ?? '');
        });
        c.on('error', () => {
          c.end().catch(() => {});
          if (!stopped) setTimeout(() => void connect().catch(() => {}), 1000);
        });
        try {
          await c.connect();
          await c.query(`LISTEN ${channel}`);
          client = c;
          // Whatever was notified while we were away is lost: tell the listener to re-check.
          if (connectedBefore) onNotify('reconnected');
          connectedBefore = true;
        } catch {
          c.end().catch(() => {});
          if (!stopped) setTimeout(() => void connect().catch(() => {}), 1000);
        }
      };
      await connect();
      return async () => {
        stopped = true;
        await client?.end().catch(() => {});
      };
    },
    async close() {
      await pool.end();
    },
  };
}
