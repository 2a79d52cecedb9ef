// The serving bench's server process (./bin/serve-host.ts): the gateway and the bare
// node:http endpoint on one embedded store, in a process of their own — as a deployed
// gateway runs — so what stops them (collections, event-loop delay) is theirs alone, not
// the bench process's (which holds the seed, the streams and the lists' computation).
// Both sides of its IPC are here: `hostServers` runs in the child, `startServeHost` in
// the bench. The bench asks the host to empty its caches, to watch itself during a
// load, and for its counters; the host answers each message with one reply.
import 'reflect-metadata';
import { fork } from 'node:child_process';
import diagnostics from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { monitorEventLoopDelay, PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import pino from 'pino';
import { openPglite, type Db } from '@cinemap/db';
import { startGateway, type Gateway } from '@cinemap/gateway';
import { resolveWorkerScript, SERVING_NODE_FLAGS, servingEnv } from '@cinemap/cli';
import type { BareRequest } from './serve-workload';

/** V8's garbage-collection pauses in the serving process during a load. */
export interface GcPauses {
  count: number;
  totalMs: number;
  maxMs: number;
  /** The longest pause's kind: minor (scavenge), major (mark-compact), incremental, weak callbacks. */
  maxKind: string;
}

/** One stop of the event loop: when (s after the watch began), how long (ms), and how much of it V8's collector took. */
export interface Stall {
  at: number;
  ms: number;
  gcMs: number;
  /** HTTP requests this process began answering during the stop (a burst of work, or none: one long task or the OS). */
  requests: number;
}

/** What the serving process went through during a load. */
export interface Watched {
  /** How late a 1 ms timer fired: ms. */
  loop: { p50: number; p99: number; max: number };
  gc: GcPauses;
  /** Stops of the event loop longer than STALL_MS, in order, and how many there were. */
  stalls: { count: number; totalMs: number; longest: Stall[] };
  /** Cores used meanwhile: by this process (all its threads), and on the whole machine — busy, and taken by the hypervisor (steal); null where /proc/stat is missing. */
  cores: { process: number; busy: number | null; steal: number | null };
  /** This process's CPU time meanwhile (user + system, all its threads), s. */
  cpuSeconds: number;
}

/** The machine's CPU time so far from /proc/stat (Linux), in clock ticks: busy and stolen; null elsewhere. */
function machineTicks(): { busy: number; steal: number } | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...
    return { busy: f[0] + f[1] + f[2] + f[5] + f[6], steal: f[7] };
  } catch {
    return null;
  }
}

/** Clock ticks per second of /proc/stat (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

/** A timer due every TICK_MS firing this much later counts as a stall (ms). */
const STALL_MS = 20;
const TICK_MS = 10;

const GC_KINDS: Record<number, string> = {
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

/**
 * The event loop's delay in ms. A watch shorter than the histogram's 1 ms resolution has no
 * samples (its max is 0 and its percentiles are noise), so it reads as zeros; a percentile is
 * the upper edge of its bucket, which can lie past the largest sample, so none exceeds the max.
 */
function loopDelay(h: ReturnType<typeof monitorEventLoopDelay>): Watched['loop'] {
  if (h.count === 0) return { p50: 0, p99: 0, max: 0 };
  const ms = (ns: number) => Math.min(ns, h.max) / 1e6;
  return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
}

/**
 * Watches this process while a load runs: how late a 1 ms timer fires (the event loop's
 * delay) and how long V8's collector stops it — what the servers' latency tail is made of
 * when the load generator is another process. Call the returned function to stop.
 */
export function watchProcess(): () => Watched {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const gc: GcPauses = { count: 0, totalMs: 0, maxMs: 0, maxKind: '-' };
  /** Pauses of 1 ms or more: [start, end] in performance.now() time, to tell stalls they caused. */
  const pauses: [number, number][] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.count++;
      gc.totalMs += e.duration;
      if (e.duration >= 1) pauses.push([e.startTime, e.startTime + e.duration]);
      if (e.duration > gc.maxMs) {
        gc.maxMs = e.duration;
        gc.maxKind = GC_KINDS[(e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'other';
      }
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  delay.enable();
  const t0 = performance.now();
  // Every request either server begins, by time: a stop full of them was a burst of answers.
  const starts: number[] = [];
  const onStart = () => starts.push(performance.now());
  diagnostics.subscribe('http.server.request.start', onStart);
  const cpu0 = process.cpuUsage(),
    m0 = machineTicks();
  const gaps: [number, number][] = [];
  let last = t0;
  const tick = setInterval(() => {
    const now = performance.now();
    if (now - last - TICK_MS > STALL_MS) gaps.push([last, now]);
    last = now;
  }, TICK_MS);
  return () => {
    clearInterval(tick);
    diagnostics.unsubscribe('http.server.request.start', onStart);
    delay.disable();
    obs.disconnect();
    const stalls = gaps.map(([from, to]): Stall => {
      let gcMs = 0;
      for (const [s, e] of pauses) gcMs += Math.max(0, Math.min(e, to) - Math.max(s, from));
      const requests = starts.filter((x) => x >= from && x <= to).length;
      return { at: (from - t0) / 1000, ms: to - from - TICK_MS, gcMs, requests };
    });
    const longest = [...stalls].sort((x, y) => y.ms - x.ms).slice(0, 5);
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0),
      m1 = machineTicks();
    const perSecond = (ticks: number) => ticks / USER_HZ / wall;
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    return {
      cores: {
        process: cpuSeconds / wall,
        busy: m0 && m1 ? perSecond(m1.busy - m0.busy) : null,
        steal: m0 && m1 ? perSecond(m1.steal - m0.steal) : null,
      },
      cpuSeconds,
      loop: loopDelay(delay),
      gc,
      stalls: { count: stalls.length, totalMs: stalls.reduce((t, x) => t + x.ms, 0), longest },
    };
  };
}

/** The watched process's figures for a row's notes. */
export function processNotes(w: Watched): string {
  const g = w.gc,
    st = w.stalls;
  const longest = st.longest.map(
    (x) =>
      `${x.ms.toFixed(0)} ms at ${x.at.toFixed(1)} s (${x.requests} requests begun${x.gcMs >= 1 ? `, GC ${x.gcMs.toFixed(0)} ms` : ''})`,
  );
  const c = w.cores;
  const machine = c.busy === null ? '' : `; the machine ${c.busy.toFixed(2)} cores busy, ${c.steal!.toFixed(2)} stolen by the hypervisor`;
  return `${c.process.toFixed(2)} cores${machine}; event-loop delay p50/p99/max ${w.loop.p50.toFixed(1)}/${w.loop.p99.toFixed(1)}/${w.loop.max.toFixed(0)} ms, GC pauses ${g.count} (${g.totalMs.toFixed(0)} ms in all, longest ${g.maxMs.toFixed(1)} ms, ${g.maxKind}), stops over ${STALL_MS} ms ${st.count} (${st.totalMs.toFixed(0)} ms in all${longest.length ? `; longest ${longest.join(', ')}` : ''})`;
}

/**
 * The bare endpoint: the gateway's own title lookup and snapshot methods (similarTo for
 * one title, the mood scan for several, on the gateway's scan thread), the same replay of
 * a whole answer per request body — without GraphQL. Returns the server and a function that empties its cache.
 */
async function bareServer(gw: Gateway): Promise<{ server: Server; url: string; clear: () => void }> {
  const answers = new Map<string, string>();
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', async () => {
      const snap = gw.store.current!;
      let text = answers.get(raw);
      if (text === undefined) {
        const r = JSON.parse(raw) as BareRequest;
        const ids: number[] = [];
        for (const t of r.titles) {
          const id = await gw.lookupTitle(snap, t);
          if (id !== null) ids.push(id);
        }
        const f = r.filter ?? {};
        // BLEND, the gateway's default basis (the GraphQL bodies name none).
        const found =
          ids.length === 0
            ? []
            : r.mood
              ? await snap.scanNeighbours(snap.meanVector(ids, 'blend'), r.k, f, ids, 'blend')
              : snap.similarTo(ids[0], r.k, f, 'blend');
        text = JSON.stringify(found.map((n) => ({ similarity: n.similarity, movie: n.movie })));
        if (answers.size > 20_000) answers.clear();
        answers.set(raw, text);
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, clear: () => answers.clear() };
}

/** What the host says once both servers listen. */
export interface HostReady {
  gatewayUrl: string;
  bareUrl: string;
  /** Lengths of the loaded lists, per basis (null: none). */
  lists: { taste: number | null; blend: number | null };
  genres: string[];
  /** Whether moods' scans run on the gateway's scan thread. */
  threadUp: boolean;
  /** process.memoryUsage() after start: the serving process alone. */
  memory: NodeJS.MemoryUsage;
  /** How its Node was started: flags and GLIBC_TUNABLES (the serving runtime, as `npm start`). */
  runtime: { execArgv: string[]; glibcTunables: string | null };
  /** Opening the store and starting both servers, s. */
  startSeconds: number;
}

/** The host's counters (cumulative; the bench takes differences). */
export interface HostStats {
  listUse: { list: number; fallback: number; scan: number };
  scanThreadUse: { thread: number; here: number };
  executionUse: { direct: number; plan: number; execute: number };
}

/** Messages to the host, and what each is answered with. */
export interface HostCalls {
  /**
   * Empty the gateway's and the bare server's answer caches, then collect the garbage: V8's
   * heap used just before and after, bytes.
   */
  clear: { heapUsedBefore: number; heapUsedAfter: number };
  /** Start watching this process (event-loop delay, GC pauses). */
  watch: null;
  /** Stop watching: what was seen since `watch`. */
  watched: Watched;
  stats: HostStats;
  /**
   * Load the served run's ONNX scorer, as the first predictRating does: how long it took, the
   * memory just before (after a full collection, so garbage freed meanwhile is not read as a
   * negative cost) and after, and the slot's own account (up before? up after? loads begun).
   */
  scorer: { ms: number; before: NodeJS.MemoryUsage; after: NodeJS.MemoryUsage; loadedBefore: boolean; loadedAfter: boolean; loads: number };
  /** Close both servers and the store, then exit. */
  close: null;
}
type HostCall = keyof HostCalls;
type Request = { id: number; call: HostCall };
type Reply = { id: number; result?: unknown; error?: string } | { ready: HostReady } | { failed: string };

let collect: (() => void) | null = null;

/**
 * A full garbage collection, now. The two servers share this process and take turns under
 * load: without it, what one server's run left (the bare endpoint's answer map after its
 * mix held ~360 MB of V8's heap) would be marked and swept during the next server's run,
 * billed to that one. `gc` exposed from here, so the host needs no --expose-gc of its own.
 */
function fullCollection(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}

/** Answers the bench's calls on the gateway and the bare server's cache; `close` ends both. */
function answerer(gw: Gateway, clearBare: () => void, close: () => Promise<void>): (call: HostCall) => Promise<unknown> {
  let stopWatch: (() => Watched) | null = null;
  return async (call) => {
    switch (call) {
      case 'clear': {
        const heapUsedBefore = process.memoryUsage().heapUsed;
        gw.store.current!.clearCaches();
        clearBare();
        fullCollection();
        return { heapUsedBefore, heapUsedAfter: process.memoryUsage().heapUsed } satisfies HostCalls['clear'];
      }
      case 'watch':
        stopWatch?.();
        stopWatch = watchProcess();
        return null;
      case 'watched': {
        if (!stopWatch) throw new Error('"watched" before "watch"');
        const w = stopWatch();
        stopWatch = null;
        return w;
      }
      case 'stats': {
        const snap = gw.store.current!;
        return {
          listUse: { ...snap.listUse },
          scanThreadUse: { ...(gw.store.scanThreadUse ?? { thread: 0, here: 0 }) },
          executionUse: gw.executionUse(),
        } satisfies HostStats;
      }
      case 'scorer': {
        const slot = gw.store.current!.scorer;
        if (!slot) throw new Error('the served run has no ONNX scorer');
        const loadedBefore = slot.loaded;
        fullCollection();
        const before = process.memoryUsage();
        const t = performance.now();
        await slot.get();
        const ms = performance.now() - t;
        const after = process.memoryUsage();
        return { ms, before, after, loadedBefore, loadedAfter: slot.loaded, loads: slot.loads } satisfies HostCalls['scorer'];
      }
      case 'close':
        await close();
        return null;
      default:
        throw new Error(`unknown call ${JSON.stringify(call)}`);
    }
  };
}

/** The gateway as the bench runs it: on loopback, any free port, logs discarded, no introspection. */
export function startQuietGateway(db: Db): Promise<Gateway> {
  return startGateway({
    db,
    port: 0,
    host: '127.0.0.1',
    log: pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false })),
    introspection: false,
  });
}

/** The child side: opens the store at `dataDir`, starts both servers, answers the bench. */
export async function hostServers(dataDir: string): Promise<void> {
  const send = (m: Reply, then: () => void = () => {}) => process.send?.(m, then);
  const t = performance.now();
  const db = await openPglite({ dataDir });
  const gw = await startQuietGateway(db);
  const bare = await bareServer(gw);
  const threadUp = (await gw.store.scanThread?.ready()) ?? false;
  const snap = gw.store.current!;
  const answer = answerer(gw, bare.clear, async () => {
    await gw.close();
    await new Promise<void>((ok) => bare.server.close(() => ok()));
    await db.close();
  });
  process.on('message', (m: Request) => {
    answer(m.call).then(
      (result) => send({ id: m.id, result }, m.call === 'close' ? () => process.disconnect() : undefined),
      (e) => send({ id: m.id, error: (e as Error).message }),
    );
  });
  // The bench went away (killed, crashed): nothing is left to serve.
  process.on('disconnect', () => process.exit(0));
  send({
    ready: {
      gatewayUrl: gw.url,
      bareUrl: bare.url,
      lists: { taste: snap.listLength('taste'), blend: snap.listLength('blend') },
      genres: snap.genres,
      threadUp,
      memory: process.memoryUsage(),
      runtime: { execArgv: process.execArgv, glibcTunables: process.env['GLIBC_TUNABLES'] ?? null },
      startSeconds: (performance.now() - t) / 1000,
    },
  });
}

/** The bench's handle on a running host. */
export interface ServeHost extends HostReady {
  call<C extends HostCall>(call: C): Promise<HostCalls[C]>;
  /** Closes the servers and the store, and waits for the process to end. */
  close(): Promise<void>;
}

/** Starts the host process on the store at `dataDir` (closed by the bench: one process at a time). */
export async function startServeHost(dataDir: string): Promise<ServeHost> {
  const script = resolveWorkerScript('bench', 'serve-host');
  // Started as `npm start` starts its gateway (the serving runtime), so its RSS is the one users get.
  const child = fork(script.file, ['--data-dir', dataDir], {
    execArgv: [...script.execArgv, ...SERVING_NODE_FLAGS],
    env: servingEnv(),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { ok: (r: unknown) => void; fail: (e: Error) => void }>();
  let nextId = 1;
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  const ready = await new Promise<HostReady>((ok, fail) => {
    child.on('message', (m: Reply) => {
      if ('ready' in m) ok(m.ready);
      else if ('failed' in m) fail(new Error(`the serving host failed: ${m.failed}`));
      else {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.error !== undefined) p?.fail(new Error(`the serving host: ${m.error}`));
        else p?.ok(m.result);
      }
    });
    void exited.then((code) => {
      const e = new Error(`the serving host (${script.file}) exited with ${code}`);
      fail(e);
      for (const p of pending.values()) p.fail(e);
      pending.clear();
    });
  });
  const call = <C extends HostCall>(c: C) =>
    new Promise<HostCalls[C]>((ok, fail) => {
      const id = nextId++;
      pending.set(id, { ok: ok as (r: unknown) => void, fail });
      child.send({ id, call: c } satisfies Request);
    });
  return {
    ...ready,
    call,
    async close() {
      await call('close');
      await exited;
    },
  };
}

/** The child's entry (./bin/serve-host.ts): a failure is reported to the bench, then the process ends. */
export function runHost(dataDir: string): void {
  hostServers(dataDir).catch((e) => {
    console.error(`serve-host: ${(e as Error).message}`);
    if (process.send) process.send({ failed: (e as Error).message } satisfies Reply, () => process.exit(1));
    else process.exit(1);
  });
}
