// Exposes the embedded PGlite store over the Postgres wire protocol on 127.0.0.1 so
// psql and analysts' tools work without a server (pglite-socket serves one
// connection at a time; psql needs PGSSLMODE=disable).
import type { PGlite } from '@electric-sql/pglite';
import { Db, DbError } from './db';

export interface SqlServer {
  port: number;
  host: string;
  close(): Promise<void>;
}

export async function serveSql(db: Db, opts: { port?: number; host?: string } = {}): Promise<SqlServer> {
  const pglite = (db as Db & { pglite?: PGlite }).pglite;
  if (!pglite) throw new DbError('serveSql is for the embedded database only; PostgreSQL already speaks the wire protocol.');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? Number(process.env.CINEMAP_SQL_PORT ?? 5433);
  const server = new PGLiteSocketServer({ db: pglite, port, host });
  try {
    await server.start();
  } catch (e) {
    throw new DbError(`Cannot serve SQL on ${host}:${port}: ${(e as Error).message}`, 'Set CINEMAP_SQL_PORT to a free port (or 0 to pick one).');
  }
  const addr = (server as unknown as { server?: { address(): { port: number } | string | null } }).server?.address();
  const actualPort = addr && typeof addr === 'object' ? addr.port : port;
  return { port: actualPort, host, close: () => server.stop() };
}
