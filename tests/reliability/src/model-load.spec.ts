// A run that cannot be loaded at once is loaded later, and says so meanwhile (PostgreSQL,
// black-box through the built CLIs and gateway). Found by the sizing work: loading an
// 86k-film run's catalogue ran into the gateway's 5 s per-request statement timeout, the
// gateway logged it once and served the previous run forever, while health said "ok".
// Here a lock on model_artifacts (held from another session) makes the load's reads wait:
//  - a wait longer than the request timeout but shorter than the load's own timeout
//    (CINEMAP_MODEL_LOAD_TIMEOUT_MS) loads the run with no failure;
//  - a wait past the load's timeout fails the load: health says the active run is not the
//    one served ("stale", a warning naming both), /metrics shows active ≠ served and the
//    failures; once the lock goes, the retry (backoff) loads it.
import { Client } from 'pg';
import { activateModelRun } from '@cinemap/db';
import {
  CLI,
  CliDatabase,
  QUICK_TRAIN,
  TINY_CURATION,
  builtClis,
  cliDatabase,
  generateTiny,
  run,
  startGateway,
  tempDir,
} from './support/harness';

const pgOnly = builtClis && process.env.DATABASE_URL ? describe : describe.skip;
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

pgOnly('a run that cannot be loaded at once [postgres]', () => {
  let db: CliDatabase;
  const runs: number[] = [];
  beforeAll(async () => {
    db = await cliDatabase('postgres');
    const dump = await generateTiny(tempDir('dump'));
    expect((await run(CLI.ingest, ['--source', dump.dir, ...TINY_CURATION], db.env)).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      const r = await run(CLI.train, QUICK_TRAIN, db.env);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    }
    runs.push(...(await db.with((h) => h.query<{ id: number }>('SELECT id FROM model_runs ORDER BY id'))).map((r) => r.id));
    await db.with((h) => activateModelRun(h, runs[0], 8)); // the gateway starts on the first
  }, 180_000);
  afterAll(() => db?.drop(), 60_000);

  it('loads after a wait longer than the request timeout; after a failed load it warns, counts, and retries until it loads', async () => {
    const gw = await startGateway({ ...db.env, CINEMAP_STATEMENT_TIMEOUT_MS: '200', CINEMAP_MODEL_LOAD_TIMEOUT_MS: '2500' });
    const locker = new Client({ connectionString: db.env.DATABASE_URL });
    await locker.connect();
    const health = async () => (await fetch(`${gw.base}/health/ready`)).json() as Promise<Record<string, any>>;
    const metric = async (name: string) => {
      const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(`${gw.base}/metrics`)).text());
      return m ? Number(m[1]) : NaN;
    };
    const lockArtifacts = async () => {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE model_artifacts IN ACCESS EXCLUSIVE MODE');
    };
    try {
      expect((await health()).runId).toBe(runs[0]);
      // 1. The reads wait ~1 s: past the 200 ms request timeout, within the load's 2.5 s.
      await lockArtifacts();
      await db.with((h) => activateModelRun(h, runs[1], 8));
      await sleep(1000);
      await locker.query('COMMIT');
      await until('run 2 served', async () => (await health()).runId === runs[1]);
      expect(await metric('cinemap_model_load_failures_total')).toBe(0);

      // 2. The reads wait until we let go: the load fails (2.5 s), is reported, and retried.
      await lockArtifacts();
      await db.with((h) => activateModelRun(h, runs[0], 8));
      await until('a failed load counted', async () => (await metric('cinemap_model_load_failures_total')) >= 1);
      const h = await until('the failed load in /health/ready', async () => {
        const r = await health();
        return r.warnings?.some((w: string) => w.startsWith(`run ${runs[0]} is active, but it could not be loaded`)) && r;
      });
      expect({ status: h.status, runId: h.runId, activeRunId: h.activeRunId }).toEqual({
        status: 'stale',
        runId: runs[1],
        activeRunId: runs[0],
      });
      expect(await metric('cinemap_model_active_run_id')).toBe(runs[0]);
      expect(await metric('cinemap_model_run_id')).toBe(runs[1]);
      await locker.query('COMMIT');
      await until('the retry to load run 1', async () => (await health()).runId === runs[0], 30_000);
      const after = await health();
      expect({ status: after.status, warnings: after.warnings }).toEqual({ status: 'ok', warnings: [] });
      expect(gw.proc.output()).toMatch(/could not load the active model run; still serving the previous one, retrying/);
    } finally {
      await locker.query('ROLLBACK').catch(() => {});
      await locker.end();
      await gw.stop();
    }
  }, 120_000);
});
