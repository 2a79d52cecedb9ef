// Given the seed catalogue and an active run on each backend, when the gateway serves
// on a free port, then every query answers over HTTP as the SQL reference does
// (similar_movies(), exact pgvector cosine), filters hold, errors carry their codes,
// and a hot swap under load changes answers with zero failed requests.
import 'reflect-metadata';
import pino from 'pino';
import { DEFAULT_MIN_RATING_COUNT } from '@cinemap/domain';
import { similarMoviesExact, appreciatedMovies, pcaProjection } from '@cinemap/db';
import {
  similarMoviesFunction,
  describeEachBackend,
  seedGatewayFixture,
  seedModelRun,
  loadRunWeights,
  RESOLUTION_TABLE,
  type SeedResult,
} from '@cinemap/db/testing';
import { predict } from '@cinemap/model';
import { foldInUser, sigmoidRange } from '@cinemap/math';
import { VISITOR_RIDGE_LAMBDA } from '@cinemap/domain';
import { startGateway, type Gateway } from './index';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getNamedType, isLeafType, isObjectType, parse, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import { gatewaySchema } from './graphql/schema';
import { DEFAULT_QUERY_LIMITS, measureOperations } from './graphql/query-limits.rule';

/** Every field of `type` (leaves, and objects' fields below, to `depth` levels), skipping fields that need arguments. */
function everyField(schema: GraphQLSchema, type: GraphQLNamedType, depth = 3): string {
  if (!isObjectType(type)) return '';
  const parts: string[] = [];
  for (const f of Object.values(type.getFields())) {
    if (f.args.some((a) => a.type.toString().endsWith('!'))) continue;
    const t = getNamedType(f.type);
    if (isLeafType(t)) parts.push(f.name);
    else if (depth > 1) parts.push(`${f.name} { ${everyField(schema, t, depth - 1)} }`);
  }
  return parts.join(' ');
}

/** The documented maxima: docs/graphql.md's Limits table, rows of (field, argument, most). */
function documentedLimits(): [string, string, number][] {
  const doc = readFileSync(join(__dirname, '../../../docs/graphql.md'), 'utf8');
  const rows = [...doc.matchAll(/^\s*\| (\w+) \| (\w+) \| (\d+) \|$/gm)].map((m) => [m[1], m[2], Number(m[3])] as [string, string, number]);
  expect(rows.length).toBeGreaterThan(10);
  return rows;
}

type Gql = { data?: Record<string, any>; errors?: { message: string; extensions?: Record<string, any> }[] };

const MOVIE = 'id title year genres ratingCount averageRating bias imdbUrl tmdbUrl';

describeEachBackend('gateway over HTTP', (ctx) => {
  let seed: SeedResult;
  let gw: Gateway;
  const post = async (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const res = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Gql };
  };
  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const r = await post(query, variables);
    if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
    return r.body.data!;
  };
  const errorOf = async (query: string, variables?: Record<string, unknown>) => {
    const r = await post(query, variables);
    expect(r.body.errors?.length).toBeGreaterThan(0);
    return r.body.errors![0];
  };
  const SIMILAR = `query($t: String!, $k: Int, $f: MovieFilter) { similarMovies(title: $t, k: $k, filter: $f) { similarity movie { ${MOVIE} } } }`;

  beforeAll(async () => {
    seed = await seedGatewayFixture(ctx.db(), { fillers: 200, outOfModel: true });
    gw = await startGateway({
      db: ctx.db(),
      port: 0,
      host: '127.0.0.1',
      log: pino({ level: process.env.GATEWAY_TEST_LOG ?? 'silent' }),
      corsOrigins: ['http://allowed.example'],
      introspection: false,
      development: false,
      statementTimeoutMs: 5000,
    });
  }, 90_000);
  afterAll(async () => {
    await gw?.close();
  });

  it("similarMovies answers exactly what the analysts' similar_movies() answers", async () => {
    for (const title of ['The Matrix', 'Mary Poppins', 'Hamlet (1990)', 'Filler Picture 042']) {
      const sql = await similarMoviesFunction(ctx.db(), title, 10);
      const { similarMovies } = await gql(SIMILAR, { t: title });
      expect(similarMovies).toHaveLength(10);
      expect(similarMovies.map((s: any) => s.movie.id)).toEqual(sql.map((r) => r.movieId));
      similarMovies.forEach((s: any, i: number) => expect(s.similarity).toBeCloseTo(sql[i].similarity, 5));
    }
  });

  it.each(RESOLUTION_TABLE)('movie(title: %j) is %j', async (typed, expected) => {
    const r = await post(`query($t: String!) { movie(title: $t) { title } }`, { t: typed });
    if (expected === null) expect(r.body.errors?.[0].extensions?.code).toBe('MOVIE_NOT_FOUND');
    else expect(r.body.data?.movie?.title).toBe(expected);
  });

  const filters: [string, Record<string, unknown>][] = [
    ['genres any-of', { genres: ['War', 'horror'] }],
    ['excludeGenres', { excludeGenres: ['Drama', 'Comedy'] }],
    ['year range', { yearFrom: 1970, yearTo: 1995 }],
    ['minAverageRating', { minAverageRating: 3.5 }],
    ['minRatingCount', { minRatingCount: 1000 }],
    ['floor off', { minRatingCount: 0 }],
    [
      'all together',
      { genres: ['Action', 'Drama', 'Thriller'], excludeGenres: ['Romance'], yearFrom: 1960, minAverageRating: 2, minRatingCount: 50 },
    ],
  ];
  it.each(filters)('similarMovies with filter %s: k long, every row passes, equal to pgvector exact', async (_name, f) => {
    const { similarMovies } = await gql(SIMILAR, { t: 'The Matrix', k: 25, f });
    const sqlFilter = { ...f, genres: (f.genres as string[] | undefined)?.map((g) => (g === 'horror' ? 'Horror' : g)) };
    const exact = await similarMoviesExact(ctx.db(), seed.runId, 1, 25, sqlFilter);
    expect(similarMovies.map((s: any) => s.movie.id)).toEqual(exact.map((r) => r.movieId));
    expect(similarMovies).toHaveLength(25);
    for (const { movie: m } of similarMovies) {
      if (f.genres) expect(m.genres.some((g: string) => ['War', 'Horror', 'Action', 'Drama', 'Thriller'].includes(g))).toBe(true);
      if (f.excludeGenres) for (const g of f.excludeGenres as string[]) expect(m.genres).not.toContain(g);
      if (f.yearFrom) expect(m.year).toBeGreaterThanOrEqual(f.yearFrom as number);
      if (f.yearTo) expect(m.year).toBeLessThanOrEqual(f.yearTo as number);
      if (f.minAverageRating) expect(m.averageRating).toBeGreaterThanOrEqual(f.minAverageRating as number);
      expect(m.ratingCount).toBeGreaterThanOrEqual((f.minRatingCount as number | undefined) ?? DEFAULT_MIN_RATING_COUNT);
      expect(m.id).not.toBe(1);
    }
  });

  it('leaves films under the default floor out unless the filter lowers it', async () => {
    const low = seed.movies.filter((m) => m.ratingCount < DEFAULT_MIN_RATING_COUNT).map((m) => m.movieId);
    expect(low.length).toBeGreaterThan(5);
    const all = await gql(SIMILAR, { t: 'The Matrix', k: 100 });
    expect(all.similarMovies.some((s: any) => low.includes(s.movie.id))).toBe(false);
    const open = await gql(SIMILAR, { t: 'The Matrix', k: 100, f: { minRatingCount: 0 } });
    expect(open.similarMovies.some((s: any) => low.includes(s.movie.id))).toBe(true);
  });

  it('similarToMany: neighbours of the mean normalised embedding, inputs excluded', async () => {
    const { similarToMany } = await gql(
      `{ similarToMany(titles: ["The Matrix", "Blade Runner", "matrix"], k: 8) { similarity movie { id } } }`,
    );
    const snap = gw.store.current!;
    const exact = await similarMoviesExact(ctx.db(), seed.runId, Array.from(snap.meanVector([1, 22])), 8, null, [1, 22]);
    expect(similarToMany.map((s: any) => s.movie.id)).toEqual(exact.map((r) => r.movieId));
    similarToMany.forEach((s: any, i: number) => expect(s.similarity).toBeCloseTo(exact[i].similarity, 5));
  });

  it('similarToMany with avoid: neighbours of 2·mean(liked) − mean(avoided), both excluded; minSimilarity cuts the tail', async () => {
    const { similarToMany } = await gql(
      `{ similarToMany(titles: ["The Matrix", "Blade Runner"], avoid: ["Mary Poppins"], k: 8) { similarity movie { id } } }`,
    );
    const snap = gw.store.current!;
    const pos = snap.meanVector([1, 22]),
      neg = snap.meanVector([3]);
    const q = pos.map((v, j) => 2 * v - neg[j]);
    const n = Math.hypot(...q);
    const exact = await similarMoviesExact(
      ctx.db(),
      seed.runId,
      Array.from(q, (v) => v / n),
      8,
      null,
      [1, 22, 3],
    );
    expect(similarToMany.map((s: any) => s.movie.id)).toEqual(exact.map((r) => r.movieId));
    similarToMany.forEach((s: any, i: number) => expect(s.similarity).toBeCloseTo(exact[i].similarity, 5));
    const plain = await gql(`{ similarToMany(titles: ["The Matrix", "Blade Runner"], k: 8) { movie { id } } }`);
    expect(plain.similarToMany.map((s: any) => s.movie.id)).not.toEqual(similarToMany.map((s: any) => s.movie.id));

    const cut = similarToMany[3].similarity;
    const d =
      await gql(`{ a: similarToMany(titles: ["The Matrix", "Blade Runner"], avoid: ["Mary Poppins"], k: 8, minSimilarity: ${cut}) { similarity }
      b: similarMovies(title: "The Matrix", k: 20, minSimilarity: 0.5) { similarity } c: similarMovies(title: "The Matrix", k: 20) { similarity } }`);
    expect(d.a).toHaveLength(4);
    expect(d.b.every((s: any) => s.similarity >= 0.5)).toBe(true);
    expect(d.b).toEqual(d.c.filter((s: any) => s.similarity >= 0.5));
    expect((await errorOf(`{ similarMovies(title: "The Matrix", minSimilarity: 1.5) { similarity } }`)).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argumentName: 'minSimilarity',
    });
    const both = await errorOf(`{ similarToMany(titles: ["The Matrix"], avoid: ["matrix"]) { similarity } }`);
    expect(both.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'avoid' });
    const outside = await errorOf(`{ similarToMany(titles: ["The Matrix"], avoid: ["Obscure Short"]) { similarity } }`);
    expect(outside.extensions).toMatchObject({ code: 'MOVIE_NOT_IN_MODEL', argumentName: 'avoid[0]' });
  });

  it('movie by id, searchMovies, most/least appreciated and pcaProjection', async () => {
    const d =
      await gql(`{ movie(id: 1) { ${MOVIE} } none: movie(id: 999999) { id } search: searchMovies(query: "mary pop", limit: 3) { title }
      most: mostAppreciated(limit: 5) { id bias } least: leastAppreciated(limit: 5, filter: { genres: ["Drama"] }) { id bias genres }
      pca: pcaProjection(limit: 4) { x y z movie { id title ratingCount } } }`);
    expect(d.movie).toMatchObject({
      id: 1,
      title: 'Matrix, The (1999)',
      year: 1999,
      genres: ['Action', 'Sci-Fi', 'Thriller'],
      ratingCount: 2780,
      imdbUrl: 'https://www.imdb.com/title/tt0100000/',
    });
    expect(typeof d.movie.bias).toBe('number');
    expect(d.none).toBeNull();
    expect(d.search.map((m: any) => m.title)).toEqual(['Mary Poppins (1964)', 'Mary Poppins Returns (2018)']);
    expect(d.most.map((m: any) => m.id)).toEqual((await appreciatedMovies(ctx.db(), seed.runId, 'most', 5)).map((m) => m.movieId));
    expect(d.least.map((m: any) => m.id)).toEqual(
      (await appreciatedMovies(ctx.db(), seed.runId, 'least', 5, { genres: ['Drama'] })).map((m) => m.movieId),
    );
    const pca = await pcaProjection(ctx.db(), seed.runId, 4);
    expect(d.pca.map((p: any) => [p.movie.id, p.x])).toEqual(pca.map((p) => [p.movieId, expect.closeTo(p.x, 5)]));
    expect(d.pca[0].movie.title).toBe('Shawshank Redemption, The (1994)');
  });

  it('predictRating runs the ONNX scorer: equal to the formula on the stored weights', async () => {
    const w = await loadRunWeights(ctx.db(), seed.runId);
    const d = await gql(`{ a: predictRating(userId: 3, title: "The Matrix") b: predictRating(userId: 7, title: "Hamlet (2000)") }`);
    expect(d.a).toBeCloseTo(predict(w.weights, w.userIds.indexOf(3), w.movieIds.indexOf(1)), 4);
    expect(d.b).toBeCloseTo(predict(w.weights, w.userIds.indexOf(7), w.movieIds.indexOf(8)), 4);
    expect((await errorOf(`{ predictRating(userId: 424242, title: "The Matrix") }`)).extensions?.code).toBe('USER_NOT_FOUND');
  });

  it('every movie says whether the model can use it, why not, and how people write its title', async () => {
    const d =
      await gql(`{ a: movie(id: 1) { displayTitle year inModel excludedBy } b: movie(id: 9001) { displayTitle year inModel excludedBy bias }
      c: movie(title: "Obscure Short") { inModel excludedBy } d: movie(id: 5) { displayTitle } }`);
    expect(d.a).toEqual({ displayTitle: 'The Matrix', year: 1999, inModel: true, excludedBy: null });
    expect(d.b).toEqual({ displayTitle: 'The Unloved Sequel', year: 2004, inModel: false, excludedBy: 'MIN_AVG_RATING', bias: null });
    expect(d.c).toEqual({ inModel: false, excludedBy: 'MIN_MOVIE_RATINGS' });
    expect(d.d.displayTitle).toBe('The City of Lost Children');
    const s = await gql(`{ all: searchMovies(query: "unloved") { id inModel } usable: searchMovies(query: "unloved", inModel: true) { id }
      matrix: searchMovies(query: "matrix", inModel: true) { id inModel } out: searchMovies(query: "obscure", inModel: false) { id inModel } in: searchMovies(query: "obscure", inModel: true) { id } }`);
    expect(s.all).toEqual([{ id: 9001, inModel: false }]);
    expect(s.usable).toEqual([]);
    expect(s.matrix.length).toBeGreaterThan(0);
    expect(s.matrix.every((m: any) => m.inModel)).toBe(true);
    expect(s.out).toEqual([{ id: 9002, inModel: false }]);
    expect(s.in).toEqual([]);
  });

  it('a movie outside the model is MOVIE_NOT_IN_MODEL with the real reason, in every query that needs its vector', async () => {
    const e = await errorOf(`{ similarMovies(title: "The Unloved Sequel") { similarity } }`);
    expect(e.extensions).toMatchObject({ code: 'MOVIE_NOT_IN_MODEL', excludedBy: 'MIN_AVG_RATING', argumentName: 'title' });
    expect(e.message).toContain('average rating is below');
    expect(e.message).toContain('--min-avg-rating 3.5');
    expect(e.message).toContain('168 ratings, average 3.25');
    expect(e.message).not.toContain('too few ratings');
    const m = await errorOf(`{ similarToMany(titles: ["The Matrix", "Obscure Short"]) { similarity } }`);
    expect(m.extensions).toMatchObject({ code: 'MOVIE_NOT_IN_MODEL', excludedBy: 'MIN_MOVIE_RATINGS', argumentName: 'titles[1]' });
    expect(m.message).toContain('too few ratings to be trained on (--min-movie-ratings 5)');
    const p = await errorOf(`{ predictRating(userId: 3, title: "Unloved Sequel") }`);
    expect(p.extensions).toMatchObject({ code: 'MOVIE_NOT_IN_MODEL', excludedBy: 'MIN_AVG_RATING' });
  });

  it('recommendFor folds a visitor in: exactly the ridge fit against the stored movie factors, then the best predictions under the filter', async () => {
    const w = await loadRunWeights(ctx.db(), seed.runId);
    const given = [
      { title: 'The Matrix', rating: 5 },
      { id: 22, rating: 4.5 },
      { title: 'Mary Poppins', rating: 1 },
    ];
    const rows = [1, 22, 3].map((id) => w.movieIds.indexOf(id));
    const k = w.weights.factors;
    const f = foldInUser({
      factors: Float64Array.from(rows.flatMap((r) => Array.from(w.weights.movieFactors.subarray(r * k, (r + 1) * k)))),
      movieBias: rows.map((r) => w.weights.movieBias[r]),
      ratings: [5, 4.5, 1],
      dim: k,
      yRange: [0, 5.5],
      lambda: VISITOR_RIDGE_LAMBDA,
    });
    const expected = w.movieIds
      .map((id, r) => {
        let x = f.bias + w.weights.movieBias[r];
        for (let j = 0; j < k; j++) x += w.weights.movieFactors[r * k + j] * f.vector[j];
        return { id, p: sigmoidRange(x, 0, 5.5) };
      })
      .filter((m) => ![1, 22, 3].includes(m.id))
      .filter((m) => {
        const movie = seed.movies.find((x) => x.movieId === m.id)!;
        return movie.ratingCount >= DEFAULT_MIN_RATING_COUNT && movie.genres.includes('Drama');
      })
      .sort((a, b) => b.p - a.p || a.id - b.id)
      .slice(0, 7);
    const d = await gql(
      `query($r: [VisitorRatingInput!]!) { recommendFor(ratings: $r, k: 7, filter: { genres: ["Drama"] }) { predictedRating movie { id genres } }
        predictRatings(ratings: $r, movies: [{ id: ${expected[0].id} }, { title: "Blade Runner" }]) { predictedRating movie { id } } }`,
      { r: given },
    );
    expect(d.recommendFor.map((x: any) => x.movie.id)).toEqual(expected.map((e) => e.id));
    d.recommendFor.forEach((x: any, i: number) => expect(x.predictedRating).toBeCloseTo(expected[i].p, 5));
    expect(d.predictRatings[0]).toEqual({ movie: { id: expected[0].id }, predictedRating: d.recommendFor[0].predictedRating });
    expect(d.predictRatings[1].movie.id).toBe(22);
    // Loving the Matrix and hating Mary Poppins: the Matrix's prediction is high, Mary Poppins' low.
    const back = await gql(
      `query($r: [VisitorRatingInput!]!) { predictRatings(ratings: $r, movies: [{ id: 1 }, { id: 3 }]) { predictedRating } }`,
      {
        r: given,
      },
    );
    expect(back.predictRatings[0].predictedRating).toBeGreaterThan(back.predictRatings[1].predictedRating);
  });

  it('recommendFor and predictRatings refuse bad ratings and movies outside the model, naming the argument', async () => {
    const q = `query($r: [VisitorRatingInput!]!) { recommendFor(ratings: $r) { predictedRating } }`;
    const bad = await errorOf(q, { r: [{ title: 'The Matrix', rating: 4.2 }] });
    expect(bad.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'ratings' });
    expect(bad.message).toContain('ratings[0].rating must be a MovieLens rating');
    const out = await errorOf(q, {
      r: [
        { title: 'The Matrix', rating: 4 },
        { title: 'Unloved Sequel', rating: 2 },
      ],
    });
    expect(out.extensions).toMatchObject({ code: 'MOVIE_NOT_IN_MODEL', argumentName: 'ratings[1].title', excludedBy: 'MIN_AVG_RATING' });
    const unknownId = await errorOf(q, { r: [{ id: 777777, rating: 4 }] });
    expect(unknownId.extensions).toMatchObject({ code: 'MOVIE_NOT_FOUND', argumentName: 'ratings[0].id' });
    const twice = await errorOf(q, {
      r: [
        { id: 1, rating: 4 },
        { title: 'matrix', rating: 2 },
      ],
    });
    expect(twice.message).toContain('ratings[1] and ratings[0] are the same movie');
    const none = await errorOf(`{ predictRatings(ratings: [{ id: 1, rating: 4 }], movies: []) { predictedRating } }`);
    expect(none.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'movies' });
  });

  it('every documented maximum is reachable with every field selected, within the cost limit, and one more is refused', async () => {
    const schema = await gatewaySchema();
    const fillers = seed.movies.filter((m) => m.movieId >= 1000);
    const ids = (n: number) => fillers.slice(0, n).map((m) => m.movieId);
    const value = (arg: string, n: number): unknown =>
      arg === 'titles'
        ? fillers.slice(0, n).map((m) => m.title)
        : arg === 'avoid'
          ? fillers.slice(100, 100 + n).map((m) => m.title)
          : arg === 'ratings'
            ? ids(n).map((id) => ({ id, rating: 3 }))
            : arg === 'movies'
              ? ids(n).map((id) => ({ id }))
              : arg === 'ids'
                ? Array.from({ length: n }, (_, i) => i + 1)
                : n;
    const required: Record<string, string> = {
      similarMovies: 'title: "The Matrix"',
      similarToMany: 'titles: ["The Matrix"]',
      recommendFor: 'ratings: [{ id: 1, rating: 4 }]',
      predictRatings: 'ratings: [{ id: 1, rating: 4 }] movies: [{ id: 22 }]',
      searchMovies: 'query: "filler"',
      searchMoviesPage: 'query: "filler"',
      appreciatedMovies: 'order: LEAST',
      movies: 'ids: [1]',
    };
    const types: Record<string, string> = {
      titles: '[String!]!',
      avoid: '[String!]',
      ratings: '[VisitorRatingInput!]!',
      movies: '[MovieRefInput!]!',
      ids: '[Int!]!',
    };
    for (const [field, arg, most] of documentedLimits()) {
      const def = schema.getQueryType()!.getFields()[field];
      expect(def).toBeDefined();
      const others = (required[field] ?? '').replace(new RegExp(`${arg}: (\\[[^\\]]*\\]|"[^"]*")`), '');
      const query = `query($v: ${types[arg] ?? 'Int'}) { ${field}(${others} ${arg}: $v) { ${everyField(schema, getNamedType(def.type))} } }`;
      const [m] = measureOperations(schema, parse(query), { v: value(arg, most) });
      expect({ field, arg, cost: m.cost <= DEFAULT_QUERY_LIMITS.maxCost, depth: m.depth <= DEFAULT_QUERY_LIMITS.maxDepth }).toEqual({
        field,
        arg,
        cost: true,
        depth: true,
      });
      const ok = await post(query, { v: value(arg, most) });
      expect({ field, arg, errors: ok.body.errors }).toEqual({ field, arg, errors: undefined });
      const over = await post(query, { v: value(arg, most + 1) });
      expect({ field, arg, code: over.body.errors?.[0]?.extensions?.code }).toEqual({ field, arg, code: 'BAD_USER_INPUT' });
    }
  }, 60_000);

  it('pages: cursors walk the whole list without overlap, totalCount agrees, a cursor from another run is refused', async () => {
    const q = `query($a: String) { p: appreciatedMovies(order: MOST, first: 40, after: $a) { totalCount pageInfo { endCursor hasNextPage } nodes { id } shapedBy { listFloor summary minMovieRatings curation } } }`;
    const seen: number[] = [];
    let after: string | null = null,
      total = 0;
    for (let i = 0; i < 20; i++) {
      const { p }: any = await gql(q, { a: after });
      total = p.totalCount;
      seen.push(...p.nodes.map((n: any) => n.id));
      expect(p.shapedBy).toMatchObject({ listFloor: DEFAULT_MIN_RATING_COUNT, minMovieRatings: 5 });
      expect(p.shapedBy.summary).toContain('fewer than 10 ratings');
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    const all = await appreciatedMovies(ctx.db(), seed.runId, 'most', 1000);
    expect(seen).toEqual(all.map((m) => m.movieId));
    expect(total).toBe(all.length);
    const d = await gql(`{ s: searchMoviesPage(query: "mary", first: 1) { totalCount nodes { id } pageInfo { hasNextPage endCursor } }
      m: pcaMap(first: 3) { totalCount nodes { x movie { id } } } g: genres { name movies inModel } b: movies(ids: [3, 999999, 1]) { id } }`);
    expect(d.s).toMatchObject({ totalCount: 2, nodes: [{ id: 3 }], pageInfo: { hasNextPage: true } });
    const next = await gql(
      `query($a: String) { searchMoviesPage(query: "mary", first: 1, after: $a) { nodes { id } pageInfo { hasNextPage } } }`,
      {
        a: d.s.pageInfo.endCursor,
      },
    );
    expect(next.searchMoviesPage).toEqual({ nodes: [{ id: 4 }], pageInfo: { hasNextPage: false } });
    expect(d.m.nodes.map((n: any) => n.movie.id)).toEqual((await pcaProjection(ctx.db(), seed.runId, 3)).map((p) => p.movieId));
    expect(d.m.totalCount).toBe(seed.movies.filter((m) => m.ratingCount >= DEFAULT_MIN_RATING_COUNT).length);
    const drama = d.g.find((g: any) => g.name === 'Drama');
    expect(drama.movies).toBe(seed.movies.filter((m) => m.genres.includes('Drama')).length + 1); // + Obscure Short, not in the model
    expect(drama.inModel).toBe(drama.movies - 1);
    expect(d.b).toEqual([{ id: 3 }, null, { id: 1 }]);
    const foreign = Buffer.from(`v1:${seed.runId + 1000}:10`).toString('base64url');
    const e = await errorOf(`query($a: String) { pcaMap(after: $a) { totalCount } }`, { a: foreign });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'after' });
    expect(e.message).toContain('start again without after');
    expect((await errorOf(`{ pcaMap(after: "garbage") { totalCount } }`)).message).toContain('not a cursor this API issued');
  });

  it('activeModel reports the run, engine, backend and per-epoch metrics', async () => {
    const { activeModel } = await gql(
      `{ activeModel { id engine backend factors movieCount params epochs { epoch trainLoss validLoss validRmse seconds } } }`,
    );
    expect(activeModel).toMatchObject({
      id: seed.runId,
      engine: 'native',
      backend: 'cpu',
      factors: seed.dim,
      movieCount: seed.movies.length,
    });
    expect(activeModel.epochs).toEqual([
      { epoch: 1, trainLoss: 1.1, validLoss: 1.0, validRmse: 1.0, seconds: 0.1 },
      { epoch: 2, trainLoss: 0.8, validLoss: 0.82, validRmse: 0.905, seconds: 0.1 },
    ]);
  });

  it.each([
    ['k = 0', `{ similarMovies(title: "The Matrix", k: 0) { similarity } }`, 'k'],
    ['k = 101', `{ similarMovies(title: "The Matrix", k: 101) { similarity } }`, 'k'],
    ['empty title', `{ similarMovies(title: "   ") { similarity } }`, 'title'],
    ['huge title', `{ similarMovies(title: "${'x'.repeat(5000)}") { similarity } }`, 'title'],
    ['unknown genre', `{ similarMovies(title: "The Matrix", filter: { genres: ["Cowboys"] }) { similarity } }`, 'filter'],
    ['yearFrom after yearTo', `{ mostAppreciated(filter: { yearFrom: 2000, yearTo: 1990 }) { id } }`, 'filter'],
    ['negative limit', `{ searchMovies(query: "x", limit: -1) { id } }`, 'limit'],
    ['no titles', `{ similarToMany(titles: []) { similarity } }`, 'titles'],
    ['movie with both id and title', `{ movie(id: 1, title: "x") { id } }`, 'title'],
  ])('%s is BAD_USER_INPUT naming the argument, HTTP 200 not 500', async (_n, query, arg) => {
    const r = await post(query);
    expect(r.status).toBe(200);
    expect(r.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: arg });
    expect(r.body.errors![0].extensions!.stacktrace).toBeUndefined();
  });

  it('an unknown title is MOVIE_NOT_FOUND with up to 5 suggestions', async () => {
    const e = await errorOf(`{ similarMovies(title: "Matrx") { similarity } }`);
    expect(e.extensions?.code).toBe('MOVIE_NOT_FOUND');
    expect(e.extensions?.suggestions[0]).toBe('Matrix, The (1999)');
    expect(e.extensions?.suggestions.length).toBeLessThanOrEqual(5);
    expect(e.message).toMatch(/^Movie "Matrx" not found; did you mean "Matrix, The \(1999\)"/);
    const t = await errorOf(`{ similarToMany(titles: ["The Matrix", "Nothing Like This At All"]) { similarity } }`);
    expect(t.extensions).toMatchObject({ code: 'MOVIE_NOT_FOUND', argumentName: 'titles[1]' });
  });

  it('rejects too deep or too costly queries before running them', async () => {
    const costly = await errorOf(
      `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: similarMovies(title: "The Matrix", k: 100) { similarity movie { ${MOVIE} } }`).join(' ')} }`,
    );
    expect(costly.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(costly.message).toMatch(/^Query cost \d+ exceeds the limit 20000/);
    // The same flood with k as a variable: validation cannot see it, the check before execution does.
    const flood = `query($k: Int) { ${Array.from({ length: 30 }, (_, i) => `a${i}: similarMovies(title: "The Matrix", k: $k) { similarity movie { ${MOVIE} } }`).join(' ')} }`;
    const viaVariable = await post(flood, { k: 100 });
    expect(viaVariable.status).toBe(400);
    expect(viaVariable.body.data).toBeUndefined();
    expect(viaVariable.body.errors![0].message).toMatch(/^Query cost \d+ exceeds the limit 20000/);
    expect(viaVariable.body.errors![0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    // ... while a small k through the same document is fine.
    expect((await post(flood, { k: 2 })).body.errors).toBeUndefined();
    const deep = await post(`{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }`);
    expect(deep.body.errors!.map((e) => e.message)).toContain('Query is 10 levels deep; the limit is 8.');
    expect(deep.body.data).toBeUndefined();
  });

  it('keeps CSRF prevention on, CORS to configured origins, introspection off when asked', async () => {
    const get = await fetch(`${gw.url}?query=${encodeURIComponent('{ activeModel { id } }')}`);
    expect(get.status).toBe(400); // a simple GET without a preflight-forcing header
    const ok = await fetch(`${gw.url}?query=${encodeURIComponent('{ activeModel { id } }')}`, {
      headers: { 'apollo-require-preflight': '1' },
    });
    expect(ok.status).toBe(200);
    const pre = await fetch(gw.url, {
      method: 'OPTIONS',
      headers: { origin: 'http://allowed.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://allowed.example');
    const other = await fetch(gw.url, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const intro = await post(`{ __schema { types { name } } }`);
    expect(intro.body.errors?.[0].message).toMatch(/introspection/i);
  });

  it('serves health, metrics and request ids', async () => {
    const base = gw.url.replace('/graphql', '');
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', runId: gw.store.current!.runId });
    const r = await post(`{ activeModel { id } }`, undefined, { 'x-request-id': 'test-123' });
    expect(r.headers.get('x-request-id')).toBe('test-123');
    const m = await (await fetch(`${base}/metrics`)).text();
    expect(m).toMatch(/cinemap_graphql_operation_duration_seconds_bucket\{le="[^"]+",operation="similarMovies"\}/);
    expect(m).toMatch(/cinemap_graphql_errors_total\{operation="similarMovies",code="BAD_USER_INPUT"\} [1-9]/);
    expect(m).toMatch(/cinemap_db_pool_connections\{state="total"\}/);
  });

  it('swaps to a newly activated run under load: answers change, zero failed requests', async () => {
    const before = (await gql(SIMILAR, { t: 'The Matrix' })).similarMovies.map((s: any) => s.movie.id);
    const oldRun = gw.store.current!.runId;
    let stop = false;
    let failures = 0,
      done = 0;
    const seen = new Set<string>();
    const worker = async () => {
      while (!stop) {
        try {
          const r = await post(SIMILAR, { t: 'The Matrix' });
          if (r.status !== 200 || r.body.errors || r.body.data?.similarMovies.length !== 10) failures++;
          else seen.add(JSON.stringify(r.body.data.similarMovies.map((s: any) => s.movie.id)));
        } catch {
          failures++;
        }
        done++;
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    // Let the load run on the old run first (in-process PGlite seeding would starve it).
    while (seen.size === 0) await new Promise((r) => setTimeout(r, 20));
    const newRun = await seedModelRun(ctx.db(), seed, { seed: 99 });
    for (let i = 0; i < 200 && gw.store.current!.runId !== newRun; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await Promise.all(workers);
    expect(gw.store.current!.runId).toBe(newRun);
    expect(newRun).not.toBe(oldRun);
    expect(failures).toBe(0);
    expect(done).toBeGreaterThan(20);
    const after = (await gql(SIMILAR, { t: 'The Matrix' })).similarMovies.map((s: any) => s.movie.id);
    expect(after).not.toEqual(before);
    expect(after).toEqual((await similarMoviesFunction(ctx.db(), 'The Matrix', 10)).map((r) => r.movieId));
    expect(seen).toEqual(new Set([JSON.stringify(before), JSON.stringify(after)]));
    expect((await gql(`{ activeModel { id } }`)).activeModel.id).toBe(newRun);
  }, 60_000);
});
