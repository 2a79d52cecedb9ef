// Browser-test harness: a real gateway (the built `npm run serve` binary) on a seeded
// synthetic store, and headless Chromium (the npm build, or CHROMIUM_PATH: chromium.ts)
// driven by playwright-core. The gateway runs as a child process on a PGlite store
// written by libs/db's test seed, so the page is tested exactly as `npm run serve`
// serves it (static files, caching, /graphql).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { migrate, openPglite } from '@cinemap/db';
import { seedGatewayFixture, type SeedResult } from '@cinemap/db/testing';
import { CHROMIUM_ARGS, chromiumProblem, resolveChromium } from './chromium';

export const REPO = resolve(__dirname, '../../..');
export const REPORTS = join(REPO, 'reports/explorer');

/** Why the browser tests cannot run here, or null. CINEMAP_SKIP_BROWSER=1 turns a missing browser into a skip. */
export function browserProblem(): string | null {
  const problem = chromiumProblem();
  return problem && `${problem} Set CINEMAP_SKIP_BROWSER=1 to skip the explorer's browser tests.`;
}

export const skipBrowser = process.env.CINEMAP_SKIP_BROWSER === '1' && browserProblem() !== null;

/** Headless Chromium: the npm build (apps/explorer/e2e/chromium.ts) or CHROMIUM_PATH. */
export async function launchBrowser() {
  const problem = browserProblem();
  if (problem) throw new Error(problem);
  const c = await resolveChromium();
  const { chromium } = await import('playwright-core');
  try {
    return await chromium.launch({
      executablePath: c.executablePath,
      args: CHROMIUM_ARGS,
      headless: true,
      env: { ...process.env, ...c.env },
    });
  } catch (e) {
    throw new Error(`Chromium (${c.source}, ${c.executablePath}) did not start: ${(e as Error).message}`);
  }
}

export interface RunningGateway {
  /** http://127.0.0.1:<port> (the page is at /, the API at /graphql). */
  origin: string;
  seed: SeedResult;
  /** The gateway's stderr and stdout so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Seeds a fresh embedded store and starts the built gateway on it (free ports). */
export async function startSeededGateway(): Promise<RunningGateway> {
  for (const f of ['dist/apps/gateway/main.js', 'dist/apps/explorer/index.html']) {
    if (!existsSync(join(REPO, f)))
      throw new Error(`${f} is missing: build first (node tools/build.mjs; node tools/test.mjs does it before the tests)`);
  }
  const home = mkdtempSync(join(tmpdir(), 'cinemap-explorer-e2e-'));
  // Always embedded: DATABASE_URL (CI's PostgreSQL) is for the database suites.
  const db = await openPglite({ dataDir: join(home, 'db') });
  let seed: SeedResult;
  try {
    await migrate(db);
    // With films the run has no vector for, so the page's "never offer what cannot be answered" is
    // tested, and with audience vectors, so every similarity basis answers (docs/similarity.md).
    seed = await seedGatewayFixture(db, { outOfModel: true, audienceDim: 8 });
  } finally {
    await db.close();
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CINEMAP_HOME: home,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    CINEMAP_STATIC_DIR: join(REPO, 'dist/apps/explorer'),
    NODE_ENV: 'test',
  };
  delete env.DATABASE_URL;
  delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not for the server
  const child: ChildProcess = spawn(process.execPath, ['dist/apps/gateway/main.js', '--port', '0', '--sql-port', '0'], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const origin = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`the gateway did not say it was listening within 60 s; its output:\n${out}`)), 60_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /"url":"(http:\/\/[^"]+?)\/graphql"/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the gateway exited (code ${code}) before listening; its output:\n${out}`));
    });
  });
  return {
    origin,
    seed,
    output: () => out,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
        clearTimeout(timer);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** One GraphQL response body as the API sends it, errors included (node:http, no keep-alive). */
export interface ApiBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** Asks the API directly and returns the whole body (to read an error's extensions). */
export async function apiBody<T>(origin: string, query: string, variables: Record<string, unknown> = {}): Promise<ApiBody<T>> {
  // node:http without keep-alive: a pooled socket would keep jest waiting after the tests.
  const text = await new Promise<string>((ok, fail) => {
    const req = request(`${origin}/graphql`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let s = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (s += c));
      res.on('end', () => ok(s));
    });
    req.on('error', fail);
    req.end(JSON.stringify({ query, variables }));
  });
  return JSON.parse(text) as ApiBody<T>;
}

/** Asks the API directly, to compare what the page shows with the API's answer; an error fails the test. */
export async function api<T>(origin: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const body = await apiBody<T>(origin, query, variables);
  if (body.errors?.length) throw new Error(`API error: ${body.errors.map((e) => e.message).join('; ')}`);
  return body.data as T;
}
