// Given a database with an active run, when the built trainer CLI is SIGKILLed while
// it writes the next run's embeddings, then the previous run is still the active one
// with all its embeddings, nothing of the killed run is usable, and the next run succeeds.
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { availableBackends, cliDatabase, countRunEmbeddings, getActiveModelRun, seedCuratedDataset } from '@cinemap/db/testing';
import type { Db } from '@cinemap/db';
import { plantedRatings } from '../testing/planted';

const root = resolve(__dirname, '../../../..');
const cli = join(root, 'dist/apps/trainer/main.js');

function train(env: NodeJS.ProcessEnv, args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
}

it('prints --help with every flag', () => {
  const r = train({}, ['--help']);
  expect(r.status).toBe(0);
  for (const f of [
    '--factors',
    '--epochs',
    '--lr',
    '--wd',
    '--batch-size',
    '--valid-pct',
    '--seed',
    '--engine',
    '--backend',
    '--threads',
    '--onnx-out',
    '--export-split',
    '--audience-factors',
    '--blend-weight',
  ])
    expect(r.stdout).toContain(f);
});

it('rejects a bad flag value naming the flag', () => {
  const r = train({ DATABASE_URL: '', CINEMAP_HOME: join(tmpdir(), 'cinemap-never') }, ['--epochs', 'many']);
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/--epochs expects an integer/);
});

it('rejects an out-of-range value with the domain bound, before opening any database', () => {
  const r = train({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, ['--wd', '150']);
  expect(r.status).toBe(1);
  expect(r.stderr.trim()).toBe('train: --wd must be a number from 0 up to (not including) 100, e.g. 0.1 (got 150)');
});

describe.each(availableBackends())('[%s] a trainer killed mid-write', (backend) => {
  let env: NodeJS.ProcessEnv;
  let open: () => Promise<Db>;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const planted = plantedRatings({ users: 300, movies: 150, ratingsPerUser: 30, seed: 4 });
    const d = await cliDatabase(backend, 'cinemap-trainer-kill-');
    ({ env, open, drop: cleanup } = d);
    const db = await open();
    await seedCuratedDataset(db, 'planted', planted);
    await db.close();
  }, 60_000);
  afterAll(() => cleanup(), 60_000);

  it('leaves the previous active run and its embeddings untouched; the next run succeeds', async () => {
    const args = ['--engine', 'native', '--threads', '1', '--epochs', '1', '--factors', '8'];
    const ok = train(env, args);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    let db = await open();
    const before = (await getActiveModelRun(db))!;
    const beforeCounts = await countRunEmbeddings(db, before.id);
    await db.close();
    expect(beforeCounts.movies).toBe(150);

    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, ...env, CINEMAP_TRAINER_HOLD_AT: 'movie-embeddings-written' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    await new Promise<void>((res, rej) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('holding at movie-embeddings-written')) res();
      });
      child.on('exit', (c) => rej(new Error(`trainer exited (${c}) before the hold point:\n${out}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    db = await open();
    const after = (await getActiveModelRun(db))!;
    expect(after.id).toBe(before.id);
    expect(await countRunEmbeddings(db, before.id)).toEqual(beforeCounts);
    const killed = await db.query<{ id: number; status: string; active: boolean }>(
      'SELECT id, status, active FROM model_runs WHERE id > $1',
      [before.id],
    );
    expect(killed).toHaveLength(1);
    expect(killed[0]).toMatchObject({ status: 'training', active: false });
    // Its half-written embeddings were in a transaction that never committed.
    expect(await countRunEmbeddings(db, killed[0].id)).toEqual({ movies: 0, users: 0 });
    await db.close();

    const next = train(env, args);
    expect(next.status).toBe(0);
    db = await open();
    const now = (await getActiveModelRun(db))!;
    expect(now.id).toBeGreaterThan(killed[0].id);
    expect((await countRunEmbeddings(db, now.id)).movies).toBe(150);
    await db.close();
  }, 120_000);
});
