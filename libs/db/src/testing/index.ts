// Test support: run the same suite on every backend available here. PGlite (in
// memory) always runs; real PostgreSQL runs when DATABASE_URL is set (CI sets it),
// each suite in a fresh, throwaway database. Suite names start with [pglite] or
// [postgres] so the output shows which backend ran. Also the seeded catalogue and run
// every gateway, bench and reliability test starts from (./seed.ts), and the queries only
// tests use (./queries.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Backend, Db } from '../db';
import { openPglite } from '../pglite';
import { openPostgres } from '../postgres';
import { migrate } from '../migrate';

export interface BackendContext {
  backend: Backend;
  /** The suite's database (migrated), available from beforeAll on. */
  db(): Db;
  /** Connection URL of the suite's database (postgres only), e.g. for child processes or other roles. */
  url(): string | undefined;
  /** Opens another, independent handle on the same database (postgres only; PGlite is single-process). */
  reopen(): Promise<Db>;
}

export function availableBackends(): Backend[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

let counter = 0;

/** Creates an empty, migrated database on `backend`; `drop()` removes it. */
export async function createTestDatabase(
  backend: Backend,
  opts: { migrate?: boolean } = {},
): Promise<{ db: Db; url?: string; drop(): Promise<void> }> {
  if (backend === 'pglite') {
    const db = await openPglite({ dataDir: 'memory://' });
    if (opts.migrate !== false) await migrate(db);
    return { db, drop: () => db.close() };
  }
  const admin = process.env.DATABASE_URL;
  if (!admin) throw new Error('DATABASE_URL is not set: no PostgreSQL to test against');
  const name = `cinemap_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const c = new Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const url = u.toString();
  const db = await openPostgres({ url, max: 4 });
  if (opts.migrate !== false) await migrate(db);
  return {
    db,
    url,
    async drop() {
      await db.close().catch(() => {});
      const c2 = new Client({ connectionString: admin });
      await c2.connect();
      await c2.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c2.end();
    },
  };
}

/** `describe` once per available backend, with a fresh migrated database per suite. */
export function describeEachBackend(
  name: string,
  fn: (ctx: BackendContext) => void,
  opts: { migrate?: boolean; timeoutMs?: number } = {},
): void {
  for (const backend of availableBackends()) {
    describe(`[${backend}] ${name}`, () => {
      let handle: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
      beforeAll(async () => {
        handle = await createTestDatabase(backend, opts);
      }, opts.timeoutMs ?? 60_000);
      afterAll(async () => {
        await handle?.drop();
      }, 60_000);
      fn({
        backend,
        db: () => {
          if (!handle) throw new Error('database not ready: use ctx.db() inside tests or hooks');
          return handle.db;
        },
        url: () => handle?.url,
        reopen: async () => {
          if (backend !== 'postgres' || !handle?.url) throw new Error('reopen() is for postgres only');
          return openPostgres({ url: handle.url, max: 4 });
        },
      });
    });
  }
}

/** A database the built CLIs can reach through their environment, and a way to open it here. */
export interface CliDatabase {
  backend: Backend;
  /** Environment for a child process (DATABASE_URL or CINEMAP_HOME). */
  env: Record<string, string>;
  /** Connection URL (postgres only). */
  url?: string;
  /** Opens a migrated handle on it (PGlite: the embedded store in the temporary CINEMAP_HOME). */
  open(): Promise<Db>;
  /** Opens it, runs fn, closes it. */
  with<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

/**
 * An empty database a child process finds through its environment: a throwaway PostgreSQL
 * database, or an embedded store in a temporary CINEMAP_HOME (folder name from `prefix`).
 */
export async function cliDatabase(backend: Backend, prefix = 'cinemap-cli-'): Promise<CliDatabase> {
  let open: () => Promise<Db>;
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let url: string | undefined;
  if (backend === 'postgres') {
    const t = await createTestDatabase('postgres');
    await t.db.close();
    url = t.url!;
    env = { DATABASE_URL: url };
    open = () => openPostgres({ url: url!, max: 2 });
    drop = t.drop;
  } else {
    const home = mkdtempSync(join(tmpdir(), prefix));
    env = { DATABASE_URL: '', CINEMAP_HOME: home };
    open = async () => {
      const db = await openPglite({ dataDir: join(home, 'db') });
      await migrate(db);
      return db;
    };
    drop = async () => rmSync(home, { recursive: true, force: true });
  }
  return {
    backend,
    env,
    url,
    open,
    async with(fn) {
      const db = await open();
      try {
        return await fn(db);
      } finally {
        await db.close();
      }
    },
    drop,
  };
}

export { seedGatewayFixture, seedModelRun, loadRunWeights, SEED_TITLES, RESOLUTION_TABLE } from './seed';
export * from './queries';
/** A run row without its catalogue (a run from before catalogues were kept per run). */
export { createModelRun } from '../queries/model-runs';
export type { SeedMovie, SeedOptions, SeedResult } from './seed';
