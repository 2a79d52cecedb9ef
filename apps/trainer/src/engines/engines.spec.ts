// Given a planted low-rank rating matrix (300k ratings, 20 franchises of 4 movies),
// when both engines train with the same hyper-parameters, then they reach the same
// quality (valid RMSE within 2%), beat the biases-only baseline clearly, and put
// franchise siblings among each other's 10 nearest movies.
import { prepareTrainingData, type TrainingData } from '../data/training-data';
import { baselineRmse, fitBaseline } from '../model/baseline';
import { franchiseRecallAtK } from '../model/quality';
import { plantedRatings } from '../testing/planted';
import { NativeEngine } from './native/native-engine';
import { TfjsEngine } from './tfjs/tfjs-engine';
import { loadTf, setModuleLoader } from './tfjs/backend';
import { TrainingDiverged, type EngineConfig, type TrainResult } from './types';

const planted = plantedRatings({ users: 3000, movies: 1500, ratingsPerUser: 100, franchises: 20, seed: 7 });
const data: TrainingData = prepareTrainingData(planted, 0.2, 42);
// fast.ai's defaults except the batch: 512 keeps the dense-Adam tfjs run on wasm to ~20 s.
const cfg: EngineConfig = { factors: 50, epochs: 5, lr: 5e-3, wd: 0.1, batchSize: 512, yRange: [0, 5.5], seed: 42, threads: 1 };
const baseline = baselineRmse(fitBaseline(data.train, data.userIds.length, data.movieIds.length), data.valid);

describe('engines on planted data', () => {
  let native: TrainResult, tfjs: TrainResult;
  beforeAll(async () => {
    native = await new NativeEngine().train(data, cfg);
    tfjs = await new TfjsEngine('wasm').train(data, cfg);
  }, 180_000);

  const rmse = (r: TrainResult) => r.epochs[r.epochs.length - 1].validRmse;

  it('reach the same valid RMSE (within 2%)', () => {
    expect(tfjs.backend).toBe('wasm');
    expect(Math.abs(rmse(native) - rmse(tfjs)) / rmse(tfjs)).toBeLessThan(0.02);
  });

  it('beat the biases-only baseline clearly', () => {
    expect(baseline).toBeGreaterThan(0.9);
    expect(rmse(native)).toBeLessThan(0.8 * baseline);
    expect(rmse(tfjs)).toBeLessThan(0.8 * baseline);
  });

  it('recover the planted franchises (recall@10 >= 0.8)', () => {
    expect(franchiseRecallAtK(native.weights, data.movieIds, planted.franchises, 10)).toBeGreaterThanOrEqual(0.8);
    expect(franchiseRecallAtK(tfjs.weights, data.movieIds, planted.franchises, 10)).toBeGreaterThanOrEqual(0.8);
  });

  it('report a falling valid loss, epoch by epoch, like fast.ai', () => {
    for (const r of [native, tfjs]) {
      expect(r.epochs).toHaveLength(5);
      expect(r.epochs[4].validMse).toBeLessThan(r.epochs[0].validMse);
      expect(r.epochs[4].trainMse).toBeLessThan(r.epochs[0].trainMse);
    }
  });
});

describe('native engine', () => {
  const small = prepareTrainingData(plantedRatings({ users: 400, movies: 300, ratingsPerUser: 40, seed: 3 }), 0.2, 1);
  const c = { ...cfg, epochs: 2, batchSize: 64 };

  it('is deterministic with one thread', async () => {
    const a = await new NativeEngine().train(small, c);
    const b = await new NativeEngine().train(small, c);
    expect(Buffer.from(a.weights.movieFactors.buffer).equals(Buffer.from(b.weights.movieFactors.buffer))).toBe(true);
    expect(a.epochs.map((e) => e.validMse)).toEqual(b.epochs.map((e) => e.validMse));
  });

  it('runs the same optimizer in the WASM SIMD kernel (default) and the TypeScript kernel', async () => {
    const w = await new NativeEngine().train(small, c);
    const t = await new NativeEngine({ kernel: 'ts' }).train(small, c);
    expect(w.details.kernel).toBe('WASM SIMD (f32x4)');
    expect(t.details.kernel).toBe('TypeScript');
    // float32 lanes vs float64 sums: close, not bit-identical.
    for (let e = 0; e < 2; e++) expect(Math.abs(w.epochs[e].validRmse - t.epochs[e].validRmse)).toBeLessThan(1e-3);
    let maxDiff = 0;
    for (let i = 0; i < w.weights.movieFactors.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs(w.weights.movieFactors[i] - t.weights.movieFactors[i]));
    expect(maxDiff).toBeLessThan(1e-3);
    expect(maxDiff).toBeGreaterThan(0); // two kernels really ran
  });

  it('trains with two worker threads over shared memory when the grid has blocks for both', async () => {
    const progress: number[] = [];
    // Small blocks (16 KiB) cut this model into a grid of several blocks per round.
    const r = await new NativeEngine({ blockBytes: 16 * 1024 }).train(small, { ...c, threads: 2 }, { onProgress: (d) => progress.push(d) });
    expect(r.details.grid).toBeGreaterThanOrEqual(2);
    expect(r.details.threads).toBe(2);
    expect(r.details.threadsNote).toBeUndefined();
    expect(r.epochs[1].validRmse).toBeLessThan(r.epochs[0].validRmse + 0.05);
    expect(Number.isFinite(r.epochs[1].validRmse)).toBe(true);
  }, 60_000);

  it('uses one thread, and says so, when the whole model is one block (threads would share rows)', async () => {
    const r = await new NativeEngine().train(small, { ...c, epochs: 1, threads: 2 });
    expect(r.details.grid).toBe(1);
    expect(r.details.threads).toBe(1);
    expect(r.details.threadsNote).toMatch(/2 threads requested, 1 used/);
  });

  it('stops with a clear message when the loss stops being finite', async () => {
    // Row-wise Adam's normalised steps and the sigmoid keep even absurd learning rates
    // finite, so a non-finite rating stands in for a blown-up loss.
    const bad = { ...small, train: { ...small.train, ratings: small.train.ratings.slice() } };
    bad.train.ratings[5] = Infinity;
    await expect(new NativeEngine().train(bad, c)).rejects.toThrow(TrainingDiverged);
    await expect(new NativeEngine().train(bad, c)).rejects.toThrow(/diverged in epoch 1.*try --lr/);
  });
});

describe('tfjs backends', () => {
  afterEach(() => setModuleLoader(undefined));

  it('falls back past tfjs-node-gpu and tfjs-node (not installed here) and says why', async () => {
    const r = await loadTf('auto');
    expect(['wasm', 'cpu']).toContain(r.backend);
    expect(r.skipped.map((s) => s.backend).slice(0, 2)).toEqual(['tensorflow-gpu', 'tensorflow']);
    expect(r.skipped[0].reason.length).toBeGreaterThan(0);
  });

  it('refuses an explicitly requested backend that cannot load, naming it', async () => {
    await expect(loadTf('tensorflow-gpu')).rejects.toThrow(/"tensorflow-gpu" could not be loaded/);
  });

  it('uses tfjs-node-gpu when it loads (simulated package) for the GPU path', async () => {
    const real = require('@tensorflow/tfjs');
    let asked = '';
    setModuleLoader((name) => {
      if (name === '@tensorflow/tfjs-node-gpu')
        return { ...real, setBackend: async (b: string) => ((asked = b), real.setBackend('cpu')), ready: real.ready };
      return require(name);
    });
    const r = await loadTf('auto');
    expect(r.backend).toBe('tensorflow-gpu');
    expect(asked).toBe('tensorflow');
  });

  it('trains on the pure-JS cpu backend too (custom gather gradient)', async () => {
    const tiny = prepareTrainingData(plantedRatings({ users: 200, movies: 100, ratingsPerUser: 20, seed: 5 }), 0.2, 1);
    const r = await new TfjsEngine('cpu').train(tiny, { ...cfg, epochs: 2, batchSize: 256 });
    expect(r.backend).toBe('cpu');
    expect(Number.isFinite(r.epochs[1].validRmse)).toBe(true);
    expect(r.epochs[1].trainMse).toBeLessThan(r.epochs[0].trainMse);
  }, 60_000);
});
