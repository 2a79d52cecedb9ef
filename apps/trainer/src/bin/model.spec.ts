// Given a database with two complete runs (the newer active), a run still training, a
// failed one and a complete run of another dataset, when the built `model` CLI lists,
// activates and deletes runs, then a rollback goes through the trainer's one activation
// (the analysts' views of every basis and the run's HNSW indexes, taste, audience and
// blend, follow; the gateway is notified on PostgreSQL) and every refusal (not complete,
// other dataset, active, unknown, still training) says why and changes nothing, not
// even an index.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { availableBackends, cliDatabase, getActiveModelRun, seedGatewayFixture, seedModelRun } from '@cinemap/db/testing';
import { audienceIndexName, runIndexNames, type Db } from '@cinemap/db';

// Each CLI call opens the store (PGlite: a few seconds on a busy machine).
jest.setTimeout(60_000);

const root = resolve(__dirname, '../../../..');
const cli = join(root, 'dist/apps/trainer/model.js');

function model(env: NodeJS.ProcessEnv, args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
}

it('prints --help for itself and each command', () => {
  const r = model({}, ['--help']);
  expect(r.status).toBe(0);
  for (const c of ['list', 'activate <run>', 'delete <run>', 'DATABASE_URL']) expect(r.stdout).toContain(c);
  const a = model({}, ['activate', '--help']);
  expect(a.status).toBe(0);
  expect(a.stdout).toMatch(/complete run of the active dataset/);
});

it('rejects a run id that is not a whole number, naming the argument, before opening any database', () => {
  const r = model({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, ['activate', '12abc']);
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/<run> must be a run id .* got "12abc"/);
});

describe.each(availableBackends())('[%s] npm run model', (backend) => {
  let env: NodeJS.ProcessEnv;
  let open: () => Promise<Db>;
  let cleanup: () => Promise<void>;
  let url: string | undefined;
  const ids = { first: 0, second: 0, training: 0, failed: 0, otherDataset: 0 };

  beforeAll(async () => {
    const d = await cliDatabase(backend, 'cinemap-model-cli-');
    ({ env, open, drop: cleanup } = d);
    url = d.url;
    const db = await open();
    const seed = await seedGatewayFixture(db, { fillers: 20, audienceDim: 4 });
    ids.first = seed.runId;
    ids.second = await seedModelRun(db, seed, { seed: 11 });
    ids.training = await seedModelRun(db, seed, { seed: 12, activate: false });
    await db.query(`UPDATE model_runs SET status = 'training' WHERE id = $1`, [ids.training]);
    ids.failed = await seedModelRun(db, seed, { seed: 13, activate: false });
    await db.query(`UPDATE model_runs SET status = 'failed' WHERE id = $1`, [ids.failed]);
    const [{ id: ds }] = await db.query<{ id: number }>(
      `INSERT INTO datasets (source, status, active) VALUES ('older dump', 'complete', false) RETURNING id`,
    );
    ids.otherDataset = await seedModelRun(db, seed, { seed: 14, activate: false });
    await db.query(`UPDATE model_runs SET dataset_id = $2 WHERE id = $1`, [ids.otherDataset, ds]);
    await db.close();
  }, 90_000);
  afterAll(() => cleanup(), 60_000);

  const activeId = async () => {
    const db = await open();
    try {
      return (await getActiveModelRun(db))!.id;
    } finally {
      await db.close();
    }
  };

  it('lists every run, newest first, marking the served one and what cannot be activated', () => {
    const r = model(env, ['list']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^run\s+dataset\s+created\s+status\s+engine\s+factors\s+movies\s+valid RMSE/);
    const row = (id: number) => lines.find((l) => new RegExp(`^[* ] ${id}\\s`).test(l))!;
    expect(row(ids.second)).toMatch(/^\* \d+ .* complete .* serving$/);
    expect(row(ids.first)).toMatch(/can activate$/);
    expect(row(ids.training)).toMatch(/cannot activate: training$/);
    expect(row(ids.failed)).toMatch(/cannot activate: failed$/);
    expect(row(ids.otherDataset)).toMatch(/cannot activate: other dataset$/);
    expect(lines.slice(2).map((l) => Number(l.slice(2).split(/\s+/)[0]))).toEqual(Object.values(ids).sort((a, b) => b - a));
  });

  const hnswIndexes = async (db: Db) =>
    (await db.query<{ name: string }>(`SELECT indexname AS name FROM pg_indexes WHERE indexname LIKE '%hnsw_run_%'`))
      .map((i) => i.name)
      .sort();
  const indexesOf = (run: number) =>
    [...Object.values(runIndexNames(run)), audienceIndexName(run, 'audience'), audienceIndexName(run, 'blend')].sort();

  it('rolls back to an earlier complete run: active flag, analysts views and HNSW indexes of every basis follow, the gateway is notified', async () => {
    let notified: Promise<string> | null = null;
    let listener: Client | null = null;
    if (url) {
      listener = new Client({ connectionString: url });
      await listener.connect();
      await listener.query('LISTEN cinemap_model');
      notified = new Promise((res) => listener!.on('notification', (n) => res(n.payload ?? '')));
    }
    const r = model(env, ['activate', String(ids.first)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(`run ${ids.first} is now active (was ${ids.second}); NOTIFY cinemap_model sent`);
    if (notified) {
      expect(await notified).toBe(String(ids.first));
      await listener!.end();
    }
    const db = await open();
    try {
      expect((await getActiveModelRun(db))!.id).toBe(ids.first);
      for (const view of ['active_movie_embeddings', 'active_audience_embeddings', 'active_blend_embeddings']) {
        const rows = await db.query<{ run: number }>(`SELECT DISTINCT run_id AS run FROM ${view}`);
        expect(rows.map((r) => Number(r.run))).toEqual([ids.first]);
      }
      expect(await hnswIndexes(db)).toEqual(indexesOf(ids.first));
    } finally {
      await db.close();
    }
  });

  it.each([
    [
      'a run still training',
      'training',
      /Model run \d+ is still training \(or its trainer was killed\): only a complete run can be activated/,
    ],
    ['a failed run', 'failed', /Model run \d+ is failed: only a complete run can be activated/],
    ['a run of another dataset', 'otherDataset', /was trained on dataset \d+, but dataset \d+ is the active one/],
  ] as const)('refuses to activate %s, saying why, and leaves the served run', async (_what, key, message) => {
    const before = await activeId();
    const r = model(env, ['activate', String(ids[key])]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/npm run (model -- list|train)/);
    expect(await activeId()).toBe(before);
    const db = await open();
    try {
      expect(await hnswIndexes(db)).toEqual(indexesOf(before));
    } finally {
      await db.close();
    }
  });

  it('refuses an unknown run', () => {
    const r = model(env, ['activate', '987654']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^model: Model run 987654 does not exist\./);
    const d = model(env, ['delete', '987654']);
    expect(d.status).toBe(1);
    expect(d.stderr).toMatch(/^model: Model run 987654 does not exist\./);
  });

  it('refuses to delete the active run or one still training, then deletes an inactive run and its rows', async () => {
    const active = await activeId();
    const a = model(env, ['delete', String(active)]);
    expect(a.status).toBe(1);
    expect(a.stderr).toMatch(/is the active run: the gateway serves it, so it cannot be deleted\.\n\s+Activate another run first/);
    const t = model(env, ['delete', String(ids.training)]);
    expect(t.status).toBe(1);
    expect(t.stderr).toMatch(/is still training \(started less than 24 h ago\)/);
    const ok = model(env, ['delete', String(ids.second)]);
    expect(ok.stderr).toBe('');
    expect(ok.stdout.trim()).toBe(`run ${ids.second} deleted`);
    const db = await open();
    try {
      const left = await db.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM model_runs WHERE id = $1) + (SELECT count(*) FROM movie_embeddings WHERE run_id = $1)
              + (SELECT count(*) FROM run_movies WHERE run_id = $1) AS n`,
        [ids.second],
      );
      expect(Number(left[0].n)).toBe(0);
      expect((await getActiveModelRun(db))!.id).toBe(active);
      expect(await db.query('SELECT 1 FROM model_runs WHERE id = $1', [ids.training])).toHaveLength(1);
    } finally {
      await db.close();
    }
  });
});
