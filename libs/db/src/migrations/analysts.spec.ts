// Given the seeded catalogue and an active run on each backend, when an analyst uses the
// SQL of migrations 600-603, then: cinemap's functions live in schema `cinemap` (none
// left in public beside the extensions'), callable unqualified; lookups of a title that
// resolves to nothing raise MOVIE_NOT_FOUND with suggestions instead of answering no rows
// or NULL vectors; similar_movies() is one function (basis third, as migration 401's) and
// checks its named arguments as GraphQL does; title_embedding() answers each basis; every
// table, column, view and function has a comment, also after an activation re-creates
// the views and an ingest swaps ratings in; ratings has its key.
import { describeEachBackend, seedGatewayFixture, seedModelRun, type SeedResult } from '../testing';
import { createIngestStaging, copyStagedRatings, copyStagedTags, swapStagedTables } from '../index';

/** Objects of public and cinemap without a comment, as "kind name" (extension members excluded). */
const UNCOMMENTED = `
  SELECT 'table ' || c.relname AS what FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'p') AND obj_description(c.oid, 'pg_class') IS NULL
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 'column ' || c.relname || '.' || a.attname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'p') AND col_description(c.oid, a.attnum) IS NULL
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname IN ('public', 'cinemap') AND obj_description(p.oid, 'pg_proc') IS NULL
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  ORDER BY 1`;

describeEachBackend("analysts' schema (migrations 600-603)", (ctx) => {
  let seed: SeedResult;
  beforeAll(async () => {
    seed = await seedGatewayFixture(ctx.db(), { fillers: 40, audienceDim: 4 });
  }, 60_000);

  const errorOf = async (sql: string, params: unknown[] = []) => {
    try {
      await ctx.db().query(sql, params);
    } catch (e) {
      return e as Error & { code?: string; hint?: string };
    }
    throw new Error(`no error from ${sql}`);
  };

  it('leaves no cinemap function in public: they are in schema cinemap, reachable unqualified and qualified', async () => {
    const own = await ctx.db().query<{ name: string }>(
      `SELECT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')`,
    );
    expect(own).toEqual([]);
    const names = await ctx
      .db()
      .query<{ name: string }>(
        `SELECT DISTINCT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'cinemap' ORDER BY 1`,
      );
    expect(names.map((n) => n.name)).toEqual(
      expect.arrayContaining([
        'resolve_title',
        'require_title',
        'similar_movies',
        'title_embedding',
        'title_suggestions',
        'cinemap_title_key',
      ]),
    );
    const [r] = await ctx.db().query<{ a: number; b: number }>(`SELECT resolve_title('matrix') AS a, cinemap.resolve_title('matrix') AS b`);
    expect(r).toEqual({ a: 1, b: 1 });
  });

  it('functions answer the same whatever the caller searches, temporary tables included (their own search_path is fixed, pg_temp last)', async () => {
    const db = ctx.db();
    const expected = await db.query('SELECT movie_id FROM cinemap.similar_movies($1, 5)', ['The Matrix']);
    await db.transaction(async (tx) => {
      await tx.exec('SET LOCAL search_path = pg_catalog');
      expect(await tx.query('SELECT movie_id FROM cinemap.similar_movies($1, 5)', ['The Matrix'])).toEqual(expected);
      // An empty temporary run_movies (a psql client's, on PGlite's shared session) shadows nothing.
      await tx.exec(
        'CREATE TEMP TABLE run_movies (LIKE public.run_movies) ON COMMIT DROP; CREATE TEMP TABLE movies (LIKE public.movies) ON COMMIT DROP',
      );
      await tx.exec('SET LOCAL search_path = pg_temp, public, cinemap');
      expect(await tx.query('SELECT movie_id FROM cinemap.similar_movies($1, 5)', ['The Matrix'])).toEqual(expected);
      expect(await tx.query(`SELECT cinemap.resolve_title('matrix') AS id`)).toEqual([{ id: 1 }]);
    });
  });

  it.each([
    ['similar_movies', `SELECT * FROM similar_movies('Matrx')`],
    ['require_title', `SELECT require_title('Matrx')`],
    ['title_embedding (the HNSW query of the guide)', `SELECT title_embedding('Matrx')`],
  ])('%s: an unresolved title raises MOVIE_NOT_FOUND with suggestions, never no rows or NULL', async (_name, sql) => {
    const e = await errorOf(sql);
    expect(e.code).toBe('P0002');
    expect(e.message).toMatch(/^Movie "Matrx" not found \(MOVIE_NOT_FOUND\); did you mean 'Matrix, The \(1999\)'\?$/);
    expect(e.hint).toMatch(/title_suggestions/);
  });

  it('a title with nothing close says so; NULL is an error too', async () => {
    expect((await errorOf(`SELECT require_title('qqqqzzzz')`)).message).toBe('Movie "qqqqzzzz" not found (MOVIE_NOT_FOUND)');
    expect((await errorOf(`SELECT * FROM similar_movies(NULL)`)).message).toMatch(/^title is NULL/);
  });

  it('a movie in the catalogue but not in the model is MOVIE_NOT_IN_MODEL', async () => {
    await ctx.db().query('DELETE FROM movie_embeddings WHERE run_id = $1 AND movie_id = 1000', [seed.runId]);
    const e = await errorOf(`SELECT title_embedding($1)`, [seed.movies.find((m) => m.movieId === 1000)!.title]);
    expect(e.message).toMatch(/is in the catalogue but not in the active model \(run \d+\).*MOVIE_NOT_IN_MODEL/);
  });

  it.each([
    [`k => 0`, 'k must be a whole number from 1 to 100 (got 0)'],
    [`k => 101`, 'k must be a whole number from 1 to 100 (got 101)'],
    [`year_from => 1999, year_to => 1990`, 'year_from (1999) is after year_to (1990); swap them'],
    [`year_from => 1700`, 'year_from must be a whole number from 1800 to 2200 (got 1700)'],
    [`min_avg_rating => 6`, 'min_avg_rating must be a number from 0 to 5 (got 6)'],
    [`min_rating_count => -1`, 'min_rating_count must be a whole number from 0 (got -1)'],
    [`genres => ARRAY['Dramaa']`, 'genres: unknown genre "Dramaa"; known genres: Action, Adventure,'],
    [`exclude_genres => ARRAY['x', 'Drama']`, 'exclude_genres: unknown genre "x"; known genres:'],
    [`basis => 'colour'`, "basis must be 'taste', 'audience' or 'blend', got 'colour'"],
    [`10, NULL`, "basis must be 'taste', 'audience' or 'blend', got NULL"],
    [`k => 0, basis => 'x'`, "k must be a whole number from 1 to 100 (got 0); basis must be 'taste', 'audience' or 'blend', got 'x'"],
  ])('similar_movies(…, %s) is refused naming the argument', async (args, message) => {
    const e = await errorOf(`SELECT * FROM similar_movies('The Matrix', ${args})`);
    expect(e.code).toBe('22023');
    expect(e.message).toContain(message);
  });

  it("is one function: the basis third (migration 401's calls), or named beside the filters; 'blend' by default", async () => {
    const db = ctx.db();
    const overloads = await db.query<{ f: string }>(
      `SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS f
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname = 'similar_movies'`,
    );
    expect(overloads.map((o) => o.f)).toEqual([
      'cinemap.similar_movies(title text, k integer, basis text, genres text[], exclude_genres text[], year_from integer, year_to integer, min_avg_rating real, min_rating_count integer)',
    ]);
    const ids = async (sql: string) => (await db.query<{ movie_id: number }>(sql)).map((r) => r.movie_id);
    const taste = await ids(`SELECT movie_id FROM similar_movies('The Matrix', 10, 'taste')`);
    expect(await ids(`SELECT movie_id FROM similar_movies('The Matrix', basis => 'TASTE', k => 10)`)).toEqual(taste);
    const blend = await ids(`SELECT movie_id FROM similar_movies('The Matrix', 10)`);
    expect(await ids(`SELECT movie_id FROM similar_movies('The Matrix', 10, 'blend')`)).toEqual(blend);
    expect(blend).not.toEqual(taste);
    const audience = await ids(`SELECT movie_id FROM similar_movies('The Matrix', 10, 'audience', min_rating_count => 0)`);
    expect(audience).toHaveLength(10);
  });

  it('title_embedding(title, basis) is the row of that basis view; audience/blend of a run without them is an error', async () => {
    const db = ctx.db();
    for (const [basis, view] of [
      ['taste', 'active_movie_embeddings'],
      ['audience', 'active_audience_embeddings'],
      ['blend', 'active_blend_embeddings'],
    ]) {
      const [r] = await db.query<{ same: boolean }>(
        `SELECT (SELECT title_embedding('The Matrix', '${basis}'))::text = e.embedding::text AS same FROM ${view} e WHERE e.movie_id = resolve_title('The Matrix')`,
      );
      expect(r).toEqual({ same: true });
    }
    expect((await errorOf(`SELECT title_embedding('The Matrix', 'colour')`)).message).toMatch(
      /^basis must be 'taste', 'audience' or 'blend', got 'colour'/,
    );
    await db
      .transaction(async (tx) => {
        await tx.query('DELETE FROM movie_audience_embeddings WHERE run_id = $1', [seed.runId]);
        const e = await tx.query(`SELECT title_embedding('The Matrix', 'blend')`).then(
          () => null,
          (err: Error) => err,
        );
        expect(e?.message).toMatch(/^The active run \d+ has no blend vectors .*active_blend_embeddings is empty/);
        throw Object.assign(new Error('rollback'), { rollback: true });
      })
      .catch((e: { rollback?: boolean }) => {
        if (!e.rollback) throw e;
      });
  });

  it("named filters hold on every row; loose genre spelling is GraphQL's", async () => {
    const rows = await ctx
      .db()
      .query<{ movie_id: number; year: number }>(
        `SELECT s.movie_id, s.year FROM similar_movies('The Matrix', 30, genres => ARRAY['sci fi', 'DRAMA'], year_from => 1960, min_rating_count => 0) s`,
      );
    expect(rows.length).toBeGreaterThan(3);
    for (const r of rows) {
      const m = seed.movies.find((x) => x.movieId === r.movie_id)!;
      expect(m.genres.some((g) => g === 'Sci-Fi' || g === 'Drama')).toBe(true);
      expect(r.year).toBeGreaterThanOrEqual(1960);
    }
  });

  it('no active run is NO_ACTIVE_MODEL, not an empty answer', async () => {
    const db = ctx.db();
    await db
      .transaction(async (tx) => {
        await tx.exec('UPDATE model_runs SET active = false');
        const e = await tx.query(`SELECT * FROM similar_movies('The Matrix')`).then(
          () => null,
          (err: Error) => err,
        );
        expect(e?.message).toMatch(/No model run is active yet \(NO_ACTIVE_MODEL\)/);
        throw Object.assign(new Error('rollback'), { rollback: true });
      })
      .catch((e: { rollback?: boolean }) => {
        if (!e.rollback) throw e;
      });
  });

  it('every table, column, view and function has a comment, also after an activation and an ingest swap', async () => {
    const db = ctx.db();
    expect((await db.query<{ what: string }>(UNCOMMENTED)).map((r) => r.what)).toEqual([]);
    // Planted: a new table without comments is caught.
    await db.exec('CREATE TABLE analysts_planted (x int)');
    expect((await db.query<{ what: string }>(UNCOMMENTED)).map((r) => r.what)).toEqual([
      'column analysts_planted.x',
      'table analysts_planted',
    ]);
    await db.exec('DROP TABLE analysts_planted');
    // An activation with another dimension drops and re-creates the views.
    await seedModelRun(db, { ...seed, dim: 6 }, { seed: 5 });
    await db.transaction(async (tx) => {
      await createIngestStaging(tx);
      await copyStagedRatings(tx, ['1,1,4.5,2001-01-01T00:00:00Z\n']);
      await copyStagedTags(tx, ['1,1,classic,2001-01-01T00:00:00Z\n']);
      await swapStagedTables(tx);
    });
    expect((await db.query<{ what: string }>(UNCOMMENTED)).map((r) => r.what)).toEqual([]);
    const [c] = await db.query<{ c: string }>(`SELECT obj_description('ratings'::regclass, 'pg_class') AS c`);
    expect(c.c).toMatch(/^Every valid rating/);
  });

  it('ratings has its primary key and movie index, with the same names after an ingest swap', async () => {
    const db = ctx.db();
    const idx = await db.query<{ name: string }>(
      `SELECT indexname AS name FROM pg_indexes WHERE tablename IN ('ratings', 'tags') ORDER BY 1`,
    );
    expect(idx.map((i) => i.name)).toEqual(['ratings_movie_id_idx', 'ratings_pkey', 'tags_movie_id_idx']);
    await expect(db.query(`INSERT INTO ratings (user_id, movie_id, rating, rated_at) VALUES (1, 1, 3, now())`)).rejects.toMatchObject({
      code: '23505',
    });
  });
});
