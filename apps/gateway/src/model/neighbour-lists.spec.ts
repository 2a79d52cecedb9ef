// Given a seeded run with its precomputed neighbour lists on each backend, loaded by the
// gateway's own ModelStore: similarMovies from the lists (snapshot.similarTo) answers,
// for random films, filters and k, exactly what the exact scan answers — same films,
// same order, bit-identical similarities — through all three paths (the list, the
// fallback scan when too few of the N pass, no lists at all). Lists that do not fit
// the run are refused, and a planted mistake in a list is caught by the same check.
import 'reflect-metadata';
import fc from 'fast-check';
import pino from 'pino';
import type { MovieFilter } from '@cinemap/domain';
import { describeEachBackend, seedGatewayFixture, seedModelRun, type SeedResult } from '@cinemap/db/testing';
import { loadMovieNeighbourIds } from '@cinemap/db';
import { ModelStore } from './model-store';
import type { ModelSnapshot } from './snapshot';

const RUNS = Number(process.env.CINEMAP_PROPERTY_RUNS ?? 300);
type Answer = { id: number; similarity: number }[];
const plain = (a: { movie: { id: number }; similarity: number }[]): Answer => a.map((s) => ({ id: s.movie.id, similarity: s.similarity }));

function filterArb(genres: string[]): fc.Arbitrary<MovieFilter> {
  const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  return fc.record({
    genres: opt(fc.subarray(genres, { minLength: 1, maxLength: 3 })),
    excludeGenres: opt(fc.subarray(genres, { minLength: 1, maxLength: 2 })),
    yearFrom: opt(fc.integer({ min: 1940, max: 2020 })),
    yearTo: opt(fc.integer({ min: 1960, max: 2025 })),
    minAverageRating: opt(fc.constantFrom(1.5, 2.5, 3.25, 4)),
    minRatingCount: opt(fc.constantFrom(0, 10, 500, 1500)),
  });
}

describeEachBackend('similarMovies from precomputed neighbour lists', (ctx) => {
  let seed: SeedResult;
  let store: ModelStore;
  let snap: ModelSnapshot;
  beforeAll(async () => {
    seed = await seedGatewayFixture(ctx.db(), { fillers: 400, audienceDim: 8 });
    store = new ModelStore(ctx.db(), pino({ level: 'silent' }));
    await store.start();
    snap = store.current!;
  }, 120_000);
  afterAll(async () => {
    await store?.close();
  });

  it('loads the run with its lists (N = 100)', () => {
    expect(snap.runId).toBe(seed.runId);
    expect(snap.listLength('taste')).toBe(100);
    expect(snap.listLength('blend')).toBe(100); // BLEND, the default, has lists too
    expect(snap.listLength('audience')).toBeNull(); // AUDIENCE scans
  });

  /** Random films, filters and k in `basis`: the list answer equals the exact scan's; returns how each was found. */
  const listEqualsScan = (basis: 'taste' | 'blend') => {
    const ids = seed.movies.map((m) => m.movieId);
    const before = { ...snap.listUse };
    fc.assert(
      fc.property(
        fc.constantFrom(...ids),
        fc.integer({ min: 1, max: 100 }),
        fc.option(filterArb(snap.genres), { nil: undefined }),
        (id, k, f) => {
          const filter = f ?? {};
          expect(plain(snap.similarTo(id, k, filter, basis))).toEqual(
            plain(snap.neighbours(snap.vector(id, basis), k, filter, [id], basis)),
          );
        },
      ),
      { numRuns: RUNS },
    );
    return { list: snap.listUse.list - before.list, fallback: snap.listUse.fallback - before.fallback };
  };

  it('BLEND (the default basis) from its lists answers exactly as its exact scan', () => {
    expect(listEqualsScan('blend').list).toBeGreaterThan(RUNS / 10);
  });

  it('answers exactly as the exact scan, for random films, filters and k (list, fallback and unfiltered paths)', () => {
    const used = listEqualsScan('taste');
    // both list paths ran: answered from the list, and fell back to the scan
    expect(used.list).toBeGreaterThan(RUNS / 10);
    expect(used.fallback).toBeGreaterThan(0);
  });

  it('serves a run without lists by the scan, with the same answers', async () => {
    const bare = await seedModelRun(ctx.db(), seed, { seed: 5, neighbourLists: false });
    await store.reload();
    const s = store.current!;
    expect(s.runId).toBe(bare);
    expect(s.listLength('taste')).toBeNull();
    const a = s.similarTo(1, 10, {});
    expect(s.listUse.scan).toBe(1);
    expect(plain(a)).toEqual(plain(s.neighbours(s.vector(1), 10, {}, [1])));
  });

  it('refuses lists that do not fit the run, and a planted swap in a list is caught', async () => {
    const lists = await loadMovieNeighbourIds(ctx.db(), seed.runId, 'taste');
    const copy = () => lists.map((l) => ({ movieId: l.movieId, neighbourIds: [...l.neighbourIds] }));
    expect(() => snap.attachNeighbourLists('audience', copy().slice(1))).toThrow(`${lists.length - 1} lists for ${lists.length} films`);
    const short = copy();
    short[3].neighbourIds.pop();
    expect(() => snap.attachNeighbourLists('audience', short)).toThrow(/has 99 neighbours, expected 100/);
    const self = copy();
    self[0].neighbourIds[5] = self[0].movieId;
    expect(() => snap.attachNeighbourLists('audience', self)).toThrow(/neighbour 1 is itself/);
    const twice = copy();
    twice[1] = { ...twice[0] };
    expect(() => snap.attachNeighbourLists('audience', twice)).toThrow(/film 1 has two lists/);
    const unknown = copy();
    unknown[0].neighbourIds[5] = 777_777;
    expect(() => snap.attachNeighbourLists('audience', unknown)).toThrow(/neighbour 777777 is not in the run/);
    // planted: two neighbours swapped; the exactness check above would fail on it
    const swapped = copy();
    const l = swapped.find((x) => x.movieId === 1)!;
    [l.neighbourIds[0], l.neighbourIds[1]] = [l.neighbourIds[1], l.neighbourIds[0]];
    snap.attachNeighbourLists('audience', swapped);
    expect(plain(snap.similarTo(1, 5, { minRatingCount: 0 }, 'audience'))).not.toEqual(
      plain(snap.neighbours(snap.vector(1, 'audience'), 5, { minRatingCount: 0 }, [1], 'audience')),
    );
  });
});
