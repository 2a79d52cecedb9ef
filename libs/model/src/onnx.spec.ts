// Given a model's weights, when exported to ONNX and run by onnxruntime-node, then the
// scorer gives predict()'s own ratings (max abs diff <= 1e-4) with the id maps in its
// metadata, and the similarity graph gives the exact cosine top-k.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, normalizeRows, topKByDot } from '@cinemap/math';
import { allocateWeights, predict, type ModelWeights } from './embedding-dot-bias';
import { ONNX_METADATA, buildScorerOnnx, buildSimilarityOnnx } from './onnx';

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
    return JSON.parse(
      execFileSync(process.execPath, ['-e', ORT_RUNNER, file, JSON.stringify(feeds)], { encoding: 'utf8', maxBuffer: 64 << 20 }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Weights of a model whose predictions spread over the rating range (trained-like magnitudes). */
function randomWeights(nUsers: number, nMovies: number, factors: number, seed: number): ModelWeights {
  const w = allocateWeights(nUsers, nMovies, factors, [0, 5.5]);
  const rng = new Rng(seed);
  for (const a of [w.userFactors, w.movieFactors]) for (let i = 0; i < a.length; i++) a[i] = rng.normal(0, 0.4);
  for (const a of [w.userBias, w.movieBias]) for (let i = 0; i < a.length; i++) a[i] = rng.normal(0, 0.5);
  return w;
}

describe('ONNX exports', () => {
  const p = randomWeights(300, 200, 16, 11);
  const userIds = Int32Array.from({ length: p.nUsers }, (_, i) => 1000 + i * 3);
  const movieIds = Int32Array.from({ length: p.nMovies }, (_, i) => 1 + i * 7);
  const pairs = Array.from({ length: 500 }, (_, i) => [(i * 37) % p.nUsers, (i * 53) % p.nMovies]);
  const data = {
    userIds,
    movieIds,
    valid: {
      users: Int32Array.from(pairs, ([u]) => u),
      movies: Int32Array.from(pairs, ([, m]) => m),
      ratings: new Float32Array(pairs.length),
    },
  };

  it('scorer matches predict() and carries the id maps', async () => {
    const bytes = buildScorerOnnx(p, { runId: 17, userIds: data.userIds, movieIds: data.movieIds });
    const n = data.valid.ratings.length;
    const out = runOnnx(bytes, {
      user_idx: { data: Array.from(data.valid.users), dims: [n] },
      movie_idx: { data: Array.from(data.valid.movies), dims: [n] },
    });
    expect(out.inputNames).toEqual(['user_idx', 'movie_idx']);
    expect(out.outputNames).toEqual(['rating']);
    const got = out.rating.data;
    let maxDiff = 0;
    let spread = [Infinity, -Infinity];
    for (let i = 0; i < n; i++) {
      const want = predict(p, data.valid.users[i], data.valid.movies[i]);
      maxDiff = Math.max(maxDiff, Math.abs(got[i] - want));
      spread = [Math.min(spread[0], want), Math.max(spread[1], want)];
    }
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
    // not agreement by both sitting at the midpoint of the range
    expect(spread[1] - spread[0]).toBeGreaterThan(2);
    // Metadata, read back from the protobuf itself.
    const { onnx } = await import('onnx-proto');
    const meta = Object.fromEntries(onnx.ModelProto.decode(bytes).metadataProps.map((e) => [e.key, e.value]));
    expect(JSON.parse(meta[ONNX_METADATA.userIds])).toEqual(Array.from(data.userIds));
    expect(JSON.parse(meta[ONNX_METADATA.movieIds])).toEqual(Array.from(data.movieIds));
    expect(JSON.parse(meta[ONNX_METADATA.yRange])).toEqual([0, 5.5]);
    expect(meta[ONNX_METADATA.runId]).toBe('17');
    expect(ONNX_METADATA).toEqual({
      userIds: 'cinemap.user_ids',
      movieIds: 'cinemap.movie_ids',
      yRange: 'cinemap.y_range',
      runId: 'cinemap.run_id',
    });
  });

  it('similarity graph returns the exact cosine top-k', async () => {
    const queries = [0, 5, 42, p.nMovies - 1];
    const out = runOnnx(buildSimilarityOnnx(p, { runId: 17, movieIds: data.movieIds }), {
      movie_idx: { data: queries, dims: [queries.length] },
      k: { data: [10], dims: [1] },
    });
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
});
