// Serving benchmark: similarMovies over HTTP through the gateway (Apollo + type-graphql)
// vs a bare node:http endpoint doing the same work (same title resolution, same
// in-memory exact top-k) and returning the same rows as JSON, both hit by autocannon
// with 64 connections on loopback in the same run; then recall@10 and latency of
// the three neighbour paths (served in-memory exact, pgvector exact, pgvector HNSW).
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { migrate, openPglite, resolveTitle, similarMoviesAnn, similarMoviesExact } from '@cinemap/db';
import { seedGatewayFixture } from '../../libs/db/src/testing/seed';
import { startGateway } from '../../apps/gateway/src/index';
import type { BenchOptions, BenchRow } from './types';

interface LoadResult {
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
}

// autocannon runs in its own process: in the server's process it would share (and
// distort) the event loop being measured.
async function load(url: string, body: string, seconds: number): Promise<LoadResult> {
  const bin = require.resolve('autocannon/autocannon.js');
  const args = [bin, '--json', '-c', '64', '-d', String(seconds), '-m', 'POST', '-H', 'content-type=application/json', '-b', body, url];
  const out = await new Promise<string>((ok, fail) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.on('data', (c) => (text += c));
    child.on('exit', (code) => (code === 0 ? ok(text) : fail(new Error(`autocannon exited with ${code}`))));
  });
  const r = JSON.parse(out);
  return { reqPerSec: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

export async function runServeBench(opts: BenchOptions): Promise<BenchRow[]> {
  const movies = opts.quick ? 5_000 : 86_000;
  const seconds = opts.quick ? 3 : 10;
  const db = await openPglite({ dataDir: 'memory://' });
  await migrate(db);
  const seed = await seedGatewayFixture(db, { fillers: movies, dim: 50, users: 50 });
  const gw = await startGateway({ db, port: 0, host: '127.0.0.1', log: pino({ level: 'silent' }), introspection: false });

  // The bare endpoint: same resolution (cached SQL resolve_title) and the same in-memory top-k.
  const titles = new Map<string, number | null>();
  const answers = new Map<string, string>(); // same per-run answer caching as the gateway
  const bare = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', async () => {
      const { title, k } = JSON.parse(raw) as { title: string; k: number };
      const snap = gw.store.current!;
      const key = `${snap.runId}|${title}|${k}`;
      const cached = answers.get(key);
      if (cached) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(cached) });
        return res.end(cached);
      }
      let id = titles.get(title);
      if (id === undefined) titles.set(title, (id = await resolveTitle(db, title)));
      const rows = snap.neighbours(snap.vector(id!), k, {}, [id!]).map((n) => ({ similarity: n.similarity, movie: n.movie }));
      const text = JSON.stringify(rows);
      answers.set(key, text);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((ok) => bare.listen(0, '127.0.0.1', () => ok()));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;

  const query = '{ similarMovies(title: "The Matrix", k: 10) { similarity movie { id title year genres ratingCount averageRating bias imdbUrl tmdbUrl } } }';
  await load(gw.url, JSON.stringify({ query }), 1); // warm-up
  await load(bareUrl, JSON.stringify({ title: 'The Matrix', k: 10 }), 1);
  const g = await load(gw.url, JSON.stringify({ query }), seconds);
  const b = await load(bareUrl, JSON.stringify({ title: 'The Matrix', k: 10 }), seconds);

  // Recall and latency of the neighbour paths over sample queries.
  const snap = gw.store.current!;
  const sample = seed.movies.filter((_, i) => i % Math.max(1, Math.floor(seed.movies.length / (opts.quick ? 50 : 200))) === 0);
  let memHit = 0, annHit = 0, total = 0, memMs = 0, exactMs = 0, annMs = 0;
  for (const m of sample) {
    let t = performance.now();
    const mem = snap.neighbours(snap.vector(m.movieId), 10, { minRatingCount: 0 }, [m.movieId]);
    memMs += performance.now() - t;
    t = performance.now();
    const exact = await similarMoviesExact(db, seed.runId, m.movieId, 10, { minRatingCount: 0 });
    exactMs += performance.now() - t;
    t = performance.now();
    const ann = await similarMoviesAnn(db, seed.runId, m.movieId, seed.dim, 10);
    annMs += performance.now() - t;
    const truth = new Set(exact.map((r) => r.movieId));
    memHit += mem.filter((n) => truth.has(n.movie.id)).length;
    annHit += ann.filter((r) => truth.has(r.movieId)).length;
    total += truth.size;
  }
  await gw.close();
  await new Promise<void>((ok) => bare.close(() => ok()));
  await db.close();
  const n = sample.length;
  const note = `${seed.movies.length} movies x 50 dims, PGlite in-process, autocannon 64 connections ${seconds} s, loopback; errors gateway ${g.errors}, bare ${b.errors}`;
  return [
    { key: 'serve_req_per_s', figure: 'similarMovies k=10 over HTTP (req/s)', cinemap: g.reqPerSec, baselineName: 'bare node:http, same work', baseline: b.reqPerSec, unit: 'req/s', higherIsBetter: true, notes: note },
    { key: 'serve_p50_ms', figure: 'similarMovies p50 latency', cinemap: g.p50, baselineName: 'bare node:http', baseline: b.p50, unit: 'ms', higherIsBetter: false },
    { key: 'serve_p99_ms', figure: 'similarMovies p99 latency', cinemap: g.p99, baselineName: 'bare node:http', baseline: b.p99, unit: 'ms', higherIsBetter: false },
    { key: 'serve_vs_bare', figure: 'gateway / bare req/s', cinemap: g.reqPerSec / b.reqPerSec, unit: 'x', higherIsBetter: true, notes: 'aim >= 0.5 (Apollo is typically ~0.26); answers cached per run' },
    { key: 'similar_recall_at_10', figure: 'recall@10 vs exact cosine', cinemap: memHit / total, baselineName: 'pgvector HNSW (ef_search 40)', baseline: annHit / total, unit: '', higherIsBetter: true, notes: `${n} query movies; served path = in-memory exact` },
    { key: 'similar_query_ms', figure: 'one neighbour query (uncached)', cinemap: memMs / n, baselineName: 'pgvector exact scan', baseline: exactMs / n, unit: 'ms', higherIsBetter: false, notes: `pgvector HNSW: ${(annMs / n).toFixed(2)} ms` },
  ];
}
