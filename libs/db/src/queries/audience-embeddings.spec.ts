// Given the seed catalogue with audience vectors on each backend: similar_movies() in
// every basis equals an exact cosine computed here (floor applied, query excluded), the
// stored blend is blendRows() of the stored taste and audience vectors, the per-run HNSW
// indexes answer, activation points the views, and a run without audience vectors
// answers 'blend' as 'taste' and refuses 'audience' with a clear error.
import { DEFAULT_BLEND_WEIGHT, DEFAULT_MIN_RATING_COUNT } from '@cinemap/domain';
import { blendRows, cosine as cos } from '@cinemap/math';
import { describeEachBackend } from '../testing';
import { similarMoviesFunction } from '../testing/queries';
import { seedGatewayFixture, seedModelRun, type SeedResult } from '../testing/seed';
import { audienceDims, forEachRunAudience, loadRunAudience, loadRunBlend, similarMoviesAnnBasis } from './audience-embeddings';
import { activateModelRun } from './model-runs';
import { loadRunMovies } from './movies';

describeEachBackend('audience and blend vectors', (ctx) => {
  let seed: SeedResult;
  beforeAll(async () => {
    seed = await seedGatewayFixture(ctx.db(), { fillers: 120, audienceDim: 6 });
  }, 60_000);

  async function expectedNeighbours(basis: 'taste' | 'audience' | 'blend', title: string, k: number) {
    const db = ctx.db();
    const movies = await loadRunMovies(db, seed.runId);
    const vec =
      basis === 'taste'
        ? new Map(movies.map((m) => [m.movieId, m.embedding]))
        : basis === 'audience'
          ? await loadRunAudience(db, seed.runId)
          : await loadRunBlend(db, seed.runId);
    const q = movies.find((m) => m.title === title)!;
    return movies
      .filter((m) => m.movieId !== q.movieId && m.ratingCount >= DEFAULT_MIN_RATING_COUNT)
      .map((m) => ({ movieId: m.movieId, similarity: cos(vec.get(q.movieId)!, vec.get(m.movieId)!) }))
      .sort((a, b) => b.similarity - a.similarity || a.movieId - b.movieId)
      .slice(0, k);
  }

  it.each(['taste', 'audience', 'blend'] as const)('similar_movies(title, k, %s) equals an exact cosine computed here', async (basis) => {
    const expected = await expectedNeighbours(basis, 'Matrix, The (1999)', 12);
    const got = await similarMoviesFunction(ctx.db(), 'the matrix', 12, basis.toUpperCase());
    expect(got.map((r) => r.movieId)).toEqual(expected.map((r) => r.movieId));
    got.forEach((r, i) => expect(r.similarity).toBeCloseTo(expected[i].similarity, 5));
  });

  it("answers 'blend' by default, and the bases disagree (the test can tell them apart)", async () => {
    const byDefault = await similarMoviesFunction(ctx.db(), 'the matrix', 12);
    const blend = await similarMoviesFunction(ctx.db(), 'the matrix', 12, 'blend');
    const taste = await similarMoviesFunction(ctx.db(), 'the matrix', 12, 'taste');
    expect(byDefault).toEqual(blend);
    expect(taste.map((r) => r.movieId)).not.toEqual(blend.map((r) => r.movieId));
  });

  it('reads page by page (forEachRunAudience) exactly the vectors loadRunAudience reads', async () => {
    const db = ctx.db();
    const whole = await loadRunAudience(db, seed.runId);
    const paged = new Map<number, number[]>();
    const visited = await forEachRunAudience(db, seed.runId, (movieId, v) => paged.set(movieId, Array.from(v)), 7);
    expect(visited).toBe(whole.size);
    expect([...paged.keys()]).toEqual([...whole.keys()]);
    expect(paged).toEqual(new Map([...whole].map(([id, v]) => [id, Array.from(v)])));
  });

  it("stores the blend as blendRows(taste, audience, the run's weight)", async () => {
    const db = ctx.db();
    const movies = await loadRunMovies(db, seed.runId);
    const aud = await loadRunAudience(db, seed.runId);
    const blend = await loadRunBlend(db, seed.runId);
    const taste = Float32Array.from(movies.flatMap((m) => Array.from(m.embedding)));
    const audience = Float32Array.from(movies.flatMap((m) => Array.from(aud.get(m.movieId)!)));
    const expected = blendRows(taste, seed.dim, audience, 6, movies.length, DEFAULT_BLEND_WEIGHT);
    const d = seed.dim + 6;
    movies.forEach((m, i) => expect(Array.from(blend.get(m.movieId)!)).toEqual(Array.from(expected.subarray(i * d, (i + 1) * d))));
    expect(await audienceDims(db, seed.runId)).toEqual({ audience: 6, blend: d });
  });

  it("answers approximate neighbours through each basis's HNSW index", async () => {
    const matrix = seed.movies.find((m) => m.title === 'Matrix, The (1999)')!.movieId;
    for (const basis of ['audience', 'blend'] as const) {
      const ann = await similarMoviesAnnBasis(ctx.db(), seed.runId, basis, matrix, basis === 'audience' ? 6 : seed.dim + 6, 5);
      // no floor in the ANN query: compare with the exact answer over every movie
      const all = await loadRunMovies(ctx.db(), seed.runId);
      const vec = basis === 'audience' ? await loadRunAudience(ctx.db(), seed.runId) : await loadRunBlend(ctx.db(), seed.runId);
      const exactAll = all
        .filter((m) => m.movieId !== matrix)
        .map((m) => ({ movieId: m.movieId, s: cos(vec.get(matrix)!, vec.get(m.movieId)!) }))
        .sort((a, b) => b.s - a.s || a.movieId - b.movieId)
        .slice(0, 5);
      expect(ann.map((r) => r.movieId)).toEqual(exactAll.map((r) => r.movieId));
    }
  });

  it('points active_audience_embeddings and active_blend_embeddings at the active run', async () => {
    const rows = await ctx
      .db()
      .query<{ n: number; run: number; d: number }>(
        'SELECT count(*)::int AS n, min(run_id)::int AS run, min(vector_dims(embedding)) AS d FROM active_blend_embeddings',
      );
    expect(rows[0]).toEqual({ n: seed.movies.length, run: seed.runId, d: seed.dim + 6 });
    const aud = await ctx.db().query<{ d: number }>('SELECT min(vector_dims(embedding)) AS d FROM active_audience_embeddings');
    expect(aud[0].d).toBe(6);
  });

  it('rejects an unknown basis by name', async () => {
    await expect(similarMoviesFunction(ctx.db(), 'the matrix', 5, 'colour')).rejects.toThrow(
      /basis must be 'taste', 'audience' or 'blend', got 'colour'/,
    );
  });

  it("a run without audience vectors: 'blend' answers as 'taste', 'audience' is refused; the views empty", async () => {
    const db = ctx.db();
    const old = await seedModelRun(db, { ...seed, audienceDim: 0 }, { seed: 99 });
    try {
      const taste = await similarMoviesFunction(db, 'the matrix', 8, 'taste');
      expect(taste.length).toBe(8);
      expect(await similarMoviesFunction(db, 'the matrix', 8)).toEqual(taste);
      await expect(similarMoviesFunction(db, 'the matrix', 8, 'audience')).rejects.toThrow(/has no audience vectors .*train a new run/);
      const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM active_audience_embeddings');
      expect(n).toBe(0);
    } finally {
      await activateModelRun(db, seed.runId, seed.dim);
    }
    expect(old).toBeGreaterThan(seed.runId);
  });
});
