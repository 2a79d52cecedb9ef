// Given an active dataset of planted ratings, when `runTraining` runs, then the run is
// stored whole (row, embeddings with PCA, neighbour lists, ONNX artifacts), becomes the single active
// run in one step with a NOTIFY, the analysts' views point at it through an HNSW
// index, and a failing run leaves the previous active run untouched.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeEachBackend,
  countRunEmbeddings,
  explainActiveMovieNeighbours,
  getActiveModelRun,
  getModelRun,
  listMovieEmbeddings,
  seedCuratedDataset,
} from '@cinemap/db/testing';
import { audienceDims, loadModelArtifact, loadMovieNeighbourIds, loadRunAudience, loadRunBlend, parseVector } from '@cinemap/db';
import { neighbourListsByScan, unitRowsById } from '@cinemap/math';
import { runTraining } from './run-training';
import { plantedRatings } from './testing/planted';

const quiet = () => {};

describeEachBackend('runTraining', (ctx) => {
  const planted = plantedRatings({ users: 300, movies: 150, ratingsPerUser: 30, seed: 9 });
  let first: Awaited<ReturnType<typeof runTraining>>;

  beforeAll(async () => {
    await seedCuratedDataset(ctx.db(), 'planted', planted);
  });

  it('stores a complete, active run with embeddings, PCA and ONNX artifacts, and notifies', async () => {
    const db = ctx.db();
    const notes: string[] = [];
    const stop = await db.listen('cinemap_model', (p) => notes.push(p));
    const splitFile = join(mkdtempSync(join(tmpdir(), 'cinemap-run-split-')), 'split.csv');
    first = await runTraining({ factors: 8, epochs: 2, threads: 1, engine: 'native', exportSplit: splitFile }, { db, log: quiet });
    // --export-split: the ratings this run trained on and was scored on, for the fast.ai reference.
    const split = readFileSync(splitFile, 'utf8').trimEnd().split('\n');
    expect(split[0]).toContain(
      `users=${first.metrics.counts.users} movies=${first.metrics.counts.movies} train=${first.metrics.counts.train} valid=${first.metrics.counts.valid}`,
    );
    expect(split).toHaveLength(2 + first.metrics.counts.ratings);
    for (let i = 0; i < 50 && !notes.includes(String(first.runId)); i++) await new Promise((r) => setTimeout(r, 20));
    await stop();
    expect(notes).toContain(String(first.runId));
    const run = await getModelRun(db, first.runId);
    expect(run).toMatchObject({ status: 'complete', active: true, engine: 'native', backend: 'cpu' });
    expect(run!.params).toMatchObject({ factors: 8, epochs: 2, lr: 5e-3, wd: 0.1, seed: 42 });
    const m = run!.metrics as Record<string, any>;
    expect(m.epochs).toHaveLength(2);
    expect(m.validRmse).toBeCloseTo(first.metrics.validRmse, 10);
    expect(m.baselineRmse).toBeGreaterThan(0);
    expect(m.explainedVariance).toHaveLength(3);
    expect(m.datasetId).toBeGreaterThan(0);
    expect(m.timings.totalSeconds).toBeGreaterThan(0);
    const counts = await countRunEmbeddings(db, first.runId);
    expect(counts).toEqual({ movies: first.data.movieIds.length, users: first.data.userIds.length });
    const rows = await listMovieEmbeddings(db, first.runId);
    const v = parseVector(rows[0].embedding);
    expect(v).toHaveLength(8);
    for (let j = 0; j < 8; j++) expect(v[j]).toBeCloseTo(first.weights.movieFactors[j], 5);
    expect(rows[0].bias).toBeCloseTo(first.weights.movieBias[0], 5);
    expect(rows.every((r) => r.pc1 !== null && r.pc3 !== null)).toBe(true);
    expect((await loadModelArtifact(db, first.runId, 'onnx-scorer'))!.length).toBeGreaterThan(1000);
    expect((await loadModelArtifact(db, first.runId, 'onnx-similarity'))!.length).toBeGreaterThan(1000);
  }, 60_000);

  it('stores the audience embedding and the blend beside the taste vectors, with their settings in params', async () => {
    const db = ctx.db();
    const run = await getModelRun(db, first.runId);
    expect(run!.params).toMatchObject({
      audienceFactors: 50,
      audienceOversampling: 10,
      audiencePowerIterations: 2,
      audienceRowExponent: 0.25,
      audienceValues: 'rating',
      audienceSeed: 42,
      blendWeight: 0.3,
    });
    const m = run!.metrics as Record<string, any>;
    expect(m.audience.sigma).toHaveLength(50);
    expect(m.audience.kernel).toBe('wasm');
    expect(m.audience.sigma[0]).toBeGreaterThan(m.audience.sigma[49]);
    expect(await audienceDims(db, first.runId)).toEqual({ audience: 50, blend: 58 });
    const aud = await loadRunAudience(db, first.runId);
    const blend = await loadRunBlend(db, first.runId);
    expect(aud.size).toBe(first.data.movieIds.length);
    // the blend row is [0.3 taste_unit, 0.7 audience_unit] of the stored rows
    const id = first.data.movieIds[0];
    const t = first.weights.movieFactors.subarray(0, 8);
    const a = aud.get(id)!;
    const unit = (v: ArrayLike<number>, w: number) => {
      let n = 0;
      for (let j = 0; j < v.length; j++) n += v[j] * v[j];
      return Array.from(v, (x) => (w * x) / Math.sqrt(n));
    };
    const expected = [...unit(t, 0.3), ...unit(a, 0.7)];
    Array.from(blend.get(id)!).forEach((x, j) => expect(x).toBeCloseTo(expected[j], 6));
  }, 60_000);
  it("writes every film's exact neighbour list (taste) with the run, the scan's order over its stored vectors", async () => {
    const db = ctx.db();
    const lists = await loadMovieNeighbourIds(db, first.runId, 'taste');
    expect(lists.map((l) => l.movieId)).toEqual(Array.from(first.data.movieIds));
    const n = Math.min(100, first.data.movieIds.length - 1);
    expect(lists.every((l) => l.neighbourIds.length === n)).toBe(true);
    const stored = await listMovieEmbeddings(db, first.runId);
    const { ids, matrix } = unitRowsById(
      stored.map((r) => r.movieId),
      Float32Array.from(stored.flatMap((r) => Array.from(parseVector(r.embedding)))),
      8,
    );
    const scan = neighbourListsByScan(matrix, ids.length, 8, n, { from: 7, to: 8 });
    expect(lists[7].neighbourIds).toEqual(Array.from(scan.ids, (r) => ids[r]));
  });

  it('exposes the active run through active_movie_embeddings (readable by the gateway and analysts)', async () => {
    const db = ctx.db();
    const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM active_movie_embeddings');
    expect(n).toBe(first.data.movieIds.length);
    await db.transaction(async (tx) => {
      await tx.exec('SET LOCAL ROLE cinemap_analyst');
      const near = await tx.query<{ movie_id: number }>(
        'SELECT movie_id FROM active_movie_embeddings ORDER BY embedding <=> (SELECT embedding FROM active_movie_embeddings WHERE movie_id = $1) LIMIT 3',
        [first.data.movieIds[0]],
      );
      expect(near).toHaveLength(3);
      const users = await tx.query('SELECT user_id FROM active_user_embeddings LIMIT 1');
      expect(users).toHaveLength(1);
    });
  });

  if (ctx.backend === 'postgres') {
    it("answers nearest-neighbour SQL on the active view with the run's HNSW index", async () => {
      const db = ctx.db();
      const plan = await db.transaction(async (tx) => {
        // A 150-movie run with statistics (activation ANALYZEs) is otherwise read through its
        // primary key and sorted: the SQL guide's demo recipe turns both off.
        await tx.exec('SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off');
        return explainActiveMovieNeighbours(tx, first.weights.movieFactors.subarray(0, 8), 5);
      });
      expect(plan).toMatch(new RegExp(`Index Scan using movie_embeddings_hnsw_run_${first.runId}`));
    });
  }

  it('a failing run leaves the previous active run untouched and is marked failed', async () => {
    const db = ctx.db();
    await expect(
      runTraining(
        { factors: 8, epochs: 1, threads: 1, engine: 'native' },
        {
          db,
          log: quiet,
          onPhase: (phase) => {
            if (phase === 'embeddings-written') throw new Error('disk full (simulated)');
          },
        },
      ),
    ).rejects.toThrow('disk full');
    const active = await getActiveModelRun(db);
    expect(active!.id).toBe(first.runId);
    const failed = await db.query<{ id: number; status: string }>('SELECT id, status FROM model_runs WHERE id > $1', [first.runId]);
    expect(failed.map((r) => r.status)).toEqual(['failed']);
    expect(await countRunEmbeddings(db, first.runId)).toEqual({ movies: first.data.movieIds.length, users: first.data.userIds.length });
  }, 60_000);

  it("a new run with another dimension replaces the views and drops the old run's indexes", async () => {
    const db = ctx.db();
    const second = await runTraining({ factors: 4, epochs: 1, threads: 1, engine: 'native', onnxOut: undefined }, { db, log: quiet });
    expect((await getActiveModelRun(db))!.id).toBe(second.runId);
    expect((await getModelRun(db, first.runId))!.active).toBe(false);
    const [{ dims }] = await db.query<{ dims: number }>('SELECT vector_dims(embedding) AS dims FROM active_movie_embeddings LIMIT 1');
    expect(dims).toBe(4);
    const idx = await db.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE indexname LIKE '%hnsw_run_%' ORDER BY indexname",
    );
    expect(idx.map((r) => r.indexname)).toEqual([
      `movie_audience_hnsw_run_${second.runId}`,
      `movie_blend_hnsw_run_${second.runId}`,
      `movie_embeddings_hnsw_run_${second.runId}`,
      `user_embeddings_hnsw_run_${second.runId}`,
    ]);
    // The old run's rows are kept.
    expect((await countRunEmbeddings(db, first.runId)).movies).toBe(first.data.movieIds.length);
  }, 60_000);

  it('says what to do when no dataset is active', async () => {
    const db = ctx.db();
    await db.query('UPDATE datasets SET active = false');
    await expect(runTraining({ epochs: 1, engine: 'native' }, { db, log: quiet })).rejects.toThrow(/No active dataset.*npm run ingest/);
    await db.query("UPDATE datasets SET active = true WHERE source = 'planted'");
  });
});
