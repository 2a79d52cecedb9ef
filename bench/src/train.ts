// Trainer benchmark: native engine throughput (ratings/s per epoch, k = 50) with 1 and
// 2 threads and peak RSS, valid RMSE beside it; side by side the tfjs engine on wasm
// and on the pure-JS cpu backend at a large batch on a subset.
// Data: an in-memory planted matrix shaped like the `latest` dump (33.8M ratings,
// 330k users, 86k movies; quick mode: 2M ratings) so the figure measures the engine,
// not CSV parsing or the database.
import { NativeEngine, TfjsEngine, plantedRatings, prepareTrainingData, type EngineConfig, type TrainResult } from '../../apps/trainer/src/index';
import type { BenchOptions, BenchRow } from './types';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
const rmse = (r: TrainResult) => r.epochs[r.epochs.length - 1].validRmse;
// Epoch 1 includes JIT warm-up; the figure is the median of the later epochs.
const rate = (r: TrainResult) => median(r.epochs.slice(1).map((e) => e.ratingsPerSecond));

export async function runTrainBench(opts: BenchOptions): Promise<BenchRow[]> {
  const shape = opts.quick ? { users: 20_000, movies: 8_000, ratingsPerUser: 100 } : { users: 330_000, movies: 86_000, ratingsPerUser: 102 };
  const planted = plantedRatings({ ...shape, rank: 16, franchises: 50, seed: 1 });
  const data = prepareTrainingData(planted, 0.2, 42);
  const cfg: EngineConfig = { factors: 50, epochs: opts.quick ? 3 : 5, lr: 5e-3, wd: 0.1, batchSize: 64, yRange: [0, 5.5], seed: 42, threads: 1 };
  const n = planted.ratings.length;
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const one = await new NativeEngine().train(data, cfg);
  const two = await new NativeEngine().train(data, { ...cfg, threads: 2 });
  clearInterval(sampler);
  // tfjs on a subset (dense Adam touches every row every step: cost grows with the tables).
  const sub = prepareTrainingData(plantedRatings({ users: 3_000, movies: 1_500, ratingsPerUser: 70, rank: 16, seed: 2 }), 0.2, 42);
  const tcfg = { ...cfg, epochs: 2, batchSize: 4096 };
  const wasm = await new TfjsEngine('wasm').train(sub, tcfg);
  const cpu = await new TfjsEngine('cpu').train(sub, { ...tcfg, epochs: 1 });
  const nativeSub = await new NativeEngine().train(sub, { ...tcfg, threads: 2 });
  const notes = `${(n / 1e6).toFixed(1)}M planted ratings (${shape.users} users, ${shape.movies} movies), k=50, ${cfg.epochs} epochs`;
  return [
    { key: 'train_ratings_per_s_1t', figure: 'native train, 1 thread (ratings/s)', cinemap: rate(one), unit: 'ratings/s', higherIsBetter: true, notes: `${notes}; valid RMSE ${rmse(one).toFixed(4)}` },
    {
      key: 'train_ratings_per_s', figure: 'native train, 2 threads (ratings/s)', cinemap: rate(two), baselineName: 'tfjs wasm bs 4096 (subset)', baseline: rate(wasm),
      unit: 'ratings/s', higherIsBetter: true, notes: `${notes}; valid RMSE ${rmse(two).toFixed(4)}`,
    },
    { key: 'train_threads', figure: 'native threads for train_ratings_per_s', cinemap: 2, unit: 'threads', higherIsBetter: true },
    { key: 'train_peak_rss_mb', figure: 'native train peak RSS (MB)', cinemap: peak / 2 ** 20, unit: 'MB', higherIsBetter: false, notes },
    {
      key: 'train_tfjs_wasm_ratings_per_s', figure: 'tfjs wasm, bs 4096 (ratings/s)', cinemap: rate(wasm), baselineName: 'native 2 threads, same subset', baseline: rate(nativeSub),
      unit: 'ratings/s', higherIsBetter: true, notes: `210k-rating subset; valid RMSE tfjs ${rmse(wasm).toFixed(4)} vs native ${rmse(nativeSub).toFixed(4)}`,
    },
    { key: 'train_tfjs_cpu_ratings_per_s', figure: 'tfjs cpu, bs 4096 (ratings/s)', cinemap: cpu.epochs[0].ratingsPerSecond, unit: 'ratings/s', higherIsBetter: true, notes: '210k-rating subset, 1 epoch' },
  ];
}
