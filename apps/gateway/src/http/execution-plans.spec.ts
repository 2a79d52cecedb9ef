// Given a run on each backend, when the same requests reach a gateway executing by
// compiled plans and one executing by graphql-js alone, then every response is the same,
// byte for byte (status and body): the neighbour queries of the serving bench, every Movie
// field, aliases, several roots, filters, bases, unknown titles and bad arguments.
import 'reflect-metadata';
import pino from 'pino';
import { describeEachBackend, seedGatewayFixture } from '@cinemap/db/testing';
import { startGateway, type Gateway } from '../index';

const MOVIE = 'id title displayTitle year genres ratingCount averageRating bias inModel excludedBy imdbUrl tmdbUrl __typename';
const SIMILAR = `query Similar($t: String!, $k: Int, $f: MovieFilter, $b: SimilarityBasis, $m: Float) { similarMovies(title: $t, k: $k, filter: $f, basis: $b, minSimilarity: $m) { similarity movie { ${MOVIE} } } }`;
const MOOD = `query Mood($ts: [String!]!, $k: Int, $f: MovieFilter, $a: [String!]) { similarToMany(titles: $ts, k: $k, filter: $f, avoid: $a) { similarity movie { id title year } } }`;

const REQUESTS: [string, Record<string, unknown>?][] = [
  [SIMILAR, { t: 'The Matrix', k: 10 }],
  [SIMILAR, { t: 'The Matrix', k: 10 }], // the second time from the answer cache
  [SIMILAR, { t: 'Godfather', k: 25, b: 'TASTE' }],
  [SIMILAR, { t: 'Shawshank Redemption', k: 5, b: 'AUDIENCE', m: 0.1 }],
  [SIMILAR, { t: 'The Matrix', k: 10, f: { genres: ['Drama'], minAverageRating: 3 } }],
  [SIMILAR, { t: 'The Matrix', k: 10, f: { excludeGenres: ['Drama'], yearFrom: 1990, yearTo: 1999 } }],
  [SIMILAR, { t: 'The Matrix', k: 0 }],
  [SIMILAR, { t: 'No Such Film At All', k: 10 }],
  [SIMILAR, { t: 'The Matrix', k: 100000 }],
  [SIMILAR, { t: 'The Matrix', k: 'ten' }],
  [SIMILAR, {}],
  [MOOD, { ts: ['The Matrix', 'Godfather'], k: 10 }],
  [MOOD, { ts: ['The Matrix', 'Godfather'], k: 10, a: ['Shawshank Redemption'] }],
  [MOOD, { ts: ['The Matrix', 'The Matrix'], k: 3, f: { genres: ['Action'] } }],
  [MOOD, { ts: [], k: 10 }],
  [MOOD, { ts: ['The Matrix'], k: 10, a: ['The Matrix'] }],
  [
    '{ a: similarMovies(title: "The Matrix", k: 3) { s: similarity m: movie { t: title y: year } } b: similarToMany(titles: ["Godfather"], k: 2) { movie { id } } }',
  ],
  ['{ similarMovies(title: "The Matrix", k: 3) { ...N } } fragment N on SimilarMovie { similarity movie { id } }'],
  ['{ similarMovies(title: "The Matrix", k: 3) { movie { id } } movie(title: "Godfather") { id title } }'],
  // More unknown titles than a request's "did you mean" lookups (3): the same ones get suggestions.
  [
    '{ a: similarMovies(title: "Matrixx") { similarity } b: similarMovies(title: "Godfathr") { similarity } c: similarMovies(title: "Shawshnk") { similarity } d: similarMovies(title: "Matrx") { similarity } }',
  ],
  [MOOD, { ts: ['Matrixx', 'Godfathr', 'Shawshnk', 'Matrx'], k: 10 }],
];

/** What a client can see of a response: status, headers (but the date and the request id) and body. */
async function seen(res: Response): Promise<string> {
  const headers = [...res.headers].filter(([k]) => k !== 'date' && k !== 'x-request-id');
  return JSON.stringify({ status: res.status, headers, body: await res.text() });
}

describeEachBackend('compiled execution plans and direct answers over HTTP', (ctx) => {
  const gateways: Record<'direct' | 'planned' | 'plain', Gateway> = {} as never;
  const post = async (gw: Gateway, query: string, variables: Record<string, unknown> | undefined, accept: string | undefined) =>
    seen(
      await fetch(gw.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) },
        body: JSON.stringify({ query, variables }),
      }),
    );

  beforeAll(async () => {
    await seedGatewayFixture(ctx.db(), { fillers: 150, audienceDim: 6 });
    const start = (executionPlans: boolean, directAnswers: boolean) =>
      startGateway({
        db: ctx.db(),
        port: 0,
        host: '127.0.0.1',
        log: pino({ level: 'silent' }),
        introspection: false,
        executionPlans,
        directAnswers,
      });
    gateways.direct = await start(true, true);
    gateways.planned = await start(true, false);
    gateways.plain = await start(false, false);
  }, 90_000);
  afterAll(async () => {
    for (const gw of Object.values(gateways)) await gw?.close();
  });

  it('answer every request as graphql-js does, byte for byte, headers included', async () => {
    for (const accept of [undefined, '*/*', 'application/graphql-response+json', 'application/json'])
      for (const [query, variables] of REQUESTS) {
        const expected = await post(gateways.plain, query, variables, accept);
        expect({ query, variables, accept, got: await post(gateways.planned, query, variables, accept) }).toEqual({
          query,
          variables,
          accept,
          got: expected,
        });
        expect({ query, variables, accept, got: await post(gateways.direct, query, variables, accept) }).toEqual({
          query,
          variables,
          accept,
          got: expected,
        });
      }
    // The plans answered the well-formed neighbour queries; graphql-js the rest; once a
    // document had been answered by a plan, the direct path answered it again.
    const planned = gateways.planned.executionUse();
    expect(planned.direct).toBe(0);
    expect(planned.plan).toBeGreaterThanOrEqual(9);
    expect(planned.execute).toBeGreaterThanOrEqual(8);
    const direct = gateways.direct.executionUse();
    expect(direct.direct).toBeGreaterThanOrEqual(5);
    expect(direct.direct + direct.plan).toBe(planned.plan);
    expect(direct.execute).toBe(planned.execute);
    expect(gateways.plain.executionUse()).toEqual({ direct: 0, plan: 0, execute: 0 });
  });
});
