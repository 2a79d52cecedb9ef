// Given a seeded run on each backend (which writes its lists as the trainer does): the
// lists read back as written, equal to pgvector's exact cosine order; the table refuses
// an unknown basis and misaligned arrays; the active view follows activation; lists go
// with their run; analysts can read them.
import { describeEachBackend } from '../testing';
import { seedGatewayFixture, seedModelRun, type SeedResult } from '../testing/seed';
import { copyMovieNeighbours, forEachMovieNeighbours, loadMovieNeighbourIds, movieNeighboursBytes } from './movie-neighbours';
import { similarMoviesExact } from './movies';

describeEachBackend('movie_neighbours', (ctx) => {
  let seed: SeedResult;
  beforeAll(async () => {
    seed = await seedGatewayFixture(ctx.db(), { fillers: 120 });
  }, 60_000);

  it('holds every film of the run, each list in exact cosine order (pgvector agrees)', async () => {
    const lists = await loadMovieNeighbourIds(ctx.db(), seed.runId, 'taste');
    expect(lists.map((l) => l.movieId)).toEqual(seed.movies.map((m) => m.movieId).sort((a, b) => a - b));
    expect(new Set(lists.map((l) => l.neighbourIds.length))).toEqual(new Set([100]));
    for (const id of [1, 2, 1005, 1100]) {
      const exact = await similarMoviesExact(ctx.db(), seed.runId, id, 100, { minRatingCount: 0 });
      expect(lists.find((l) => l.movieId === id)!.neighbourIds).toEqual(exact.map((r) => r.movieId));
    }
    const [row] = await ctx
      .db()
      .query<{ n: number; first: number }>(
        `SELECT cardinality(similarities) AS n, similarities[1]::float8 AS first FROM movie_neighbours WHERE run_id = $1 AND movie_id = 1`,
        [seed.runId],
      );
    expect(row.n).toBe(100);
    expect(row.first).toBeGreaterThan(0);
    expect(await movieNeighboursBytes(ctx.db())).toBeGreaterThan(0);
  });

  it('reads page by page exactly what one page reads (keyset on movie id), empty and negative-free lists alike', async () => {
    const db = ctx.db();
    const whole = await loadMovieNeighbourIds(db, seed.runId, 'taste');
    const paged: { movieId: number; neighbourIds: number[] }[] = [];
    const films = await forEachMovieNeighbours(
      db,
      seed.runId,
      'taste',
      (movieId, ids, len) => paged.push({ movieId, neighbourIds: Array.from(ids.subarray(0, len)) }),
      7,
    );
    expect(films).toBe(whole.length);
    expect(paged).toEqual(whole);
    await copyMovieNeighbours(db, seed.runId, 'blend', [
      { movieId: 1, neighbourIds: [], similarities: [] },
      { movieId: 2, neighbourIds: [1, 1000, 1001], similarities: [0.5, 0.25, -0.125] },
    ]);
    expect(await loadMovieNeighbourIds(db, seed.runId, 'blend')).toEqual([
      { movieId: 1, neighbourIds: [] },
      { movieId: 2, neighbourIds: [1, 1000, 1001] },
    ]);
  });

  it('refuses an unknown basis (in TypeScript and in the table) and arrays of different lengths', async () => {
    const db = ctx.db();
    await expect(copyMovieNeighbours(db, seed.runId, 'tatse' as 'taste', [])).rejects.toThrow(
      /basis must be one of taste, audience, blend, got "tatse"/,
    );
    await expect(db.query(`INSERT INTO movie_neighbours VALUES ($1, 'tatse', 1, '{2}', '{0.5}')`, [seed.runId])).rejects.toThrow(
      /check constraint/,
    );
    await expect(db.query(`INSERT INTO movie_neighbours VALUES ($1, 'audience', 1, '{2,3}', '{0.5}')`, [seed.runId])).rejects.toThrow(
      /check constraint/,
    );
    await expect(
      copyMovieNeighbours(db, seed.runId, 'audience', [{ movieId: 1, neighbourIds: [2, 3], similarities: [0.5] }]),
    ).rejects.toThrow(/film 1 has 2 ids but 1 similarities/);
    expect(await loadMovieNeighbourIds(db, seed.runId, 'audience')).toEqual([]);
  });

  it('shows the active run in active_movie_neighbours, to analysts too; lists go with a deleted run', async () => {
    const db = ctx.db();
    const other = await seedModelRun(db, seed, { seed: 99, activate: false });
    const active = async () =>
      (await db.query<{ run_id: number }>(`SELECT DISTINCT run_id FROM active_movie_neighbours`)).map((r) => r.run_id);
    expect(await active()).toEqual([seed.runId]);
    await db.transaction(async (tx) => {
      await tx.exec('SET LOCAL ROLE cinemap_analyst');
      const [{ n }] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM active_movie_neighbours WHERE basis = 'taste'`);
      expect(n).toBe(seed.movies.length);
    });
    await db.query(`DELETE FROM model_runs WHERE id = $1`, [other]);
    const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM movie_neighbours WHERE run_id = $1`, [other]);
    expect(n).toBe(0);
  });
});
