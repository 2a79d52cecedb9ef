// Given the seed catalogue on each backend: the SQL key function equals titleKey()
// (table + random strings), resolve_title() answers the resolution table, and the
// analysts' similar_movies() equals an independent exact cosine computed here.
import fc from 'fast-check';
import { DEFAULT_MIN_RATING_COUNT, MOVIELENS_TITLE_EXAMPLES, TITLE_KEY_FOLDS, TITLE_KEY_MULTI_FOLDS, titleKey } from '@cinemap/domain';
import { describeEachBackend } from '@cinemap/db/testing';
import { seedGatewayFixture, SeedResult, SEED_TITLES, RESOLUTION_TABLE } from '../testing/seed';
import {
  appreciatedMovies,
  getServedModelRun,
  loadRunMovies,
  pcaProjection,
  resolveTitle,
  searchMovies,
  explainSimilarMoviesAnn,
  similarMoviesAnn,
  similarMoviesExact,
  similarMoviesFunction,
  sqlTitleKeys,
  titleSuggestions,
} from './gateway';
import { createRunEmbeddingIndexes } from './trainer';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';


describeEachBackend('gateway queries', (ctx) => {
  let seed: SeedResult;
  let runId: number;
  const idOf = (title: string) => seed.movies.find((m) => m.title === title)!.movieId;
  beforeAll(async () => {
    seed = await seedGatewayFixture(ctx.db(), { fillers: 120 });
    runId = seed.runId;
  }, 60_000);

  it('computes in SQL the same key as titleKey() on the domain table, the seed titles and the fold data', async () => {
    const texts = [
      ...MOVIELENS_TITLE_EXAMPLES.map((e) => e[0]),
      ...SEED_TITLES.map((t) => t[0]),
      ...TITLE_KEY_FOLDS.map(([f]) => `x${f}y Z`),
      ...TITLE_KEY_MULTI_FOLDS.map(([f]) => `The ${f}x`),
      ...RESOLUTION_TABLE.map((r) => r[0]),
    ];
    expect(await sqlTitleKeys(ctx.db(), texts)).toEqual(texts.map(titleKey));
  });

  it('computes in SQL the same key as titleKey() on random strings', async () => {
    const alphabet = [...TITLE_KEY_FOLDS.map(([f]) => f), ...TITLE_KEY_MULTI_FOLDS.map(([f]) => f), 'a', 'b', ' ', 'the ', ' la', '東', 'ß'];
    const arb = fc.array(fc.constantFrom(...alphabet), { maxLength: 24 }).map((xs) => xs.join(''));
    const samples = fc.sample(fc.oneof(arb, fc.string({ unit: 'binary', maxLength: 20 }).map((s) => s.replace(/\0/g, ''))), { numRuns: 400, seed: 42 });
    expect(await sqlTitleKeys(ctx.db(), samples)).toEqual(samples.map(titleKey));
  });

  it.each(RESOLUTION_TABLE)('resolve_title(%j) finds %j', async (typed, expected) => {
    const id = await resolveTitle(ctx.db(), typed);
    expect(id === null ? null : seed.movies.find((m) => m.movieId === id)!.title).toBe(expected);
  });

  it('answers approximate neighbours through the run\'s HNSW index, and so does the SQL guide\'s query', async () => {
    const db = ctx.db();
    await createRunEmbeddingIndexes(db, runId, seed.dim);
    const matrix = idOf('Matrix, The (1999)');
    const ann = await similarMoviesAnn(db, runId, matrix, seed.dim, 5);
    const exact = await similarMoviesExact(db, runId, matrix, 5, { minRatingCount: 0 });
    expect(ann.map((r) => r.movieId)).not.toContain(matrix);
    // A small catalogue: HNSW finds the exact answer.
    expect(ann.map((r) => r.movieId)).toEqual(exact.map((r) => r.movieId));
    if (ctx.backend !== 'postgres') return;
    // The documented ad-hoc query, verbatim from docs/sql-guide.md.
    const guide = readFileSync(join(__dirname, '../../../../docs/sql-guide.md'), 'utf8');
    const adHoc = /SELECT m\.title, 1 - \(e\.embedding <=>[\s\S]*?LIMIT 11;/.exec(guide)![0];
    await db.transaction(async (tx) => {
      // The seed is small: without this the planner rightly prefers a scan; the test is that the index CAN serve.
      await tx.exec('SET LOCAL enable_seqscan = off');
      expect(await explainSimilarMoviesAnn(tx, runId, matrix, seed.dim, 5)).toMatch(/Index Scan using movie_embeddings_hnsw_run_/);
      const plan = (await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${adHoc.replace(/;$/, '')}`)).map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index Scan using movie_embeddings_hnsw_run_/);
      expect(plan).not.toMatch(/Sort Key/);
    });
  });

  it('suggests up to 5 close titles for an unknown one', async () => {
    const s = await titleSuggestions(ctx.db(), 'Matrx');
    expect(s.length).toBeGreaterThan(0);
    expect(s.length).toBeLessThanOrEqual(5);
    expect(s[0].title).toBe('Matrix, The (1999)');
    expect(await titleSuggestions(ctx.db(), 'zzqqxx')).toEqual([]);
  });

  it('similar_movies() equals an exact cosine computed in TypeScript, floor applied and query excluded', async () => {
    const movies = await loadRunMovies(ctx.db(), runId);
    const q = movies.find((m) => m.title === 'Matrix, The (1999)')!;
    const cos = (a: Float32Array, b: Float32Array) => {
      let d = 0, na = 0, nb = 0;
      for (let i = 0; i < a.length; i++) (d += a[i] * b[i]), (na += a[i] * a[i]), (nb += b[i] * b[i]);
      return d / Math.sqrt(na * nb);
    };
    const expected = movies
      .filter((m) => m.movieId !== q.movieId && m.ratingCount >= DEFAULT_MIN_RATING_COUNT)
      .map((m) => ({ movieId: m.movieId, similarity: cos(q.embedding, m.embedding) }))
      .sort((a, b) => b.similarity - a.similarity || a.movieId - b.movieId)
      .slice(0, 15);
    const got = await similarMoviesFunction(ctx.db(), 'the matrix', 15);
    expect(got.map((r) => r.movieId)).toEqual(expected.map((r) => r.movieId));
    got.forEach((r, i) => expect(r.similarity).toBeCloseTo(expected[i].similarity, 5));
    const exact = await similarMoviesExact(ctx.db(), runId, q.movieId, 15);
    expect(exact.map((r) => r.movieId)).toEqual(expected.map((r) => r.movieId));
    expect(await similarMoviesFunction(ctx.db(), 'no such film at all', 5)).toEqual([]);
  });

  it('filters lists: genres any-of, excluded genres, years, average, rating-count floor', async () => {
    const f = { genres: ['Drama', 'War'], excludeGenres: ['Crime'], yearFrom: 1960, yearTo: 2000, minAverageRating: 3, minRatingCount: 0 };
    const rows = await appreciatedMovies(ctx.db(), runId, 'most', 1000, f);
    expect(rows.length).toBeGreaterThan(3);
    for (const m of rows) {
      expect(m.genres.some((g) => g === 'Drama' || g === 'War')).toBe(true);
      expect(m.genres).not.toContain('Crime');
      expect(m.year! >= 1960 && m.year! <= 2000).toBe(true);
      expect(m.averageRating).toBeGreaterThanOrEqual(3);
    }
    const biases = rows.map((r) => r.bias!);
    expect([...biases].sort((a, b) => b - a)).toEqual(biases);
    const least = await appreciatedMovies(ctx.db(), runId, 'least', 5);
    expect(least.every((m) => m.ratingCount >= DEFAULT_MIN_RATING_COUNT)).toBe(true);
    expect(least[0].bias!).toBeLessThanOrEqual(least[4].bias!);
  });

  it('projects most-rated first and searches by prefix and trigram', async () => {
    const p = await pcaProjection(ctx.db(), runId, 5);
    expect(p.map((r) => r.title)[0]).toBe('Shawshank Redemption, The (1994)');
    expect(typeof p[0].x).toBe('number');
    const s = await searchMovies(ctx.db(), 'matri', 5, runId);
    expect(s.map((m) => m.title).slice(0, 2)).toEqual(['Matrix, The (1999)', 'Matrix Reloaded, The (2003)']);
    expect((await searchMovies(ctx.db(), 'Godfater', 5, runId)).map((m) => m.title)).toContain('Godfather, The (1972)');
    expect(idOf('Matrix, The (1999)')).toBe(1);
    expect((await getServedModelRun(ctx.db()))!.id).toBe(runId);
  });
});
