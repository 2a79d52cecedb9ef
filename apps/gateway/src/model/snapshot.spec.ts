// Given a seeded run with audience vectors on each backend, loaded by the gateway's own
// ModelStore (a page at a time into a SnapshotBuilder): the snapshot equals the one built
// from the rows read whole (every basis's rows bit for bit, the films, the answers);
// films with the same genres share one list; the builder refuses rows that would give
// wrong answers; and the lists' 3-byte row numbers read back what was stored.
import 'reflect-metadata';
import pino from 'pino';
import { loadRunAudience, loadRunMovies, type RunMovieRow } from '@cinemap/db';
import { describeEachBackend, seedGatewayFixture, type SeedResult } from '@cinemap/db/testing';
import { loadDotScanKernel } from '@cinemap/math';
import { ModelStore } from './model-store';
import { BoundedCache, ModelSnapshot, RowLists, SnapshotBuilder } from './snapshot';

const BASES = ['taste', 'audience', 'blend'] as const;
const bits = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

describeEachBackend('ModelSnapshot built a page at a time', (ctx) => {
  let seed: SeedResult;
  let store: ModelStore;
  let snap: ModelSnapshot;
  let rows: RunMovieRow[];
  let whole: ModelSnapshot;
  beforeAll(async () => {
    seed = await seedGatewayFixture(ctx.db(), { fillers: 300, audienceDim: 6, neighbourLists: false });
    store = new ModelStore(ctx.db(), pino({ level: 'silent' }));
    await store.start();
    snap = store.current!;
    rows = await loadRunMovies(ctx.db(), seed.runId);
    const audience = await loadRunAudience(ctx.db(), seed.runId);
    whole = ModelSnapshot.fromRows(snap.run, rows, null, null, await loadDotScanKernel(), snap.loadedAt, audience);
  }, 120_000);
  afterAll(async () => {
    await store?.close();
  });

  it('equals the snapshot of the rows read whole: every basis bit for bit, the films, the answers', () => {
    expect(snap.size).toBe(seed.movies.length);
    expect(snap.dim).toBe(seed.dim);
    expect(snap.blendWeight).toBe(whole.blendWeight);
    expect(snap.genres).toEqual(whole.genres);
    expect(snap.movies).toEqual(whole.movies);
    expect(Buffer.from(snap.norms.buffer).equals(Buffer.from(whole.norms.buffer))).toBe(true);
    expect(Buffer.from(snap.biases.buffer).equals(Buffer.from(whole.biases.buffer))).toBe(true);
    for (const basis of BASES)
      for (const m of seed.movies) expect(bits(snap.vector(m.movieId, basis)).equals(bits(whole.vector(m.movieId, basis)))).toBe(true);
    const filters = [{}, { genres: ['Drama', 'War'] }, { yearFrom: 1960, yearTo: 1990, minRatingCount: 0 }, { minAverageRating: 3.25 }];
    for (const basis of BASES)
      for (const id of [1, 2, 12, 1005, 1200])
        for (const f of filters) expect(snap.similarTo(id, 12, f, basis)).toEqual(whole.similarTo(id, 12, f, basis));
    for (const id of [1, 1005, 1299, 9001, 424242]) {
      expect(snap.has(id)).toBe(whole.has(id));
      expect(snap.rowOfMovie(id)).toBe(whole.rowOfMovie(id));
    }
  });

  it('shares one genres list between the films that have the same genres, equal to what was read', () => {
    const lists = new Map<string, string[]>();
    snap.movies.forEach((m, r) => {
      expect(m.genres).toEqual(rows[r].genres);
      const key = JSON.stringify(m.genres);
      if (!lists.has(key)) lists.set(key, m.genres);
      expect(m.genres).toBe(lists.get(key));
    });
    expect(lists.size).toBeLessThan(snap.size / 3);
  });

  it('refuses movies out of order, of another width, too many or too few, and a film without an audience vector', () => {
    const copy = (r: RunMovieRow): RunMovieRow => ({ ...r, genres: [...r.genres], embedding: Float32Array.from(r.embedding) });
    const [a, b, c] = rows.slice(0, 3).map(copy);
    const builder = (size: number) => new SnapshotBuilder(snap.run, size, null);
    const run = snap.runId;

    const order = builder(3);
    order.addMovie(b);
    expect(() => order.addMovie(a)).toThrow(`run ${run}: movie ${a.movieId} after ${b.movieId} (movies come in ascending id order)`);

    const width = builder(3);
    width.addMovie(a);
    expect(() => width.addMovie({ ...b, embedding: new Float32Array(seed.dim + 1) })).toThrow(
      `run ${run}: movie ${b.movieId} has a ${seed.dim + 1}-d embedding, others ${seed.dim}-d`,
    );

    const many = builder(2);
    many.addMovie(a);
    many.addMovie(b);
    expect(() => many.addMovie(c)).toThrow(`run ${run}: more than the 2 movies announced`);
    expect(() => builder(3).finish(null)).toThrow(`run ${run}: 0 movies added of the 3 announced`);

    const audience = builder(3);
    for (const r of [a, b, c]) audience.addMovie(r);
    audience.addAudience(a.movieId, new Float32Array(6).fill(1));
    audience.addAudience(777_777, new Float32Array(6).fill(1)); // not in the run: ignored
    audience.addAudience(c.movieId, new Float32Array(6).fill(1));
    expect(() => audience.addAudience(b.movieId, new Float32Array(5))).toThrow(
      `run ${run}: movie ${b.movieId} has a 5-d audience vector, others 6-d`,
    );
    expect(() => audience.finish(null)).toThrow(`run ${run}: movie ${b.movieId} has no audience vector, others 6-d`);

    const done = builder(3);
    for (const r of [a, b, c]) done.addMovie(r);
    const s = done.finish(null);
    expect(s.hasBasis('audience')).toBe(false);
    expect(s.blendWeight).toBeNull();
    expect(bits(s.vector(a.movieId, 'blend')).equals(bits(s.vector(a.movieId, 'taste')))).toBe(true);
    expect(() => done.addAudience(a.movieId, new Float32Array(6))).toThrow(/after the bases were built/);
  });
});

describe('RowLists', () => {
  it('reads back the row numbers stored, 3 bytes a row as 4', () => {
    const films = 50,
      n = 7;
    const packed = new RowLists(n, films);
    const wide = new RowLists(n, films, false);
    let x = 1;
    const want: number[] = [];
    for (let r = 0; r < films; r++)
      for (let i = 0; i < n; i++) {
        x = (x * 1103515245 + 12345) % 2 ** 31;
        const row = i === 0 ? 2 ** 24 - 1 : i === 1 ? 0 : x % 2 ** 24;
        want.push(row);
        packed.set(r, i, row);
        wide.set(r, i, row);
      }
    const read = (l: RowLists) => Array.from({ length: films * n }, (_, k) => l.row(Math.floor(k / n), k % n));
    expect(read(packed)).toEqual(want);
    expect(read(wide)).toEqual(want);
  });
});

describe('BoundedCache', () => {
  it('keeps a value from the second time its key is offered, and forgets everything past its limit', () => {
    const cache = new BoundedCache<number>(100);
    cache.set('a', 1);
    expect(cache.get('a')).toBeUndefined(); // asked once: not kept
    cache.set('a', 2);
    expect(cache.get('a')).toBe(2);
    for (let i = 0; i < 100; i++) cache.set(`k${i}`, i);
    expect(cache.size).toBe(1); // 100 keys offered once each: none kept
    for (let i = 0; i < 99; i++) cache.set(`k${i}`, i);
    expect(cache.size).toBe(100);
    cache.set('k99', 99); // the 101st value: everything before it is forgotten
    expect(cache.size).toBe(1);
    expect(cache.get('k99')).toBe(99);
    cache.clear();
    cache.set('k99', 99);
    expect(cache.get('k99')).toBeUndefined(); // clear forgets the marks too
  });

  it('forgets its marks after 4 x limit of them: a key asked twice far apart is not kept', () => {
    const cache = new BoundedCache<number>(10);
    cache.set('far', 1);
    for (let i = 0; i < 40; i++) cache.set(`once${i}`, i);
    cache.set('far', 1);
    expect(cache.get('far')).toBeUndefined();
    cache.set('far', 1);
    expect(cache.get('far')).toBe(1);
  });
});
