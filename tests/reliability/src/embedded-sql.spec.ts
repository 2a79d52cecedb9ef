// Issue 14 #2: the embedded gateway serves its one PGlite session on the SQL port, and a
// psql client used to share it: an open `begin; delete …` changed what searchMovies saw,
// an aborted client transaction failed every SQL-backed query (readiness 503),
// `set search_path` survived the disconnect and broke the gateway, and a second psql got
// "server closed the connection unexpectedly". Black-box: the built gateway (embedded),
// node-postgres and psql as clients. PostgreSQL gives every client its own session, so
// this is PGlite only.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { seedGatewayFixture } from '@cinemap/db/testing';
import { CliDatabase, GatewayProcess, builtClis, cliDatabase, codes, gql, startGateway } from './support/harness';
import { writeReport } from './support/report';

const d = builtClis ? describe : describe.skip;
const PSQL = ['/usr/bin/psql', '/usr/lib/postgresql/15/bin/psql'].find((p) => existsSync(p));
const psqlIt = PSQL ? it : it.skip;
const WAIT_MS = 800; // CINEMAP_SQL_TRANSACTION_WAIT_MS for this gateway

/** What the gateway answers from SQL (searchMovies, mostAppreciated with floats, suggestions) and memory. */
const PROBE = `{
  searchMovies(query: "matrix", limit: 3) { id title averageRating bias }
  mostAppreciated(limit: 3) { id title averageRating bias }
  similarMovies(title: "The Matrix", k: 3) { similarity movie { id title } }
  activeModel { id createdAt }
}`;

const observed: Record<string, unknown>[] = [];

d('[pglite] the embedded SQL port shares nothing with the gateway', () => {
  let db: CliDatabase;
  let gw: GatewayProcess;
  let port: number;
  let baseline: unknown;
  const probe = async () => {
    const r = await gql(gw.url, PROBE);
    return { codes: codes(r), data: r.body?.data ?? null };
  };
  const notFound = async () => {
    const r = await gql(gw.url, '{ similarMovies(title: "Matrx") { similarity } }');
    return (r.body?.errors?.[0]?.extensions as { suggestions?: string[] } | undefined)?.suggestions ?? [];
  };
  /** Errors the server sent on a connection between queries (node-postgres reports them as events). */
  const asyncErrors = new WeakMap<Client, string[]>();
  const connect = async (user = 'postgres') => {
    const c = new Client({ host: '127.0.0.1', port, user, database: 'postgres' });
    const errors: string[] = [];
    asyncErrors.set(c, errors);
    c.on('error', (e: Error & { code?: string }) => errors.push(`${e.code}: ${e.message}`));
    await c.connect();
    return c;
  };

  beforeAll(async () => {
    db = await cliDatabase('pglite');
    await db.with((h) => seedGatewayFixture(h, { fillers: 30 }));
    gw = await startGateway({ ...db.env, CINEMAP_SQL_TRANSACTION_WAIT_MS: String(WAIT_MS) });
    await gw.proc.waitFor(/-p (\d+)/);
    port = Number(/psql -h 127\.0\.0\.1 -p (\d+)/.exec(gw.proc.output())![1]);
    baseline = await probe();
    expect((baseline as { codes: string[] }).codes).toEqual([]);
    expect(await notFound()).toContain('Matrix, The (1999)');
  }, 90_000);
  afterAll(async () => {
    writeReport('embedded-sql', observed);
    await gw?.stop();
    await db?.drop();
  }, 60_000);

  it('a session starts read-only (cinemap_analyst); -U cinemap_writer asks for the writer role, which cannot change the schema', async () => {
    const c = await connect();
    const who = (await c.query('SELECT current_user AS u, session_user AS s')).rows[0];
    const refused: string[] = [];
    for (const sql of ['DELETE FROM run_movies', 'UPDATE movies SET title = $$x$$', 'CREATE TABLE evil (id int)', 'DROP TABLE movies']) {
      const e = await c.query(sql).then(
        () => null,
        (err: { code?: string }) => err.code,
      );
      refused.push(`${sql}: ${e}`);
    }
    await c.end();
    const w = await connect('cinemap_writer');
    const writer = (await w.query('SELECT current_user AS u')).rows[0].u;
    const ddl = await w.query('CREATE TABLE evil (id int)').then(
      () => null,
      (err: { code?: string }) => err.code,
    );
    await w.end();
    observed.push({ case: 'roles', default: who, refusedAsAnalyst: refused, writer, writerDdl: ddl });
    expect(who).toEqual({ u: 'cinemap_analyst', s: 'cinemap_analyst' });
    for (const r of refused) expect(r).toMatch(/: 42501$/);
    expect(writer).toBe('cinemap_writer');
    expect(ddl).toBe('42501');
  });

  it('an open writer transaction deleting the catalogue changes nothing the gateway answers; after the bound it is rolled back and its connection told why', async () => {
    const c = await connect('cinemap_writer');
    await c.query('BEGIN');
    const deleted = (await c.query('DELETE FROM run_movies')).rowCount;
    await c.query('DELETE FROM movie_embeddings');
    const t0 = Date.now();
    const during = await probe();
    const waited = Date.now() - t0;
    const next = await c.query('SELECT 1').then(
      () => 'answered',
      (e: Error & { code?: string }) => asyncErrors.get(c)![0] ?? `${e.code}: ${e.message}`,
    );
    await c.end().catch(() => {});
    observed.push({
      case: 'open writer transaction (BEGIN; DELETE FROM run_movies, movie_embeddings)',
      deleted,
      gatewayWaitedMs: waited,
      clientNext: next,
    });
    expect(deleted).toBeGreaterThan(0);
    expect(during).toEqual(baseline);
    expect(waited).toBeLessThan(WAIT_MS + 4000);
    expect(next).toMatch(/^25P03: terminating the connection: its transaction was open for more than 800 ms while the API waited/);
    expect(await probe()).toEqual(baseline); // rolled back, not committed
  }, 30_000);

  it('an aborted client transaction leaves every query and readiness working', async () => {
    const c = await connect();
    await c.query('BEGIN');
    await c.query('SELECT 1/0').catch(() => {});
    const during = await probe();
    const ready = await fetch(`${gw.base}/health/ready`);
    await c.end().catch(() => {});
    observed.push({ case: 'aborted client transaction (BEGIN; SELECT 1/0)', gatewayCodes: during.codes, ready: ready.status });
    expect(during).toEqual(baseline);
    expect(ready.status).toBe(200);
  }, 30_000);

  it('settings, temporary tables and UNLISTEN of a connected, idle client never reach the gateway; the client keeps them; the next client starts clean', async () => {
    const c = await connect();
    await c.query(`SET search_path TO pg_catalog`);
    await c.query(`SET extra_float_digits = -15`);
    await c.query(`SET DateStyle = 'SQL, DMY'`);
    await c.query(`SET TimeZone = 'Asia/Tokyo'`);
    await c.query(`RESET statement_timeout`);
    await c.query(`CREATE TEMP TABLE run_movies (LIKE public.run_movies)`);
    await c.query(`CREATE TEMP TABLE movies (LIKE public.movies)`);
    await c.query(`UNLISTEN *`);
    const whileConnected = await probe();
    const suggestions = await notFound();
    const own = (
      await c.query(
        `SELECT current_setting('search_path') AS sp, current_setting('extra_float_digits') AS efd, current_setting('TimeZone') AS tz, (SELECT count(*)::int FROM pg_temp.run_movies) AS temp_rows`,
      )
    ).rows[0];
    await c.end();
    const after = await probe();
    const fresh = await connect();
    const clean = (
      await fresh.query(
        `SELECT current_setting('search_path') AS sp, current_setting('extra_float_digits') AS efd, current_setting('TimeZone') AS tz, to_regclass('pg_temp.run_movies')::text AS temp`,
      )
    ).rows[0];
    await fresh.end();
    observed.push({
      case: 'client SETs search_path, extra_float_digits, DateStyle, TimeZone; temp run_movies/movies; UNLISTEN *',
      gatewayWhileConnected: whileConnected.codes,
      clientKeeps: own,
      nextClient: clean,
    });
    expect(whileConnected).toEqual(baseline);
    expect(suggestions).toContain('Matrix, The (1999)');
    expect(own).toEqual({ sp: 'pg_catalog', efd: '-15', tz: 'Asia/Tokyo', temp_rows: 0 });
    expect(after).toEqual(baseline);
    // A fresh client's path is the analysts' one (cinemap's functions unqualified, as on a server).
    expect(clean).toEqual({ sp: '"$user", public, cinemap', efd: '1', tz: expect.not.stringMatching(/Tokyo/), temp: null });
  }, 30_000);

  it('a second client gets a clear "one connection at a time" error while one is open, and connects once it is closed', async () => {
    const first = await connect();
    const second = await connect().then(
      async (c) => (await c.end(), 'connected'),
      (e: Error & { code?: string }) => `${e.code}: ${e.message}`,
    );
    await first.end();
    const third = await connect().then(async (c) => (await c.end(), 'connected'));
    observed.push({ case: 'second connection while one is open (node-postgres)', second, afterClose: third });
    expect(second).toMatch(/^53300: the embedded database serves one psql connection at a time, and one is open/);
    expect(third).toBe('connected');
  }, 30_000);

  psqlIt(
    'psql: connects without PGSSLMODE, and a second psql prints the one-connection message',
    async () => {
      const run = promisify(execFile);
      const env: NodeJS.ProcessEnv = { ...process.env, PGCONNECT_TIMEOUT: '10' };
      delete env.PGSSLMODE;
      const ok = await run(PSQL!, ['-h', '127.0.0.1', '-p', String(port), '-tAc', 'SELECT current_user'], { env, encoding: 'utf8' });
      const first = await connect();
      const second = await run(PSQL!, ['-h', '127.0.0.1', '-p', String(port), '-tAc', 'SELECT 1'], { env, encoding: 'utf8' }).then(
        () => 'connected',
        (e: { stderr: string }) => e.stderr.trim(),
      );
      await first.end();
      observed.push({ case: 'psql', whoami: ok.stdout.trim(), secondPsql: second });
      expect(ok.stdout.trim()).toBe('cinemap_analyst');
      expect(second).toMatch(/FATAL: +the embedded database serves one psql connection at a time/);
      expect(second).not.toMatch(/server closed the connection unexpectedly/);
    },
    30_000,
  );
});
