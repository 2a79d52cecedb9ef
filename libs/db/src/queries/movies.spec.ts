// Given the seed catalogue and run on each backend: the run's HNSW index answers (and
// serves the SQL guide's ad-hoc query), the analysts' similar_movies() and the exact
// neighbour query equal an independent exact cosine computed here, and the movie lists
// filter, order and search as the API promises.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MIN_RATING_COUNT } from '@cinemap/domain';
import { cosine as cos } from '@cinemap/math';
import { describeEachBackend } from '../testing';
import { explainSimilarMoviesAnn, similarMoviesFunction } from '../testing/queries';
import { seedGatewayFixture, type SeedResult } from '../testing/seed';
import { createRunEmbeddingIndexes, similarMoviesAnn } from './embedding-indexes';
import { getServedModelRun } from './model-runs';
import { parseVector } from '../db';
import {
  appreciatedMovies,
  countRunMovieVectors,
  forEachRunMovie,
  loadRunMovies,
  parseVectorInto,
  pcaProjection,
  searchMovies,
  similarMoviesExact,
  type RunMovieRow,
} from './movies';

describeEachBackend('movie queries', (ctx) => {
  let seed: SeedResult;
  let runId: number;
  const idOf = (title: string) => seed.movies.find((m) => m.title === title)!.movieId;
  beforeAll(async () => {
    seed = await seedGatewayFixture(ctx.db(), { fillers: 120 });
    runId = seed.runId;
  }, 60_000);

  it("answers approximate neighbours through the run's HNSW index, and so does the SQL guide's query", async () => {
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
      // (and with statistics it prefers a bitmap scan of the primary key + sort: the guide's recipe turns both off).
      await tx.exec('SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off');
      expect(await explainSimilarMoviesAnn(tx, runId, matrix, seed.dim, 5)).toMatch(/Index Scan using movie_embeddings_hnsw_run_/);
      const plan = (await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${adHoc.replace(/;$/, '')}`)).map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index Scan using movie_embeddings_hnsw_run_/);
      expect(plan).not.toMatch(/Sort Key/);
    });
  });

  it('similar_movies() equals an exact cosine computed in TypeScript, floor applied and query excluded', async () => {
    const movies = await loadRunMovies(ctx.db(), runId);
    const q = movies.find((m) => m.title === 'Matrix, The (1999)')!;
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
    // An unknown title is an error, never an empty answer that looks like "no neighbours".
    await expect(similarMoviesFunction(ctx.db(), 'no such film at all', 5)).rejects.toThrow(
      /Movie "no such film at all" not found \(MOVIE_NOT_FOUND\)/,
    );
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

  it('reads page by page (forEachRunMovie) exactly the rows loadRunMovies reads, and counts them', async () => {
    const db = ctx.db();
    const whole = await loadRunMovies(db, runId);
    const paged: RunMovieRow[] = [];
    let buffer: Float32Array | null = null;
    const visited = await forEachRunMovie(
      db,
      runId,
      (r) => {
        buffer ??= r.embedding;
        expect(r.embedding).toBe(buffer); // one buffer, reused: copy what you keep
        paged.push({ ...r, embedding: Float32Array.from(r.embedding) });
      },
      7,
    );
    expect(visited).toBe(whole.length);
    expect(await countRunMovieVectors(db, runId)).toBe(whole.length);
    expect(paged).toEqual(whole);
    expect(paged.map((r) => Array.from(r.embedding))).toEqual(whole.map((r) => Array.from(r.embedding)));
    expect(await forEachRunMovie(db, 987654, () => {})).toBe(0);
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

describe('parseVectorInto', () => {
  it.each([['[1,0.5,-2]'], ['[0.1,-3.4028235e+38,1e-45,7]'], ['  [1, 2 ,3] '], ['[]'], ['['], [']'], [''], ['[1,,2]'], ['[]]'], ['1,2']])(
    'parses %j as parseVector does',
    (text) => {
      const want = Array.from(parseVector(text));
      expect(Array.from(parseVectorInto(text, new Float32Array(0)))).toEqual(want);
      expect(Array.from(parseVectorInto(text, new Float32Array(want.length)))).toEqual(want);
    },
  );

  it('writes into the buffer given when the length fits, else into a new one', () => {
    const buf = new Float32Array(3);
    expect(parseVectorInto('[1,2,3]', buf)).toBe(buf);
    expect(Array.from(buf)).toEqual([1, 2, 3]);
    const other = parseVectorInto('[4,5]', buf);
    expect(other).not.toBe(buf);
    expect(Array.from(other)).toEqual([4, 5]);
  });
});
