// Given the seed catalogue and an active run with audience vectors on each backend, when
// the same question is asked of GraphQL similarMovies(title, k, filter, basis) and of the
// analysts' SQL similar_movies(title, k, basis => …, genres => …, …), then both answer the
// same movies in the same order in every basis (BLEND the default of both), similarities
// equal to the stated precision (1e-6: pgvector sums in float32, the gateway in float64,
// over the same float32 vectors), and both refuse the same bad input (unknown title with
// the same suggestions, k out of range, unknown genre, years swapped, AUDIENCE on a run
// trained before audience vectors).
import 'reflect-metadata';
import pino from 'pino';
import { describeEachBackend, seedGatewayFixture, seedModelRun, type SeedResult } from '@cinemap/db/testing';
import { startGateway, type Gateway } from './index';

/** docs/sql-guide.md "Precision": SQL and GraphQL similarities differ by less than this. */
const PRECISION = 1e-6;

type Filter = {
  genres?: readonly string[];
  excludeGenres?: readonly string[];
  yearFrom?: number;
  yearTo?: number;
  minAverageRating?: number;
  minRatingCount?: number;
};
type Basis = 'TASTE' | 'AUDIENCE' | 'BLEND';
type Gql = { data?: Record<string, any>; errors?: { message: string; extensions?: Record<string, any> }[] };

const SQL_ARG: Record<keyof Filter, [name: string, cast: string]> = {
  genres: ['genres', 'text[]'],
  excludeGenres: ['exclude_genres', 'text[]'],
  yearFrom: ['year_from', 'integer'],
  yearTo: ['year_to', 'integer'],
  minAverageRating: ['min_avg_rating', 'real'],
  minRatingCount: ['min_rating_count', 'integer'],
};

/** The SQL call an analyst would write for the same question, with its parameters. */
function sqlCall(title: string, k: number | null, f: Filter, basis: Basis | null = null): { sql: string; params: unknown[] } {
  const params: unknown[] = [title];
  const args = ['$1'];
  if (k !== null) {
    params.push(k);
    args.push(`k => $${params.length}::integer`);
  }
  if (basis !== null) {
    params.push(basis.toLowerCase());
    args.push(`basis => $${params.length}::text`);
  }
  for (const [key, value] of Object.entries(f) as [keyof Filter, unknown][]) {
    params.push(value);
    args.push(`${SQL_ARG[key][0]} => $${params.length}::${SQL_ARG[key][1]}`);
  }
  return { sql: `SELECT movie_id AS id, similarity FROM similar_movies(${args.join(', ')})`, params };
}

/** name, title, k, filter, basis (null: not given, the default). */
const CASES: [string, string, number | null, Filter, Basis | null][] = [
  ['defaults', 'The Matrix', null, {}, null],
  ['k 25, bare title with year', 'Hamlet (1990)', 25, {}, null],
  ['genres any-of, loosely spelled', 'The Matrix', 20, { genres: ['war', 'HORROR', 'sci fi'] }, null],
  ['excluded genres', 'Mary Poppins', 30, { excludeGenres: ['Drama', 'Comedy'] }, null],
  ['year range', 'The Matrix', 15, { yearFrom: 1970, yearTo: 1995 }, null],
  ['min average rating', 'Filler Picture 042', 20, { minAverageRating: 3.5 }, null],
  ['floor raised', 'The Matrix', 10, { minRatingCount: 1000 }, null],
  ['floor off', 'The Matrix', 100, { minRatingCount: 0 }, null],
  [
    'all together',
    'Blade Runner',
    40,
    { genres: ['Action', 'Drama', 'Thriller'], excludeGenres: ['Romance'], yearFrom: 1960, minAverageRating: 2, minRatingCount: 50 },
    null,
  ],
  ['empty genre list is no constraint', 'The Matrix', 12, { genres: [] }, null],
  ['basis TASTE', 'The Matrix', 20, {}, 'TASTE'],
  ['basis AUDIENCE', 'Blade Runner', 20, {}, 'AUDIENCE'],
  ['basis BLEND, named', 'The Matrix', 20, {}, 'BLEND'],
  ['basis TASTE with filters', 'The Matrix', 30, { genres: ['Drama', 'sci-fi'], yearFrom: 1960, minRatingCount: 0 }, 'TASTE'],
  ['basis AUDIENCE with filters', 'Mary Poppins', 25, { excludeGenres: ['Comedy'], minAverageRating: 2.5 }, 'AUDIENCE'],
];

describeEachBackend('analysts SQL similar_movies() = GraphQL similarMovies', (ctx) => {
  let gw: Gateway;
  const post = async (query: string, variables: Record<string, unknown>) => {
    const res = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as Gql;
  };
  const SIMILAR = `query($t: String!, $k: Int, $f: MovieFilter, $b: SimilarityBasis) { similarMovies(title: $t, k: $k, filter: $f, basis: $b) { similarity movie { id } } }`;
  let seed: SeedResult;
  const sqlError = async (sql: string, params: unknown[]) =>
    ctx
      .db()
      .query(sql, params)
      .then(
        () => null,
        (e: Error) => e.message,
      );

  beforeAll(async () => {
    // 50 factors, the trainer's default: the float32 sums' error grows with the dimension.
    seed = await seedGatewayFixture(ctx.db(), { fillers: 200, dim: 50, audienceDim: 12 });
    gw = await startGateway({
      db: ctx.db(),
      port: 0,
      host: '127.0.0.1',
      log: pino({ level: 'silent' }),
      corsOrigins: [],
      introspection: false,
      development: false,
      statementTimeoutMs: 5000,
    });
  }, 90_000);
  afterAll(async () => {
    await gw?.close();
  });

  it.each(CASES)('%s: same movies, same order, similarities within 1e-6', async (_name, title, k, filter, basis) => {
    const g = await post(SIMILAR, { t: title, k, f: filter, b: basis ?? undefined });
    expect(g.errors).toBeUndefined();
    const { sql, params } = sqlCall(title, k, filter, basis);
    const s = await ctx.db().query<{ id: number; similarity: number }>(sql, params);
    const gql = g.data!.similarMovies as { similarity: number; movie: { id: number } }[];
    expect(gql.length).toBeGreaterThan(0);
    expect(s.map((r) => r.id)).toEqual(gql.map((r) => r.movie.id));
    const worst = Math.max(...s.map((r, i) => Math.abs(r.similarity - gql[i].similarity)));
    expect(worst).toBeLessThan(PRECISION);
  });

  it('the comparison catches a filter one side ignores (planted: the SQL call without its genres)', async () => {
    const g = await post(SIMILAR, { t: 'The Matrix', k: 20, f: { genres: ['War'] } });
    const { sql, params } = sqlCall('The Matrix', 20, {});
    const s = await ctx.db().query<{ id: number }>(sql, params);
    expect(s.map((r) => r.id)).not.toEqual((g.data!.similarMovies as { movie: { id: number } }[]).map((r) => r.movie.id));
  });

  it('the comparison catches a basis one side ignores (planted: the SQL call without its basis)', async () => {
    const g = await post(SIMILAR, { t: 'The Matrix', k: 20, b: 'TASTE' });
    const { sql, params } = sqlCall('The Matrix', 20, {});
    const s = await ctx.db().query<{ id: number }>(sql, params);
    expect(s.map((r) => r.id)).not.toEqual((g.data!.similarMovies as { movie: { id: number } }[]).map((r) => r.movie.id));
  });

  it('an unknown title: MOVIE_NOT_FOUND with the same suggestions', async () => {
    const g = await post(SIMILAR, { t: 'Matrx Reloded' });
    expect(g.errors![0].extensions!.code).toBe('MOVIE_NOT_FOUND');
    const suggestions = g.errors![0].extensions!.suggestions as string[];
    expect(suggestions.length).toBeGreaterThan(0);
    const message = await sqlError(`SELECT * FROM similar_movies($1)`, ['Matrx Reloded']);
    expect(message).toBe(
      `Movie "Matrx Reloded" not found (MOVIE_NOT_FOUND); did you mean ${suggestions.map((t) => `'${t.replace(/'/g, "''")}'`).join(', ')}?`,
    );
  });

  it.each([
    ['k above the limit', 'The Matrix', 101, {}, /k must be a whole number from 1 to 100 \(got 101\)/],
    ['k zero', 'The Matrix', 0, {}, /k must be a whole number from 1 to 100 \(got 0\)/],
    ['an unknown genre', 'The Matrix', 10, { genres: ['Dramedy'] }, /genres: unknown genre "Dramedy"; known genres: Action,/],
    [
      'years swapped',
      'The Matrix',
      10,
      { yearFrom: 2000, yearTo: 1990 },
      /year_?[fF]rom \(2000\) is after (filter\.)?year_?[tT]o \(1990\); swap them/,
    ],
    [
      'a minimum average above 5',
      'The Matrix',
      10,
      { minAverageRating: 5.5 },
      /min_?[aA]v(erage|g)_?[rR]ating must be a number from 0 to 5/,
    ],
  ] as const)('%s: both refuse, naming the argument', async (_name, title, k, filter, message) => {
    const g = await post(SIMILAR, { t: title, k, f: filter });
    expect(g.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(g.errors![0].message).toMatch(message);
    const { sql, params } = sqlCall(title, k, filter);
    expect(await sqlError(sql, params)).toMatch(message);
  });

  // Last: it activates another run.
  it('a run without audience vectors: both answer BLEND as TASTE and refuse AUDIENCE, naming the basis', async () => {
    await seedModelRun(ctx.db(), { ...seed, audienceDim: 0 }, { seed: 7 });
    await gw.store.reload();
    const taste = await post(SIMILAR, { t: 'The Matrix', k: 15, b: 'TASTE' });
    const blend = await post(SIMILAR, { t: 'The Matrix', k: 15 });
    const ids = (g: Gql) => (g.data!.similarMovies as { movie: { id: number } }[]).map((r) => r.movie.id);
    expect(ids(blend)).toEqual(ids(taste));
    const { sql, params } = sqlCall('The Matrix', 15, {});
    expect((await ctx.db().query<{ id: number }>(sql, params)).map((r) => r.id)).toEqual(ids(taste));
    const g = await post(SIMILAR, { t: 'The Matrix', b: 'AUDIENCE' });
    expect(g.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'basis' });
    const a = sqlCall('The Matrix', null, {}, 'AUDIENCE');
    expect(await sqlError(a.sql, a.params)).toMatch(/has no audience vectors \(trained before they existed\); train a new run/);
  });
});
