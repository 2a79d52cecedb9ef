// The reliability suite's harness: run the BUILT CLIs and gateway as child processes
// (black-box, as an operator would), give each test a database of its own on a
// backend, and fingerprint every table so "previous data intact" is a row count AND
// a checksum, not a hope. Checks read the database with plain SQL here: this folder
// is test code, outside the apps/libs boundary rule.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Backend, Db } from '@cinemap/db';
import { cliDatabase as testingCliDatabase, type CliDatabase } from '@cinemap/db/testing';

export const ROOT = resolve(__dirname, '../../../..');
export const CLI = {
  ingest: join(ROOT, 'dist/apps/ingest/main.js'),
  generate: join(ROOT, 'dist/apps/ingest/generate.js'),
  train: join(ROOT, 'dist/apps/trainer/main.js'),
  gateway: join(ROOT, 'dist/apps/gateway/main.js'),
  migrate: join(ROOT, 'dist/libs/db/migrate.js'),
};
/** The built entry points exist (`node tools/test.mjs` builds first). */
export const builtClis = Object.values(CLI).every((f) => existsSync(f));

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `cinemap-rel-${prefix}-`));
}

export interface TableFingerprint {
  rows: number;
  md5: string;
}

/**
 * Row count and md5 of the sorted row texts of every table in the public schema
 * (schema_migrations included), plus which dataset and model run are active.
 */
export async function fingerprint(db: Db): Promise<Record<string, TableFingerprint | string>> {
  const tables = await db.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
  const out: Record<string, TableFingerprint | string> = {};
  for (const { t } of tables) {
    const [r] = await db.query<{ rows: number; md5: string }>(
      `SELECT count(*)::int AS rows, md5(coalesce(string_agg(x, E'\\n' ORDER BY x), '')) AS md5 FROM (SELECT t::text AS x FROM "${t}" t) s`,
    );
    out[t] = { rows: Number(r.rows), md5: r.md5 };
  }
  const [a] = await db.query<{ d: string | null; r: string | null }>(
    `SELECT (SELECT string_agg(id::text, ',') FROM datasets WHERE active) AS d, (SELECT string_agg(id::text, ',') FROM model_runs WHERE active) AS r`,
  );
  out['active dataset'] = a.d ?? 'none';
  out['active run'] = a.r ?? 'none';
  return out;
}

export type { CliDatabase } from '@cinemap/db/testing';

/** A database the built CLIs reach through their environment (@cinemap/db/testing), its folder named for these tests. */
export function cliDatabase(backend: Backend): Promise<CliDatabase> {
  return testingCliDatabase(backend, 'cinemap-rel-home-');
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  done: Promise<RunResult>;
  /** Resolves when stdout+stderr contain `text` (rejects if the process ends first). */
  waitFor(text: string | RegExp): Promise<void>;
  output(): string;
}

/** Starts `node <script> ...args` from the repository root with `env` on top of ours. */
export function start(script: string, args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { test: string | RegExp; ok: () => void }[] = [];
  const check = () => {
    const all = stdout + stderr;
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      if (typeof w.test === 'string' ? all.includes(w.test) : w.test.test(all)) {
        waiters.splice(i, 1);
        w.ok();
      }
    }
  };
  child.stdout!.on('data', (d) => ((stdout += d), check()));
  child.stderr!.on('data', (d) => ((stderr += d), check()));
  const done = new Promise<RunResult>((r) => child.on('close', (code, signal) => r({ code, signal, stdout, stderr })));
  return {
    child,
    done,
    output: () => stdout + stderr,
    waitFor(text) {
      return new Promise<void>((ok, fail) => {
        waiters.push({ test: text, ok });
        check();
        void done.then((d) =>
          fail(new Error(`process ended (${d.code ?? d.signal}) before printing ${String(text)}:\n${d.stdout}${d.stderr}`)),
        );
      });
    },
  };
}

export function run(script: string, args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return start(script, args, env).done;
}

/** Ingest thresholds that keep most of the synthetic tiny dump. */
export const TINY_CURATION = ['--min-avg-rating', '0', '--min-movie-ratings', '1', '--min-user-ratings', '1', '--sample-fraction', 'none'];
/** A quick, deterministic training run. */
export const QUICK_TRAIN = ['--engine', 'native', '--threads', '1', '--epochs', '1', '--factors', '8'];

/** Writes the synthetic tiny dump (folder + zip) into `dir` with the built generator. */
export async function generateTiny(dir: string, seed = 42): Promise<{ dir: string; zip: string }> {
  const r = await run(CLI.generate, ['--out', dir, '--scale', 'tiny', '--seed', String(seed), '--zip', '--quiet']);
  if (r.code !== 0) throw new Error(`generate failed:\n${r.stderr}`);
  return { dir, zip: join(dir, 'ml-latest-tiny.zip') };
}

export interface GatewayProcess {
  url: string;
  base: string;
  proc: Running;
  /** Resident set size of the gateway process, bytes (Linux /proc). */
  rss(): number;
  stop(): Promise<RunResult>;
}

/** Starts the built gateway on a free port and waits until it listens. */
export async function startGateway(env: Record<string, string>): Promise<GatewayProcess> {
  const proc = start(CLI.gateway, ['--port', '0', '--sql-port', '0'], {
    LOG_LEVEL: 'info',
    CINEMAP_STATIC_DIR: tempDir('nostatic'),
    ...env,
  });
  const re = /"url":"(http:\/\/[^"]+\/graphql)"/;
  await proc.waitFor(re);
  const url = re.exec(proc.output())![1].replace('localhost', '127.0.0.1');
  return {
    url,
    base: url.replace(/\/graphql$/, ''),
    proc,
    rss() {
      const { readFileSync } = require('node:fs') as typeof import('node:fs');
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : NaN;
    },
    async stop() {
      proc.child.kill('SIGTERM');
      const t = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
      const r = await proc.done;
      clearTimeout(t);
      return r;
    },
  };
}

export interface GqlResponse {
  status: number;
  headers: Headers;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string; argumentName?: string } }[] } | null;
  text: string;
}

/** POSTs a GraphQL request (JSON) and parses the answer whatever its status. */
export async function gql(
  url: string,
  query: string | object,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GqlResponse> {
  return postRaw(url, typeof query === 'string' ? JSON.stringify({ query, variables }) : JSON.stringify(query), headers);
}

/** POSTs `payload` as is (application/json). */
export async function postRaw(url: string, payload: string, headers: Record<string, string> = {}): Promise<GqlResponse> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload });
  const text = await res.text();
  let body: GqlResponse['body'] = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** The error codes of a response, in order. */
export function codes(r: GqlResponse): string[] {
  return (r.body?.errors ?? []).map((e) => String(e.extensions?.code));
}
