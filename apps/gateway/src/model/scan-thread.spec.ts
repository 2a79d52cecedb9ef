// The scan thread (./scan-thread.ts, ../bin/scan-worker.ts run through tsx): a mood's
// scan on the worker — reading the snapshot's own shared memory in its own lane — answers
// exactly what the scan on the event loop answers (same films, order, bit-identical
// similarities) for random moods, filters and k, in every basis, also while the event loop
// scans the same memory at the same time; and nothing is lost when the thread is not
// there: before it is up, for a swapped-out snapshot, when it cannot start, when it dies
// holding scans, and after close.
import 'reflect-metadata';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { MovieFilter, SimilarityBasis } from '@cinemap/domain';
import type { RunMovieRow, ServedModelRun } from '@cinemap/db';
import { loadDotScanKernel, type DotScanKernel } from '@cinemap/math';
import { ScanThread } from './scan-thread';
import { SnapshotBuilder, type ModelSnapshot } from './snapshot';
import type { SimilarMovie } from '../graphql/types/similar-movie.type';

const FILMS = 3000,
  DIM = 24,
  AUDIENCE = 16;
const GENRES = ['Drama', 'Comedy', 'Action', 'Horror', 'Romance'];

function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

const run: ServedModelRun = {
  id: 7,
  datasetId: 1,
  activeDatasetId: 1,
  createdAt: new Date(0),
  params: { blendWeight: 0.5 },
  engine: 'native',
  backend: 'cpu',
  metrics: {},
  status: 'active',
  datasetParams: null,
};

function snapshotWith(kernel: DotScanKernel, thread: ScanThread | null): ModelSnapshot {
  const r = rng(19);
  const b = new SnapshotBuilder(run, FILMS, kernel, thread);
  for (let i = 0; i < FILMS; i++) {
    const row: RunMovieRow = {
      movieId: 10 + 3 * i,
      title: `Film ${i} (${1950 + (i % 70)})`,
      displayTitle: `Film ${i}`,
      year: 1950 + (i % 70),
      genres: GENRES.filter((_, g) => (i >> g) & 1),
      imdbId: null,
      tmdbId: null,
      ratingCount: 1 + Math.floor(r() * 2000),
      averageRating: 1 + 4 * r(),
      bias: r() - 0.5,
      // Coarse values: exact ties between films, which the order must break alike.
      embedding: Float32Array.from({ length: DIM }, () => Math.round((r() - 0.5) * 8) / 4),
      pc1: null,
      pc2: null,
      pc3: null,
    };
    b.addMovie(row);
  }
  for (let i = 0; i < FILMS; i++)
    b.addAudience(
      10 + 3 * i,
      Float32Array.from({ length: AUDIENCE }, () => r() - 0.5),
    );
  return b.finish(null);
}

const plain = (a: SimilarMovie[]) => a.map((s) => [s.movie.id, s.similarity]);

/** Seeded random moods: 1-4 films, k, a filter, a basis. */
function moods(count: number, seed: number) {
  const r = rng(seed);
  const filters: MovieFilter[] = [
    {},
    { genres: ['Drama'] },
    { yearFrom: 1990 },
    { minAverageRating: 3.5, minRatingCount: 100 },
    { excludeGenres: ['Comedy', 'Horror'] },
  ];
  const bases: SimilarityBasis[] = ['taste', 'audience', 'blend'];
  return Array.from({ length: count }, () => ({
    ids: Array.from({ length: 1 + Math.floor(r() * 4) }, () => 10 + 3 * Math.floor(r() * FILMS)),
    k: 1 + Math.floor(r() * 60),
    filter: filters[Math.floor(r() * filters.length)],
    basis: bases[Math.floor(r() * bases.length)],
  }));
}

describe('the scan thread', () => {
  let kernel: DotScanKernel;
  const log = pino({ level: 'silent' });
  beforeAll(async () => {
    kernel = await loadDotScanKernel();
  });

  it('answers moods exactly as the event loop does, also while the event loop scans the same memory', async () => {
    const thread = new ScanThread(kernel, log);
    const snap = snapshotWith(kernel, thread);
    try {
      expect(await thread.ready()).toBe(true);
      const asked = moods(400, 5);
      // All posted first: the worker scans while this thread runs the same scans on lane 0.
      const onThread = asked.map((m) => snap.scanNeighbours(snap.meanVector(m.ids, m.basis), m.k, m.filter, m.ids, m.basis));
      const here = asked.map((m) => plain(snap.neighbours(snap.meanVector(m.ids, m.basis), m.k, m.filter, m.ids, m.basis)));
      const got = (await Promise.all(onThread)).map(plain);
      expect(got).toEqual(here);
      expect(thread.use).toEqual({ thread: 400, here: 0 });
      expect(got.every((a, i) => a.length === asked[i].k)).toBe(true);
    } finally {
      await thread.close();
    }
  }, 60_000);

  it("takes an answer in the loop turn its scan was posted in (the check phase), not behind the next turn's requests", async () => {
    const thread = new ScanThread(kernel, log);
    const snap = snapshotWith(kernel, thread);
    try {
      expect(await thread.ready()).toBe(true);
      const [m] = moods(1, 9);
      const ask = () => snap.scanNeighbours(snap.meanVector(m.ids, m.basis), m.k, m.filter, m.ids, m.basis);
      await ask(); // the worker attaches the index
      // As under load: posted from a socket's data callback (the poll phase), then the loop
      // stays busy with other requests while the worker answers. Harvested, the answer comes
      // before any timer of the next turn; left to the reply's message event (read on the
      // next poll), after them.
      const server = createServer((socket) =>
        socket.once('data', () => {
          const seen: string[] = [];
          setTimeout(() => seen.push('next turn'), 0);
          void ask().then(() => seen.push('answer'));
          const until = performance.now() + 500;
          while (performance.now() < until); // other requests' work
          setTimeout(() => socket.end(JSON.stringify(seen)), 50);
        }),
      );
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      const order = await new Promise<string[]>((done) => {
        const client = connect((server.address() as AddressInfo).port, '127.0.0.1', () => client.write('x'));
        let text = '';
        client.on('data', (d) => (text += d));
        client.on('end', () => done(JSON.parse(text)));
      });
      server.close();
      expect(order).toEqual(['answer', 'next turn']);
      expect(thread.use).toEqual({ thread: 2, here: 0 });
    } finally {
      await thread.close();
    }
  }, 60_000);

  it('scans here before the thread is up, for a swapped-out snapshot, and after close — the same answers', async () => {
    const thread = new ScanThread(kernel, log);
    try {
      const snap = snapshotWith(kernel, thread);
      const [m] = moods(1, 8);
      const ask = () => snap.scanNeighbours(snap.meanVector(m.ids, m.basis), m.k, m.filter, m.ids, m.basis).then(plain);
      const want = plain(snap.neighbours(snap.meanVector(m.ids, m.basis), m.k, m.filter, m.ids, m.basis));
      expect(await ask()).toEqual(want); // starts the thread; this one ran here
      expect(thread.use).toEqual({ thread: 0, here: 1 });
      expect(await thread.ready()).toBe(true);
      expect(await ask()).toEqual(want);
      expect(thread.use).toEqual({ thread: 1, here: 1 });
      snap.forgetScans();
      expect(await ask()).toEqual(want); // the worker no longer knows the index: scanned here
      expect(thread.use).toEqual({ thread: 1, here: 2 });
      await thread.close();
      expect(await ask()).toEqual(want);
      expect(thread.use).toEqual({ thread: 1, here: 3 });
    } finally {
      await thread.close();
    }
  }, 60_000);

  it('scans here when the thread cannot start or dies holding scans, saying so once in the log', async () => {
    const warned: string[] = [];
    const logged = pino({ level: 'warn' }, { write: (line: string) => warned.push(JSON.parse(line).msg) });
    const missing = new ScanThread(kernel, logged, () => {
      throw new Error('scan-worker: worker script not found');
    });
    const snap = snapshotWith(kernel, missing);
    const asked = moods(20, 11);
    const want = asked.map((m) => plain(snap.neighbours(snap.meanVector(m.ids, m.basis), m.k, m.filter, m.ids, m.basis)));
    expect(await missing.ready()).toBe(false);
    const got = await Promise.all(asked.map((m) => snap.scanNeighbours(snap.meanVector(m.ids, m.basis), m.k, m.filter, m.ids, m.basis)));
    expect(got.map(plain)).toEqual(want);
    expect(missing.use).toEqual({ thread: 0, here: 20 });
    expect(warned).toEqual(['scan thread unavailable; mood scans run on the event loop (same answers, other requests wait for them)']);

    // A worker that comes up, then exits on its first scan: every scan it held is done here.
    const dir = mkdtempSync(join(tmpdir(), 'cinemap-scan-'));
    try {
      const file = join(dir, 'dies.js');
      writeFileSync(
        file,
        `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => { if (m.type === 'init') m.replies.postMessage({ type: 'ready' }); if (m.type === 'scan') setTimeout(() => process.exit(3), 20); });`,
      );
      warned.length = 0;
      const dies = new ScanThread(kernel, logged, () => ({ file, execArgv: [] }));
      const snap2 = snapshotWith(kernel, dies);
      expect(await dies.ready()).toBe(true);
      const got2 = await Promise.all(
        asked.map((m) => snap2.scanNeighbours(snap2.meanVector(m.ids, m.basis), m.k, m.filter, m.ids, m.basis)),
      );
      expect(got2.map(plain)).toEqual(want);
      expect(dies.use).toEqual({ thread: 0, here: 20 });
      expect(dies.up).toBe(false);
      expect(warned).toEqual(['scan thread unavailable; mood scans run on the event loop (same answers, other requests wait for them)']);
      await dies.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
