// Given a run with audience vectors on each backend, when the gateway serves it, then
// similarMovies and similarToMany answer in every basis exactly as the analysts'
// similar_movies(title, k, basis) does (recall 1.0 against pgvector's exact scan, per
// basis), BLEND is the default, the in-memory blend equals the stored one, and a run
// without audience vectors answers BLEND as TASTE and refuses AUDIENCE by name.
import 'reflect-metadata';
import pino from 'pino';
import { loadRunBlend } from '@cinemap/db';
import { describeEachBackend, seedGatewayFixture, seedModelRun, similarMoviesFunction, type SeedResult } from '@cinemap/db/testing';
import { startGateway, type Gateway } from '../index';

type Gql = { data?: Record<string, any>; errors?: { message: string; extensions?: Record<string, any> }[] };

describeEachBackend('similarity bases over GraphQL', (ctx) => {
  let seed: SeedResult;
  let gw: Gateway;
  const post = async (query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as Gql;
  };
  const SIMILAR = `query($t: String!, $k: Int, $b: SimilarityBasis) { similarMovies(title: $t, k: $k, basis: $b) { similarity movie { id } } }`;
  const ids = (d: Gql) => d.data!.similarMovies.map((s: any) => s.movie.id);

  beforeAll(async () => {
    seed = await seedGatewayFixture(ctx.db(), { fillers: 150, audienceDim: 6 });
    gw = await startGateway({
      db: ctx.db(),
      port: 0,
      host: '127.0.0.1',
      log: pino({ level: 'silent' }),
      introspection: false,
      development: false,
      statementTimeoutMs: 5000,
    });
  }, 90_000);
  afterAll(async () => {
    await gw?.close();
  });

  it.each(['TASTE', 'AUDIENCE', 'BLEND'])('similarMovies(basis: %s) equals similar_movies(title, k, basis)', async (basis) => {
    for (const title of ['The Matrix', 'Shawshank Redemption', 'Godfather']) {
      const got = await post(SIMILAR, { t: title, k: 15, b: basis });
      const sql = await similarMoviesFunction(ctx.db(), title, 15, basis.toLowerCase());
      expect(ids(got)).toEqual(sql.map((r) => r.movieId));
      got.data!.similarMovies.forEach((s: any, i: number) => expect(s.similarity).toBeCloseTo(sql[i].similarity, 5));
    }
  });

  it('BLEND is the default, and the bases give different lists', async () => {
    const byDefault = ids(await post(SIMILAR, { t: 'The Matrix', k: 10 }));
    expect(byDefault).toEqual(ids(await post(SIMILAR, { t: 'The Matrix', k: 10, b: 'BLEND' })));
    expect(byDefault).not.toEqual(ids(await post(SIMILAR, { t: 'The Matrix', k: 10, b: 'TASTE' })));
    expect(byDefault).not.toEqual(ids(await post(SIMILAR, { t: 'The Matrix', k: 10, b: 'AUDIENCE' })));
  });

  it('the in-memory blend equals the stored blend column (unit rows, to 1e-6)', async () => {
    const snap = gw.store.current!;
    const stored = await loadRunBlend(ctx.db(), seed.runId);
    for (const m of seed.movies.slice(0, 40)) {
      const mine = snap.vector(m.movieId, 'blend');
      const theirs = stored.get(m.movieId)!;
      let n = 0;
      for (const x of theirs) n += x * x;
      theirs.forEach((x, j) => expect(mine[j]).toBeCloseTo(x / Math.sqrt(n), 6));
    }
  });

  it('similarToMany takes a basis too (the mean of unit vectors in that basis)', async () => {
    const q = `query($b: SimilarityBasis) { similarToMany(titles: ["The Matrix", "Blade Runner"], k: 8, basis: $b) { movie { id } } }`;
    const taste = (await post(q, { b: 'TASTE' })).data!.similarToMany.map((s: any) => s.movie.id);
    const audience = (await post(q, { b: 'AUDIENCE' })).data!.similarToMany.map((s: any) => s.movie.id);
    expect(taste).toHaveLength(8);
    expect(audience).toHaveLength(8);
    expect(taste).not.toEqual(audience);
  });

  it('an unknown basis is a GraphQL validation error naming the enum', async () => {
    const r = await post(SIMILAR, { t: 'The Matrix', b: 'COLOUR' });
    expect(r.errors?.[0].message).toMatch(/SimilarityBasis/);
  });

  it('a run without audience vectors: BLEND answers as TASTE, AUDIENCE is BAD_USER_INPUT naming basis', async () => {
    const old = await seedModelRun(ctx.db(), { ...seed, audienceDim: 0 }, { seed: 5 });
    await gw.store.reload();
    expect(gw.store.current!.runId).toBe(old);
    const taste = ids(await post(SIMILAR, { t: 'The Matrix', k: 10, b: 'TASTE' }));
    expect(ids(await post(SIMILAR, { t: 'The Matrix', k: 10 }))).toEqual(taste);
    const r = await post(SIMILAR, { t: 'The Matrix', b: 'AUDIENCE' });
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'basis' });
    expect(r.errors?.[0].message).toMatch(/trained before they existed.*npm run train/);
  });
});
