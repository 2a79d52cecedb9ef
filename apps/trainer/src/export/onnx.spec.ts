// Given a trained model, when exported to ONNX and run by onnxruntime-node, then the
// scorer gives the engine's own predictions (max abs diff <= 1e-4) with the id maps in
// its metadata, and the similarity graph gives the exact cosine top-k.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeRows, topKByDot } from '@cinemap/math';
import { prepareTrainingData } from '../data/training-data';
import { NativeEngine } from '../engines/native/native-engine';
import { predict, type ModelWeights } from '../model/embedding-dot-bias';
import { plantedRatings } from '../testing/planted';
import { buildScorerOnnx, buildSimilarityOnnx } from './onnx';
import { moviePca } from './pca';

// onnxruntime-node's output arrays come from Node's own realm, which jest's sandboxed
// globals reject ("float32 tensor's data must be type of Float32Array"); the models
// therefore run in a plain child node process, as the gateway will run them.
const ORT_RUNNER = `
const ort = require('onnxruntime-node');
const [file, feedsJson] = process.argv.slice(1);
(async () => {
  const s = await ort.InferenceSession.create(file);
  const feeds = {};
  for (const [name, f] of Object.entries(JSON.parse(feedsJson))) feeds[name] = new ort.Tensor('int64', BigInt64Array.from(f.data.map(BigInt)), f.dims);
  const out = await s.run(feeds);
  const res = { inputNames: s.inputNames, outputNames: s.outputNames };
  for (const [k, t] of Object.entries(out)) res[k] = { dims: t.dims, data: Array.from(t.data, Number) };
  process.stdout.write(JSON.stringify(res));
})().catch((e) => { console.error(e); process.exit(1); });
`;
type OrtOut = { inputNames: string[]; outputNames: string[] } & Record<string, { dims: number[]; data: number[] }>;
function runOnnx(bytes: Uint8Array, feeds: Record<string, { data: number[]; dims: number[] }>): OrtOut {
  const dir = mkdtempSync(join(tmpdir(), 'cinemap-onnx-'));
  try {
    const file = join(dir, 'model.onnx');
    writeFileSync(file, bytes);
    return JSON.parse(execFileSync(process.execPath, ['-e', ORT_RUNNER, file, JSON.stringify(feeds)], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('ONNX exports', () => {
  let p: ModelWeights;
  let data: ReturnType<typeof prepareTrainingData>;
  beforeAll(async () => {
    data = prepareTrainingData(plantedRatings({ users: 300, movies: 200, ratingsPerUser: 30, seed: 11 }), 0.2, 42);
    p = (await new NativeEngine().train(data, { factors: 16, epochs: 2, lr: 5e-3, wd: 0.1, batchSize: 64, yRange: [0, 5.5], seed: 42, threads: 1 })).weights;
  });

  it('scorer matches the engine\'s predictions and carries the id maps', async () => {
    const bytes = buildScorerOnnx(p, { runId: 17, userIds: data.userIds, movieIds: data.movieIds });
    const n = data.valid.ratings.length;
    const out = runOnnx(bytes, { user_idx: { data: Array.from(data.valid.users), dims: [n] }, movie_idx: { data: Array.from(data.valid.movies), dims: [n] } });
    expect(out.inputNames).toEqual(['user_idx', 'movie_idx']);
    expect(out.outputNames).toEqual(['rating']);
    const got = out.rating.data;
    let maxDiff = 0;
    for (let i = 0; i < n; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - predict(p, data.valid.users[i], data.valid.movies[i])));
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
    // Metadata, read back from the protobuf itself.
    const { onnx } = await import('onnx-proto');
    const meta = Object.fromEntries(onnx.ModelProto.decode(bytes).metadataProps.map((e) => [e.key, e.value]));
    expect(JSON.parse(meta['cinemap.user_ids'])).toEqual(Array.from(data.userIds));
    expect(JSON.parse(meta['cinemap.movie_ids'])).toEqual(Array.from(data.movieIds));
    expect(JSON.parse(meta['cinemap.y_range'])).toEqual([0, 5.5]);
    expect(meta['cinemap.run_id']).toBe('17');
  });

  it('similarity graph returns the exact cosine top-k', async () => {
    const queries = [0, 5, 42, p.nMovies - 1];
    const out = runOnnx(buildSimilarityOnnx(p, { runId: 17, movieIds: data.movieIds }), { movie_idx: { data: queries, dims: [queries.length] }, k: { data: [10], dims: [1] } });
    expect(out.indices.dims).toEqual([queries.length, 10]);
    const normed = normalizeRows(p.movieFactors, p.nMovies, p.factors, { inPlace: false });
    queries.forEach((q, qi) => {
      const exact = topKByDot(normed, p.nMovies, p.factors, normed.subarray(q * p.factors, (q + 1) * p.factors), 10);
      const idx = out.indices.data.slice(qi * 10, qi * 10 + 10);
      const sc = out.scores.data.slice(qi * 10, qi * 10 + 10);
      expect(idx[0]).toBe(q); // a movie is its own nearest neighbour
      expect(idx).toEqual(Array.from(exact.indices));
      for (let j = 0; j < 10; j++) expect(sc[j]).toBeCloseTo(exact.scores[j], 4);
    });
  });

  it('PCA coordinates are centred and explain a falling share of the variance', () => {
    const r = moviePca(p.movieFactors, p.nMovies, p.factors);
    expect(r.coords).toHaveLength(p.nMovies * 3);
    for (let j = 0; j < 3; j++) {
      let mean = 0;
      for (let i = 0; i < p.nMovies; i++) mean += r.coords[i * 3 + j];
      expect(Math.abs(mean / p.nMovies)).toBeLessThan(1e-4);
    }
    expect(r.explainedVariance[0]).toBeGreaterThanOrEqual(r.explainedVariance[1]);
    expect(r.explainedVariance[1]).toBeGreaterThanOrEqual(r.explainedVariance[2]);
    expect(r.explainedVariance.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-9);
  });
});
