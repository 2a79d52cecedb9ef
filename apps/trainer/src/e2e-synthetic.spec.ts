// End to end on the synthetic generator's data (issue 4, "Done when"): the built
// `generate` CLI writes a tiny dump with planted franchises, the built `ingest` CLI
// loads it with curation thresholds scaled to the dump into an embedded database,
// and both engines train on what the trainer reads back, at fast.ai's default
// hyper-parameters. Then: valid RMSE within 2% of each other, clearly below the
// biases-only baseline, and planted-franchise recall@10 >= 0.8 over the franchise
// members that survived curation. (The `small` figures are in docs/trainer.md;
// bench/src/train.ts measures them.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { migrate, openPglite, type Db } from '@cinemap/db';
import { prepareTrainingData, type TrainingData } from './data/training-data';
import { NativeEngine } from './engines/native/native-engine';
import { TfjsEngine } from './engines/tfjs/tfjs-engine';
import type { EngineConfig, TrainResult } from './engines/types';
import { baselineRmse, fitBaseline } from './model/baseline';
import { franchiseRecallAtK } from './model/quality';
import { loadDatasetRatings } from './run-training';

const root = resolve(__dirname, '../../..');
const work = mkdtempSync(join(tmpdir(), 'cinemap-trainer-e2e-'));
const dump = join(work, 'dump');
const home = join(work, 'home');
// fast.ai's defaults (collab_learner + fit_one_cycle(5, 5e-3, wd=0.1), bs 64).
const cfg: EngineConfig = { factors: 50, epochs: 5, lr: 5e-3, wd: 0.1, batchSize: 64, yRange: [0, 5.5], seed: 42, threads: 1 };

function cli(script: string, args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'dist', script), ...args], { env: { ...process.env, DATABASE_URL: '', CINEMAP_HOME: home }, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

let db: Db;
let data: TrainingData;
let franchises: number[][];
let baseline: number;
let native: TrainResult, tfjs: TrainResult;

beforeAll(async () => {
  cli('apps/ingest/generate.js', ['--out', dump, '--scale', 'tiny', '--seed', '42', '--quiet']);
  // tiny: 100 users, 300 movies, 20k ratings; thresholds scaled down from the blog's
  // (1000 / 500 / 3.5 / 0.1 for ml-latest) so curation still drops the long tail.
  cli('apps/ingest/main.js', ['--source', dump, '--min-movie-ratings', '10', '--min-user-ratings', '20', '--min-avg-rating', '2', '--sample-fraction', '1']);
  franchises = (JSON.parse(readFileSync(join(dump, 'truth.json'), 'utf8')) as { franchises: number[][] }).franchises;
  db = await openPglite({ dataDir: join(home, 'db') });
  await migrate(db);
  const { data: raw } = await loadDatasetRatings(db, () => {});
  data = prepareTrainingData(raw, 0.2, 42);
  baseline = baselineRmse(fitBaseline(data.train, data.userIds.length, data.movieIds.length), data.valid);
  native = await new NativeEngine().train(data, cfg);
  tfjs = await new TfjsEngine('wasm').train(data, cfg);
}, 240_000);

afterAll(async () => {
  await db?.close();
  rmSync(work, { recursive: true, force: true });
});

const rmse = (r: TrainResult) => r.epochs[r.epochs.length - 1].validRmse;

it('trains on what curation kept (most of the tiny dump, and most franchise members)', () => {
  expect(data.train.ratings.length + data.valid.ratings.length).toBeGreaterThan(15_000);
  const kept = new Set(data.movieIds);
  const members = franchises.flat();
  expect(members.filter((m) => kept.has(m)).length).toBeGreaterThanOrEqual(0.8 * members.length);
});

it('both engines reach the same valid RMSE (within 2%)', () => {
  expect(Math.abs(rmse(native) - rmse(tfjs)) / rmse(tfjs)).toBeLessThan(0.02);
});

it('both engines beat the biases-only baseline clearly', () => {
  expect(rmse(native)).toBeLessThan(0.9 * baseline);
  expect(rmse(tfjs)).toBeLessThan(0.9 * baseline);
});

it('both engines put planted franchise members among each other\'s 10 nearest films (recall >= 0.8)', () => {
  // franchiseRecallAtK skips members that curation removed.
  expect(franchiseRecallAtK(native.params, data.movieIds, franchises, 10)).toBeGreaterThanOrEqual(0.8);
  expect(franchiseRecallAtK(tfjs.params, data.movieIds, franchises, 10)).toBeGreaterThanOrEqual(0.8);
});
