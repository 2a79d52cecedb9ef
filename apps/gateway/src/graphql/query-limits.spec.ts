// Given the gateway's schema, the cost model sizes what issue 15 added: a page's nodes
// by its `first`, also through a fragment spread under pages of different sizes (each
// measured at its own size: no cheap bypass), id lists by their length, genres by a bound.
import 'reflect-metadata';
import { parse } from 'graphql';
import { gatewaySchema } from './schema';
import { measureOperations } from './query-limits.rule';

const cost = async (q: string, variables: Record<string, unknown> | null = null) =>
  measureOperations(await gatewaySchema(), parse(q), variables)[0].cost;

describe('cost of pages, id lists and genres', () => {
  it("counts a page's nodes `first` times, and totalCount/pageInfo once", async () => {
    expect(await cost('{ pcaMap(first: 1000) { totalCount nodes { x y } } }')).toBe(1 + (1 + 1 + 1000 * 2));
    expect(await cost('{ pcaMap { nodes { x } } }')).toBe(1 + (1 + 200 * 1)); // the schema default
    expect(await cost('query($n: Int) { pcaMap(first: $n) { nodes { x } } }', { n: 700 })).toBe(1 + (1 + 700));
  });

  it('measures a fragment on a page at the size of each page it is spread under (planted: memoised at the first size)', async () => {
    const q = `fragment P on ProjectionPage { nodes { x y z } }
      { a: pcaMap(first: 1) { ...P } b: pcaMap(first: 1000) { ...P } }`;
    expect(await cost(q)).toBe(1 + (1 + 1 * 3) + 1 + (1 + 1000 * 3));
  });

  it('sizes movies(ids:) and predictRatings(movies:) by their lists, genres by 50', async () => {
    expect(await cost('{ movies(ids: [1, 2, 3]) { id title } }')).toBe(1 + 3 * 2);
    expect(await cost('query($ids: [Int!]!) { movies(ids: $ids) { id } }', { ids: Array.from({ length: 900 }, (_, i) => i + 1) })).toBe(
      901,
    );
    expect(await cost('{ predictRatings(ratings: [{ id: 1, rating: 4 }], movies: [{ id: 2 }, { id: 3 }]) { predictedRating } }')).toBe(3);
    expect(await cost('{ genres { name } }')).toBe(51);
  });
});
