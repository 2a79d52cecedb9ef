// Trainer benchmark (issue 4 figures, issue 9 "Train" bar):
//  * train_ratings_per_s (2 threads) / train_ratings_per_s_1t: native engine throughput
//    with the WASM SIMD kernel, the TypeScript kernel as the baseline beside it,
//    per epoch (median of epochs 2..5; epoch 1 carries JIT warm-up) at k = 50 on the
//    ratings of the synthetic `latest` dump (33.8M; all of them, no curation, 20% held
//    out), with valid RMSE and the biases-only baseline beside it, and peak RSS;
//    quick mode: a 2M-rating planted matrix shaped like a slice of it;
//  * train_small_*: valid RMSE and wall time of BOTH engines (native, tfjs on wasm) on
//    the `small` dump (movies with >= 20 ratings) at the defaults, planted-franchise
//    recall@10 beside them;
//  * side by side: tfjs on wasm and on the pure-JS cpu backend at a large batch on a
//    subset (dense Adam touches every row every step: its cost grows with the tables).
// The ratings are read straight from ratings.csv (ingest's parser), so the figure
// measures the engine, not the database.
import { fastaiDefaults } from './fastai-defaults';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRatingsFile } from '@cinemap/movielens';
import {
  NativeEngine,
  TfjsEngine,
  baselineRmse,
  fitBaseline,
  franchiseRecallAtK,
  plantedRatings,
  prepareTrainingData,
  type EngineConfig,
  type RawRatings,
  type TrainResult,
  type TrainingData,
} from '@cinemap/trainer';
import { ensureSyntheticDump } from './generate-data';
import { compareWithReference, dumpName, readRealRatings, realDumpRows, trainVsReferenceRow } from './reference';
import type { BenchOptions, BenchRow } from './types';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
const rmse = (r: TrainResult) => r.epochs[r.epochs.length - 1].validRmse;
const rate = (r: TrainResult) => median(r.epochs.slice(1).map((e) => e.ratingsPerSecond));
const log = (s: string) => process.stderr.write(`[train] ${s}\n`);

/** A dump's ratings.csv as trainer input (ratings are halfStars / 2). */
export async function readDumpRatings(dir: string): Promise<RawRatings> {
  const file = join(dir, 'ratings.csv');
  const c = await readRatingsFile(file);
  const ratings = new Float32Array(c.length);
  for (let i = 0; i < c.length; i++) ratings[i] = c.halfStars[i] / 2;
  return { userIds: c.userId.subarray(0, c.length), movieIds: c.movieId.subarray(0, c.length), ratings };
}

/**
 * Keeps the ratings of movies with at least `min` ratings: what
 * `npm run ingest -- --min-movie-ratings <min> --min-user-ratings 0 --min-avg-rating 0 --sample-fraction 1` keeps.
 */
export function keepMoviesWithRatings(raw: RawRatings, min: number): RawRatings {
  const count = new Map<number, number>();
  for (let i = 0; i < raw.movieIds.length; i++) count.set(raw.movieIds[i], (count.get(raw.movieIds[i]) ?? 0) + 1);
  const keep: number[] = [];
  for (let i = 0; i < raw.movieIds.length; i++) if (count.get(raw.movieIds[i])! >= min) keep.push(i);
  return {
    userIds: Int32Array.from(keep, (i) => raw.userIds[i]),
    movieIds: Int32Array.from(keep, (i) => raw.movieIds[i]),
    ratings: Float32Array.from(keep, (i) => raw.ratings[i]),
  };
}

const defaults = (nTrain: number, threads: number): EngineConfig => ({
  ...fastaiDefaults(nTrain),
  seed: 42,
  threads,
});

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, (performance.now() - t0) / 1000];
}

// eslint-disable-next-line max-lines-per-function -- one benchmark scenario read top to bottom: data, runs, rows
export async function runTrainBench(opts: BenchOptions): Promise<BenchRow[]> {
  // --- throughput on `latest` (quick: planted 2M) ---
  let data: TrainingData, what: string, latestFranchises: number[][];
  if (opts.quick) {
    const planted = plantedRatings({ users: 20_000, movies: 8_000, ratingsPerUser: 100, rank: 16, franchises: 50, seed: 1 });
    latestFranchises = planted.franchises;
    data = prepareTrainingData(planted, 0.2, 42);
    what = '2.0M planted ratings (20k users, 8k movies)';
  } else {
    // Seed 1: the dump the ingest benchmark already made (cached, ~1 min to generate).
    const dir = await ensureSyntheticDump(opts.workDir, 'latest', 1);
    log(`reading ${dir}/ratings.csv`);
    data = prepareTrainingData(await readDumpRatings(dir), 0.2, 42);
    latestFranchises = (JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as { franchises: number[][] }).franchises;
    what = `synthetic latest dump (${((data.train.ratings.length + data.valid.ratings.length) / 1e6).toFixed(1)}M ratings, ${data.userIds.length} users, ${data.movieIds.length} movies)`;
  }
  const nTrain = data.train.ratings.length;
  const baseline = baselineRmse(fitBaseline(data.train, data.userIds.length, data.movieIds.length), data.valid);
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const epochLog = (label: string) => ({
    onEpoch: (e: { epoch: number; validRmse: number; ratingsPerSecond: number }) =>
      log(`${label} epoch ${e.epoch + 1}: valid RMSE ${e.validRmse.toFixed(4)}, ${(e.ratingsPerSecond / 1e6).toFixed(2)}M ratings/s`),
  });
  const cfg1 = defaults(nTrain, 1);
  log(`native (WASM SIMD kernel), 1 thread, ${what}, bs ${cfg1.batchSize}`);
  const one = await new NativeEngine().train(data, cfg1, epochLog('wasm 1 thread'));
  log(`native (WASM SIMD kernel), 2 threads`);
  const two = await new NativeEngine().train(data, defaults(nTrain, 2), epochLog('wasm 2 threads'));
  clearInterval(sampler);
  log(`native (TypeScript kernel), 1 and 2 threads`);
  const tsOne = await new NativeEngine({ kernel: 'ts' }).train(data, cfg1, epochLog('ts 1 thread'));
  const tsTwo = await new NativeEngine({ kernel: 'ts' }).train(data, defaults(nTrain, 2), epochLog('ts 2 threads'));
  const notes = `${what}, k=50, 5 epochs, bs ${cfg1.batchSize} (auto), ${nTrain} train ratings`;
  const q = (r: TrainResult) => `valid RMSE ${rmse(r).toFixed(4)} (biases-only baseline ${baseline.toFixed(4)})`;
  // Planted-franchise recall@10 of the 2-thread WASM model (the dump's truth.json; the planted quick set's own).
  const recallTwo = franchiseRecallAtK(two.weights, data.movieIds, latestFranchises, 10);
  data = undefined as unknown as TrainingData;

  // --- both engines on `small`, fast.ai defaults ---
  const smallDir = await ensureSyntheticDump(opts.workDir, 'small', 42);
  const franchises = (JSON.parse(readFileSync(join(smallDir, 'truth.json'), 'utf8')) as { franchises: number[][] }).franchises;
  // Curated as the e2e test does (thresholds scaled to the dump): movies with >= 20 ratings.
  const small = prepareTrainingData(keepMoviesWithRatings(await readDumpRatings(smallDir), 20), 0.2, 42);
  const sBase = baselineRmse(fitBaseline(small.train, small.userIds.length, small.movieIds.length), small.valid);
  const sCfg = defaults(small.train.ratings.length, 1);
  log(`small: native and tfjs (wasm), bs ${sCfg.batchSize}`);
  const [sNative, sNativeS] = await timed(() => new NativeEngine().train(small, sCfg));
  const [sTfjs, sTfjsS] = await timed(() => new TfjsEngine('wasm').train(small, sCfg));
  const rec = (r: TrainResult) => franchiseRecallAtK(r.weights, small.movieIds, franchises, 10);
  const smallNote = `synthetic small curated to movies with >= 20 ratings (${small.train.ratings.length + small.valid.ratings.length} ratings, ${small.movieIds.length} movies), fast.ai defaults (bs ${sCfg.batchSize}); biases-only baseline ${sBase.toFixed(4)}`;

  // --- tfjs side by side at a large batch on a subset ---
  const sub = prepareTrainingData(plantedRatings({ users: 3_000, movies: 1_500, ratingsPerUser: 70, rank: 16, seed: 2 }), 0.2, 42);
  const tcfg = { ...cfg1, epochs: 2, batchSize: 4096 };
  log('tfjs wasm / cpu on a 210k-rating subset');
  const wasm = await new TfjsEngine('wasm').train(sub, tcfg);
  const cpu = await new TfjsEngine('cpu').train(sub, { ...tcfg, epochs: 1 });
  const nativeSub = await new NativeEngine().train(sub, { ...tcfg, threads: 2 });
  // --- the fast.ai reference on one split: the first real dump, else synthetic small (uncurated) ---
  const seeds = opts.quick ? 1 : 3;
  const comparisons = [];
  for (const dir of opts.real)
    comparisons.push(await compareWithReference(dumpName(dir), await readRealRatings(dir), { seeds, tfjs: !opts.quick }));
  const vsRef = comparisons[0] ?? (await compareWithReference('synthetic small', await readDumpRatings(smallDir), { seeds, tfjs: false }));

  return [
    trainVsReferenceRow(vsRef),
    ...comparisons.flatMap(realDumpRows),
    {
      key: 'train_ratings_per_s_1t',
      figure: 'native train (WASM SIMD), 1 thread (ratings/s)',
      cinemap: rate(one),
      baselineName: 'TypeScript kernel, 1 thread',
      baseline: rate(tsOne),
      unit: 'ratings/s',
      higherIsBetter: true,
      notes: `${notes}; ${q(one)}; TS kernel ${q(tsOne)}`,
    },
    {
      key: 'train_ratings_per_s',
      figure: 'native train (WASM SIMD), 2 threads (ratings/s)',
      cinemap: rate(two),
      baselineName: 'TypeScript kernel, 2 threads',
      baseline: rate(tsTwo),
      unit: 'ratings/s',
      higherIsBetter: true,
      notes: `${notes}; ${q(two)}, franchise recall@10 ${recallTwo.toFixed(3)}; TS kernel ${q(tsTwo)}; aim 10M ratings/s`,
    },
    { key: 'train_threads', figure: 'native threads for train_ratings_per_s', cinemap: 2, unit: 'threads', higherIsBetter: true },
    {
      key: 'train_valid_rmse',
      figure: 'native valid RMSE, 2 threads (vs biases-only)',
      cinemap: rmse(two),
      baselineName: 'biases-only baseline',
      baseline,
      unit: 'RMSE',
      higherIsBetter: false,
      notes,
    },
    {
      key: 'train_franchise_recall_at_10',
      figure: 'native planted-franchise recall@10, 2 threads',
      cinemap: recallTwo,
      unit: 'recall',
      higherIsBetter: true,
      notes,
    },
    {
      key: 'train_peak_rss_mb',
      figure: 'native train peak RSS (MB)',
      cinemap: peak / 2 ** 20,
      unit: 'MB',
      higherIsBetter: false,
      notes: `${notes}; includes the parsed dump`,
    },
    {
      key: 'train_small_valid_rmse',
      figure: 'valid RMSE on small: native vs tfjs',
      cinemap: rmse(sNative),
      baselineName: 'tfjs wasm',
      baseline: rmse(sTfjs),
      unit: 'RMSE',
      higherIsBetter: false,
      notes: `${smallNote}; franchise recall@10 native ${rec(sNative).toFixed(3)}, tfjs ${rec(sTfjs).toFixed(3)}`,
    },
    {
      key: 'train_small_wall_s',
      figure: 'train wall time on small: native vs tfjs (s)',
      cinemap: sNativeS,
      baselineName: 'tfjs wasm',
      baseline: sTfjsS,
      unit: 's',
      higherIsBetter: false,
      notes: `${smallNote}; native 1 thread`,
    },
    {
      key: 'train_tfjs_wasm_ratings_per_s',
      figure: 'tfjs wasm, bs 4096 (ratings/s)',
      cinemap: rate(wasm),
      baselineName: 'native 2 threads, same subset',
      baseline: rate(nativeSub),
      unit: 'ratings/s',
      higherIsBetter: true,
      notes: `210k-rating planted subset; valid RMSE tfjs ${rmse(wasm).toFixed(4)} vs native ${rmse(nativeSub).toFixed(4)}`,
    },
    {
      key: 'train_tfjs_cpu_ratings_per_s',
      figure: 'tfjs cpu, bs 4096 (ratings/s)',
      cinemap: cpu.epochs[0].ratingsPerSecond,
      unit: 'ratings/s',
      higherIsBetter: true,
      notes: '210k-rating planted subset, 1 epoch',
    },
  ];
}
