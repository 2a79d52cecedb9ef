// Serving benchmark: similarMovies over HTTP through the gateway (Apollo + type-graphql)
// vs a bare node:http endpoint doing the same lookups (same title lookup, same snapshot
// methods, same per-run answer cache, same rows as JSON), both hit by autocannon with
// 64 connections on loopback in the same run, in these streams (./serve-workload.ts):
//   cached   — one request body repeated (what a popular page does; per-run caches answer)
//   mix      — the realistic workload of issue 19: Zipf(s = 1) titles by rating count,
//              30% filtered, 10% moods, from empty answer caches (a cold start)
//   distinct — every request a different title (the long tail: nothing can be replayed),
//              unfiltered and with one genre
//   mix at half load — the mix again, open loop (./load-generator.ts): requests scheduled
//              at half the gateway's saturated rate, latency from each one's scheduled time
// and, before serving, the cost of the precomputed neighbour lists (compute time on two
// threads, size in the database, load time), then recall@10 and latency of the three
// neighbour paths (served in-memory exact, pgvector exact, pgvector HNSW). This process
// seeds the embedded store (in a folder) and measures the lists; both servers then run
// in a serving process of their own (./serve-host.ts), as a deployed gateway does, and
// each load generator in another (the machine's cores are shared — said in the notes).
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  copyMovieNeighbours,
  forEachMovieNeighbours,
  loadRunBlend,
  loadRunMovies,
  migrate,
  movieNeighboursBytes,
  openPglite,
  similarMoviesAnn,
  similarMoviesExact,
  type Db,
  type NeighbourBasis,
} from '@cinemap/db';
import { seedGatewayFixture, type SeedResult } from '@cinemap/db/testing';
import { loadDotScanKernel, loadNeighbourListKernel, unitRowsById } from '@cinemap/math';
import { resolveWorkerScript } from '@cinemap/cli';
import { computeNeighbourLists, neighbourRows, type ListScreen } from '@cinemap/trainer';
import type { OpenLoopResult } from './load-generator';
import { processNotes, startQuietGateway, startServeHost, type HostCalls, type ServeHost, type Watched } from './serve-host';
import { distinctStream, mixStream, SIMILAR, type BareRequest, type Streams } from './serve-workload';
import type { BenchOptions, BenchRow } from './types';

interface LoadResult extends Watched {
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
}

// The load generator's script (run with `node -e`): autocannon's API with a request
// list cycled per connection, so each request can carry a different body.
const LOADER = `
const autocannon = require(process.argv[1]);
const [url, bodiesFile, seconds, connections] = process.argv.slice(2);
const bodies = JSON.parse(require('fs').readFileSync(bodiesFile, 'utf8'));
let next = 0;
autocannon({
  url, connections: Number(connections), duration: Number(seconds), method: 'POST',
  headers: { 'content-type': 'application/json' },
  requests: [{ setupRequest(req) { req.body = bodies[next++ % bodies.length]; return req; } }],
}, (err, r) => {
  if (err) { console.error(err); process.exit(1); }
  process.stdout.write(JSON.stringify({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx + r.timeouts, total: r.requests.total }));
});`;

/** Runs `args` with this Node and returns its stdout (it must exit 0). */
function runChild(args: string[], what: string): Promise<string> {
  return new Promise<string>((ok, fail) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (c) => (text += c));
    child.on('exit', (code) => (code === 0 ? ok(text) : fail(new Error(`${what} exited with ${code}`))));
  });
}

/** One closed-loop run (autocannon, 64 connections) while the serving host watches itself. */
async function load(host: ServeHost, url: string, bodiesFile: string, seconds: number): Promise<LoadResult> {
  await host.call('watch');
  const out = await runChild(['-e', LOADER, require.resolve('autocannon'), url, bodiesFile, String(seconds), '64'], 'autocannon');
  const watched = await host.call('watched');
  const r = JSON.parse(out);
  return { reqPerSec: r.rps, p50: r.p50, p99: r.p99, errors: r.errors, requests: r.total, ...watched };
}

/** An open-loop run's result, and what the serving host went through meanwhile. */
type OpenLoop = OpenLoopResult & { host: Watched };

/** One open-loop run (./load-generator.ts) in a process of its own: `rate` req/s scheduled for `seconds`. */
async function openLoop(
  host: ServeHost,
  url: string,
  bodiesFile: string,
  kindsFile: string,
  rate: number,
  seconds: number,
): Promise<OpenLoop> {
  const script = resolveWorkerScript('bench', 'load');
  const args = [
    ...script.execArgv,
    script.file,
    '--url',
    url,
    '--bodies',
    bodiesFile,
    '--kinds',
    kindsFile,
    '--rate',
    String(rate),
    '--seconds',
    String(seconds),
  ];
  await host.call('watch');
  const out = await runChild(args, 'the open-loop load generator');
  return { ...(JSON.parse(out) as OpenLoopResult), host: await host.call('watched') };
}

interface ListCost {
  /** Both bases, as the trainer computes them for a run. */
  seconds: number;
  /** Per basis, in the order computed. */
  perBasis: { basis: NeighbourBasis; dim: number; seconds: number; screen: ListScreen; scanned: number }[];
  threads: number;
  /** One scan per film, both bases. */
  scanSecondsEstimate: number;
  /** The blocked WASM kernel (the screen before ONNX Runtime's), both bases: a sample on one thread, scaled. */
  wasmSecondsEstimate: number;
  bytes: number;
  loadMs: number;
  n: number;
}

/**
 * Computes the run's lists as the trainer does — TASTE (50-d) and BLEND (the default
 * basis, taste beside audience: 100-d), worker threads, two on this machine — and stores
 * them; measures their size, how long the gateway takes to read them, and, as the
 * baseline, the blocked WASM kernel that screened before ONNX Runtime did (2,048 films on
 * one thread, scaled to the catalogue over the same threads), and one scan per film (the
 * WASM scan kernel on one thread, timed on 1000 films and scaled).
 */
async function neighbourListCost(db: Db, seed: SeedResult, log: (m: string) => void): Promise<ListCost> {
  const rows = await loadRunMovies(db, seed.runId);
  const ids = rows.map((r) => r.movieId);
  const taste = new Float32Array(rows.length * seed.dim);
  rows.forEach((r, i) => taste.set(r.embedding, i * seed.dim));
  const blendById = await loadRunBlend(db, seed.runId);
  const blendDim = seed.dim + seed.audienceDim;
  const blend = new Float32Array(rows.length * blendDim);
  rows.forEach((r, i) => blend.set(blendById.get(r.movieId)!, i * blendDim));
  const kernel = await loadDotScanKernel();
  const listKernel = await loadNeighbourListKernel();
  const cost: ListCost = {
    seconds: 0,
    perBasis: [],
    threads: 2,
    scanSecondsEstimate: 0,
    wasmSecondsEstimate: 0,
    bytes: 0,
    loadMs: 0,
    n: 0,
  };
  for (const [basis, factors, dim] of [
    ['taste', taste, seed.dim],
    ['blend', blend, blendDim],
  ] as const) {
    let shown = 0;
    const lists = await computeNeighbourLists(ids, factors, dim, {
      threads: cost.threads,
      onProgress: (done, total) => {
        if (done - shown < total / 10 && done < total) return;
        log(`${basis} neighbour lists ${done}/${total} (${((100 * done) / total).toFixed(0)}%)`);
        shown = done;
      },
    });
    log(
      `${basis} neighbour lists: ${rows.length} films x ${lists.lists.n} (${dim}-d) in ${lists.seconds.toFixed(1)} s on ${cost.threads} threads (${lists.screen} screen, ${lists.scanned} films scanned)`,
    );
    await db.transaction((tx) => copyMovieNeighbours(tx, seed.runId, basis, neighbourRows(lists)));
    cost.seconds += lists.seconds;
    cost.perBasis.push({ basis, dim, seconds: lists.seconds, screen: lists.screen, scanned: lists.scanned });
    cost.n = lists.lists.n;
    const unit = unitRowsById(ids, factors, dim).matrix;
    const wasmSample = Math.min(2048, rows.length);
    const tw = performance.now();
    listKernel.prepare(unit, rows.length, dim).lists(cost.n, { to: wasmSample });
    cost.wasmSecondsEstimate += ((performance.now() - tw) / 1000) * (rows.length / wasmSample / cost.threads);
    const index = kernel.index(rows.length, dim);
    index.matrix.set(factors);
    const sample = Math.min(1000, rows.length);
    const t = performance.now();
    for (let q = 0; q < sample; q++) index.topK(index.matrix.subarray(q * dim, (q + 1) * dim), cost.n + 1);
    cost.scanSecondsEstimate += ((performance.now() - t) / 1000) * (rows.length / sample);
  }
  cost.bytes = await movieNeighboursBytes(db);
  const t = performance.now();
  for (const { basis } of cost.perBasis) await forEachMovieNeighbours(db, seed.runId, basis, () => {});
  cost.loadMs = performance.now() - t;
  return cost;
}

interface Pair {
  g: LoadResult;
  b: LoadResult;
}

/** Runs one stream against the gateway then the bare server, each from empty answer caches. */
async function both(host: ServeHost, dir: string, name: string, st: Streams, seconds: number): Promise<Pair> {
  const gf = join(dir, `${name}-gw.json`),
    bf = join(dir, `${name}-bare.json`);
  writeFileSync(gf, JSON.stringify(st.gateway));
  writeFileSync(bf, JSON.stringify(st.bare));
  await host.call('clear');
  const g = await load(host, host.gatewayUrl, gf, seconds);
  await host.call('clear');
  const b = await load(host, host.bareUrl, bf, seconds);
  return { g, b };
}

/** CPU µs the serving process spent per request answered while it was watched. */
function cpuPerRequest(r: LoadResult): number {
  return (r.cpuSeconds / Math.max(1, r.requests)) * 1e6;
}

/** The five rows of one stream: req/s, p50, p99, CPU per request (each vs bare), and the ratio. */
function streamRows(key: string, label: string, p: Pair, notes: string, aim?: string): BenchRow[] {
  return [
    {
      key: `${key}_req_per_s`,
      figure: `${label} (req/s)`,
      cinemap: p.g.reqPerSec,
      baselineName: 'bare node:http, same lookups',
      baseline: p.b.reqPerSec,
      unit: 'req/s',
      higherIsBetter: true,
      notes: `${notes}; errors gateway ${p.g.errors}, bare ${p.b.errors}`,
    },
    {
      key: `${key}_p50_ms`,
      figure: `${label}, p50 latency`,
      cinemap: p.g.p50,
      baselineName: 'bare node:http',
      baseline: p.b.p50,
      unit: 'ms',
      higherIsBetter: false,
    },
    {
      key: `${key}_p99_ms`,
      figure: `${label}, p99 latency`,
      cinemap: p.g.p99,
      baselineName: 'bare node:http',
      baseline: p.b.p99,
      unit: 'ms',
      higherIsBetter: false,
    },
    {
      key: `${key}_cpu_us`,
      figure: `${label}, serving CPU per answered request (µs)`,
      cinemap: cpuPerRequest(p.g),
      baselineName: 'bare node:http',
      baseline: cpuPerRequest(p.b),
      unit: 'µs',
      higherIsBetter: false,
      notes:
        "the serving process's CPU time (user + system) over the requests it answered: unlike req/s it does not fall when the load generator or the hypervisor takes the cores (the stolen share is in the req/s row's notes)",
    },
    {
      key: `${key}_vs_bare`,
      figure: `${label}: gateway / bare req/s`,
      cinemap: p.g.reqPerSec / p.b.reqPerSec,
      unit: 'x',
      higherIsBetter: true,
      notes: aim,
    },
  ];
}

export async function runServeBench(opts: BenchOptions): Promise<BenchRow[]> {
  const movies = opts.quick ? 20_000 : 86_000;
  const seconds = opts.serveSeconds ?? (opts.quick ? 4 : 10);
  const mixSeconds = opts.serveSeconds ?? (opts.quick ? 6 : 30);
  const log = (m: string) => console.error(`bench serve: ${m}`);
  const t = Date.now();
  // The store lives in a folder, so that the serving host (another process) can open it.
  const dir = mkdtempSync(join(tmpdir(), 'cinemap-serve-'));
  const storeDir = join(dir, 'store');
  try {
    const db = await openPglite({ dataDir: storeDir });
    await migrate(db);
    // As a trained run of today: 50 taste factors and 50 audience factors (the trainer's
    // defaults), so BLEND, the default basis, is 100-d and has its own lists.
    const seed = await seedGatewayFixture(db, { fillers: movies, dim: 50, audienceDim: 50, users: 50, neighbourLists: false });
    log(
      `seeded ${seed.movies.length} movies x 50 taste + 50 audience dims (COPY, random embeddings, HNSW indexes) in ${((Date.now() - t) / 1000).toFixed(1)} s`,
    );
    const cost = await neighbourListCost(db, seed, log);
    const recall = await recallRows(db, seed, opts.quick ? 40 : 100);
    await db.close();
    const host = await startServeHost(storeDir);
    try {
      log(
        `serving host up in ${host.startSeconds.toFixed(1)} s: lists of ${host.lists.taste} (taste) and ${host.lists.blend} (blend) loaded; its RSS ${(host.memory.rss / 2 ** 20).toFixed(0)} MB`,
      );
      const films = seed.movies.map((m) => ({ title: m.title, ratingCount: m.ratingCount }));
      const genre = 'Drama';
      const share = seed.movies.filter((m) => m.genres.includes(genre)).length / seed.movies.length;
      const rows = await serveStreams(host, dir, films, { seconds, mixSeconds, genre, share }, log);
      // Last, so the streams ran as a gateway that answers no predictRating runs: without a session.
      const scorer = await host.call('scorer');
      return [...rows, ...costRows(seed.movies.length, cost, host, scorer), ...recall];
    } finally {
      await host.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface StreamPlan {
  seconds: number;
  mixSeconds: number;
  /** The filtered distinct stream's genre, and its share of the films. */
  genre: string;
  share: number;
}

/** Every stream against the serving host's two servers, and their rows. */
// eslint-disable-next-line max-lines-per-function -- the streams in order, then their rows
async function serveStreams(
  host: ServeHost,
  dir: string,
  films: { title: string; ratingCount: number }[],
  plan: StreamPlan,
  log: (m: string) => void,
): Promise<BenchRow[]> {
  const { seconds, mixSeconds, genre } = plan;
  const cachedStream: Streams = {
    gateway: [JSON.stringify({ query: SIMILAR, variables: { t: 'The Matrix', k: 10 } })],
    bare: [JSON.stringify({ titles: ['The Matrix'], mood: false, k: 10, filter: null } satisfies BareRequest)],
  };
  const mix = mixStream(films, host.genres, 200_000);
  const distinct = distinctStream(films, null);
  const distinctFiltered = distinctStream(films, { genres: [genre] }, 8);
  await both(host, dir, 'warm', cachedStream, 1); // JIT warm-up of both servers
  log(`load: cached streams, ${seconds} s each`);
  const cached = await both(host, dir, 'cached', cachedStream, seconds);
  log(`load: realistic mix from cold caches, ${mixSeconds} s each`);
  const s0 = await host.call('stats');
  const mixed = await both(host, dir, 'mix', mix, mixSeconds);
  const s1 = await host.call('stats');
  const moodScans = host.threadUp
    ? `mood scans (both servers) on the scan thread ${s1.scanThreadUse.thread - s0.scanThreadUse.thread}, on the event loop ${s1.scanThreadUse.here - s0.scanThreadUse.here}`
    : 'no scan thread: mood scans on the event loop';
  const hostNotes = `serving process during the gateway's run: ${processNotes(mixed.g)}; during the bare's: ${processNotes(mixed.b)}`;
  const ex0 = s0.executionUse,
    ex1 = s1.executionUse;
  const executed = `executed directly ${ex1.direct - ex0.direct}, by a plan in Apollo ${ex1.plan - ex0.plan}, by graphql-js ${ex1.execute - ex0.execute} (the rest replayed)`;
  const use = {
    list: s1.listUse.list - s0.listUse.list,
    fallback: s1.listUse.fallback - s0.listUse.fallback,
    scan: s1.listUse.scan - s0.listUse.scan,
  };
  // The same mix at a fixed rate, half the gateway's saturated throughput just measured, to
  // both servers from cold caches: latency as a service runs it, below saturation.
  const halfRate = Math.max(100, Math.floor(mixed.g.reqPerSec / 2 / 100) * 100);
  log(`load: realistic mix at a fixed ${halfRate} req/s (open loop), ${mixSeconds} s each`);
  const kindsFile = join(dir, 'mix-kinds.json');
  writeFileSync(kindsFile, JSON.stringify(mix.kinds));
  await host.call('clear');
  const halfG = await openLoop(host, host.gatewayUrl, join(dir, 'mix-gw.json'), kindsFile, halfRate, mixSeconds);
  await host.call('clear');
  const halfB = await openLoop(host, host.bareUrl, join(dir, 'mix-bare.json'), kindsFile, halfRate, mixSeconds);
  log(`load: every title different, unfiltered and ${genre} only, ${seconds} s each`);
  const dist = await both(host, dir, 'distinct', distinct, seconds);
  const u1 = (await host.call('stats')).listUse;
  const distF = await both(host, dir, 'distinct-filtered', distinctFiltered, seconds);
  const u2 = (await host.call('stats')).listUse;
  const fallbackF = u2.fallback - u1.fallback,
    answeredF = u2.list - u1.list + fallbackF;
  for (const [name, p] of [
    ['distinct', dist],
    ['distinct filtered', distF],
  ] as const)
    if (p.g.requests > films.length || p.b.requests > films.length)
      log(`warning: the ${name} stream wrapped around its title list; some answers were cached`);
  return [
    ...streamRows(
      'serve',
      'similarMovies k=10 over HTTP, cached stream',
      cached,
      `${SETUP(films.length)}; ${seconds} s; one title repeated: whole responses replayed per run snapshot`,
      'aim >= 0.5 (Apollo is typically ~0.26)',
    ),
    ...streamRows(
      'serve_mix',
      'realistic mix over HTTP, cold caches',
      mixed,
      `${mixSeconds} s; ${mix.gateway.length} requests cycled: titles Zipf(s=1) by rating count, ${((100 * mix.filtered) / mix.gateway.length).toFixed(0)}% filtered, ${((100 * mix.moods) / mix.gateway.length).toFixed(0)}% moods (scan), k=10; gateway similarMovies answered from lists ${use.list}, fallback scans ${use.fallback}, no-list scans ${use.scan}; ${moodScans}; requests ${executed}; ${hostNotes}`,
      'aim >= 10k req/s, p99 <= 10 ms, >= 0.5x bare',
    ),
    ...halfLoadRows(halfRate, mixSeconds, halfG, halfB),
    ...streamRows(
      'serve_distinct',
      'similarMovies k=10, every title different',
      dist,
      `${seconds} s; ${films.length} distinct titles, unfiltered (floor 10): a walk of the film's list, no cache`,
      'aim >= 5k req/s',
    ),
    ...streamRows(
      'serve_distinct_filtered',
      `similarMovies k=10, every title different, ${genre} only`,
      distF,
      `${seconds} s; genre share ${(100 * plan.share).toFixed(0)}% of films; fallback scans ${fallbackF} of ${answeredF} gateway answers`,
      'aim >= 1k req/s',
    ),
  ];
}

const SETUP = (n: number) =>
  `${n} movies x 50 taste + 50 audience dims, asked in BLEND (the default basis, 100-d; seeded by COPY with random embeddings, not a trained run), embedded PGlite store in a folder; gateway and bare server in a serving process of their own (bench/src/serve-host.ts), autocannon (64 connections, loopback) in another, all sharing the machine's cores`;

/** The lists' cost rows and the serving process's memory. */
function costRows(films: number, cost: ListCost, host: ServeHost, scorer: HostCalls['scorer']): BenchRow[] {
  const mb = (x: number) => x / 2 ** 20;
  return [
    {
      key: 'neighbour_lists_s',
      figure: `exact neighbour lists, ${films} films x ${cost.n}, taste and blend, ${cost.threads} threads (s)`,
      cinemap: cost.seconds,
      baselineName: `blocked WASM kernel, the screen before (2,048 films on 1 thread, scaled to ${cost.threads})`,
      baseline: cost.wasmSecondsEstimate,
      unit: 's',
      higherIsBetter: false,
      notes: `${cost.perBasis.map((b) => `${b.basis} (${b.dim}-d) ${b.seconds.toFixed(1)} s (${b.screen} screen, ${b.scanned} films scanned)`).join(', ')}; float32 screen: ONNX Runtime MatMul + TopK of the n + 33 best per film on its own ${cost.threads} threads, then exact float64 re-scoring in the WASM scan kernel (bit-identical to the scan); one WASM scan per film on 1 thread would take ${cost.scanSecondsEstimate.toFixed(0)} s (extrapolated from 1000); aim <= 60 s on 86k films`,
    },
    {
      key: 'neighbour_lists_mb',
      figure: 'movie_neighbours size in the database (MB)',
      cinemap: mb(cost.bytes),
      unit: 'MB',
      higherIsBetter: false,
      notes: `pg_total_relation_size, PGlite (PostgreSQL 17); int[] + real[] per film; read back in ${(cost.loadMs / 1000).toFixed(1)} s`,
    },
    {
      key: 'neighbour_lists_load_s',
      figure: 'gateway: read the lists from the database (s)',
      cinemap: cost.loadMs / 1000,
      baselineName: 'computing them at load (2 threads)',
      baseline: cost.seconds,
      unit: 's',
      higherIsBetter: false,
      notes: 'why the trainer computes them: reading is cheaper than computing on every gateway start and swap',
    },
    {
      key: 'serve_rss_mb',
      figure: 'serving process RSS with the run and its lists loaded (MB)',
      cinemap: mb(host.memory.rss),
      unit: 'MB',
      higherIsBetter: false,
      notes: `the gateway, the bare server and the embedded PGlite store in one process, started as \`npm start\` starts it; no ONNX scorer loaded (the first predictRating loads it: next row) (\`node ${host.runtime.execArgv.filter((a) => a.startsWith('--max')).join(' ')}\`, GLIBC_TUNABLES=${host.runtime.glibcTunables}), up in ${host.startSeconds.toFixed(1)} s; the lists take ${mb(cost.perBasis.length * films * cost.n * 3).toFixed(0)} MB in the gateway (both bases, row numbers in 3 bytes); of the RSS, V8's heap (what a major collection walks) ${mb(host.memory.heapTotal).toFixed(0)} MB (${mb(host.memory.heapUsed).toFixed(0)} used), array buffers ${mb(host.memory.arrayBuffers).toFixed(0)} MB, the rest (WebAssembly memories: PGlite's, the scan kernel's; code; native) ${mb(host.memory.rss - host.memory.heapTotal - host.memory.arrayBuffers).toFixed(0)} MB`,
    },
    {
      key: 'serve_rss_scorer_mb',
      figure: "serving process RSS added by the first predictRating (the run's ONNX scorer loaded) (MB)",
      cinemap: mb(scorer.after.rss - scorer.before.rss),
      unit: 'MB',
      higherIsBetter: false,
      notes: `the same process after the streams, just before and after the scorer loaded as the first predictRating loads it (${scorer.ms.toFixed(0)} ms: the artifact read from the store, an ONNX Runtime session): ${mb(scorer.before.rss).toFixed(0)} → ${mb(scorer.after.rss).toFixed(0)} MB (before: after the streams, with both servers' answer caches filled, up to 20,000 responses each, and a full collection; RSS can still fall across the load when freed pages go back to the system, so this figure is a rough one); the seed's scorer holds ${films} films and 50 users`,
    },
  ];
}

/** The open-loop mix's rows: p50 and p99 at half the gateway's saturated rate, each vs bare. */
function halfLoadRows(rate: number, seconds: number, g: OpenLoop, b: OpenLoop): BenchRow[] {
  const kinds = (r: OpenLoopResult) =>
    Object.entries(r.byKind)
      .map(([k, s]) => `${k} ${s.p50.toFixed(1)}/${s.p99.toFixed(1)}`)
      .join(', ');
  const run = (r: OpenLoop) =>
    `${r.achieved.toFixed(0)} req/s answered, p99.9 ${r.p999.toFixed(1)} ms, max ${r.max.toFixed(0)} ms, at most ${r.maxQueued} waiting for a connection, ${r.errors} errors, ${r.unfinished} unfinished; p50/p99 ms by kind: ${kinds(r)}; serving process: ${processNotes(r.host)}; the generator itself late by p99 ${r.loaderLag.p99.toFixed(1)} / max ${r.loaderLag.max.toFixed(0)} ms`;
  const label = `realistic mix at a fixed ${rate} req/s (half the gateway's saturated rate), cold caches`;
  return [
    {
      key: 'serve_mix_half_load_p50_ms',
      figure: `${label}, p50 latency`,
      cinemap: g.p50,
      baselineName: 'bare node:http, same rate',
      baseline: b.p50,
      unit: 'ms',
      higherIsBetter: false,
      notes: `open loop (bench/src/load-generator.ts, its own process): ${seconds} s scheduled, 64 connections, latency from each request's scheduled time; gateway: ${run(g)}; bare: ${run(b)}; load generator ${g.loaderCores.toFixed(2)} / ${b.loaderCores.toFixed(2)} cores`,
    },
    {
      key: 'serve_mix_half_load_p99_ms',
      figure: `${label}, p99 latency`,
      cinemap: g.p99,
      baselineName: 'bare node:http, same rate',
      baseline: b.p99,
      unit: 'ms',
      higherIsBetter: false,
    },
  ];
}

/** Recall@10 and latency of the served path (lists and scan) vs pgvector exact and HNSW. */
// eslint-disable-next-line max-lines-per-function -- one measurement loop and its three rows
async function recallRows(db: Db, seed: SeedResult, samples: number): Promise<BenchRow[]> {
  // The served path's snapshot, from a gateway in this process (closed before the serving host opens the store).
  const gw = await startQuietGateway(db);
  const snap = gw.store.current!;
  const sample = seed.movies.filter((_, i) => i % Math.max(1, Math.floor(seed.movies.length / samples)) === 0);
  let memHit = 0,
    annHit = 0,
    total = 0,
    memMs = 0,
    listMs = 0,
    exactMs = 0,
    annMs = 0,
    listDiffers = 0,
    t = 0;
  for (const m of sample) {
    t = performance.now();
    const mem = snap.neighbours(snap.vector(m.movieId), 10, { minRatingCount: 0 }, [m.movieId]);
    memMs += performance.now() - t;
    t = performance.now();
    const fromList = snap.similarTo(m.movieId, 10, { minRatingCount: 0 });
    listMs += performance.now() - t;
    if (JSON.stringify(fromList) !== JSON.stringify(mem)) listDiffers++;
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
  const n = sample.length;
  return [
    {
      key: 'similar_recall_at_10',
      figure: 'recall@10 vs pgvector exact cosine',
      cinemap: memHit / total,
      baselineName: 'pgvector HNSW (ef_search 40)',
      baseline: annHit / total,
      unit: '',
      higherIsBetter: true,
      notes: `${n} query movies, floor off; served path = in-memory exact (lists or scan: ${listDiffers} of ${n} list answers differ from the scan)`,
    },
    {
      key: 'similar_query_ms',
      figure: 'one neighbour query (no cache), exact scan',
      cinemap: memMs / n,
      baselineName: 'pgvector exact scan',
      baseline: exactMs / n,
      unit: 'ms',
      higherIsBetter: false,
      notes: `pgvector HNSW (ef_search 40): ${(annMs / n).toFixed(2)} ms at recall@10 ${(annHit / total).toFixed(3)}; PGlite (single-threaded WASM) in-process`,
    },
    {
      key: 'similar_list_query_ms',
      figure: 'one neighbour query (no cache), from the list',
      cinemap: listMs / n,
      baselineName: 'exact scan',
      baseline: memMs / n,
      unit: 'ms',
      higherIsBetter: false,
      notes: 'same answers, floor off',
    },
  ];
}
