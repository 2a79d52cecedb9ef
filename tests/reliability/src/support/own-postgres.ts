// A throwaway PostgreSQL 15 cluster this test controls (stop, start), as CI's
// tools/ci/start-postgres.sh makes one: initdb + pg_ctl as the postgres user, a free
// port, fsync off. `unavailable()` says why it cannot run here (then tests skip, saying so).
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { ROOT, tempDir } from './harness';

const PGBIN = '/usr/lib/postgresql/15/bin';

export function ownPostgresUnavailable(): string | null {
  if (!existsSync(join(PGBIN, 'pg_ctl'))) return `${PGBIN}/pg_ctl is not installed (CI installs it: tools/ci/install-postgres.sh)`;
  if (!existsSync('/usr/share/postgresql/15/extension/vector.control')) return 'pgvector for PostgreSQL 15 is not installed';
  if (process.getuid?.() !== 0) return 'starting a cluster as the postgres user needs root (su postgres)';
  return null;
}

export interface OwnPostgres {
  /** URL of a fresh database `cinemap` on the cluster. */
  url: string;
  stop(): void;
  start(): void;
  destroy(): void;
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = tempDir('pg');
  const out = execFileSync('bash', [join(ROOT, 'tools/ci/start-postgres.sh'), dir], { encoding: 'utf8' });
  const m = /DATABASE_URL=(\S+)/.exec(out);
  if (!m) throw new Error(`start-postgres.sh printed no DATABASE_URL:\n${out}`);
  const admin = m[1];
  const c = new Client({ connectionString: admin });
  await c.connect();
  await c.query('CREATE DATABASE cinemap');
  await c.end();
  const pgctl = (args: string) => execFileSync('su', ['postgres', '-c', `${PGBIN}/pg_ctl -D '${dir}/data' ${args}`], { stdio: 'ignore' });
  const port = new URL(admin).port;
  return {
    url: admin.replace(/\/postgres$/, '/cinemap'),
    stop: () => pgctl('-m fast -w stop'),
    start: () =>
      pgctl(`-l '${dir}/log' -o '-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200' -w start`),
    destroy() {
      try {
        pgctl('-m immediate -w stop');
      } catch {
        /* already stopped */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
