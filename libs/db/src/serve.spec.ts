// Given the embedded store served on loopback, psql and node-postgres clients connect
// over the wire protocol and pgvector answers.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { openPglite } from './pglite';
import { migrate } from './migrate';
import { serveSql, SqlServer } from './serve';
import type { Db } from './db';

describe('[pglite] SQL over the wire', () => {
  let db: Db;
  let server: SqlServer;
  beforeAll(async () => {
    db = await openPglite({ dataDir: 'memory://' });
    await migrate(db);
    server = await serveSql(db, { port: 0 });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('answers a pgvector query from node-postgres', async () => {
    const c = new Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres', ssl: false });
    await c.connect();
    const r = await c.query("SELECT '[1,2]'::vector <=> '[2,1]' AS d, count(*)::int AS migrations FROM schema_migrations");
    await c.end();
    expect(r.rows[0].d).toBeCloseTo(0.2, 6);
    expect(r.rows[0].migrations).toBeGreaterThan(0);
  });

  const psql = ['/usr/bin/psql', '/usr/lib/postgresql/15/bin/psql'].find((p) => existsSync(p));
  // The server runs in this process, so psql must run without blocking the event loop.
  (psql ? it : it.skip)('answers psql', async () => {
    const { stdout: out } = await promisify(execFile)(
      psql!,
      ['-h', '127.0.0.1', '-p', String(server.port), '-U', 'postgres', '-tAc', "SELECT '[1,2]'::vector <=> '[2,1]'"],
      {
        env: { ...process.env, PGSSLMODE: 'disable', PGCONNECT_TIMEOUT: '10' },
        encoding: 'utf8',
      },
    );
    expect(Number(out.trim())).toBeCloseTo(0.2, 6);
  });

  it('refuses to serve a PostgreSQL-backed Db', async () => {
    await expect(serveSql({ ...db, pglite: undefined } as unknown as Db)).rejects.toThrow(/embedded database only/);
  });
});
