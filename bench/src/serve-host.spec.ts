// The serving bench's server process (./serve-host.ts), for real: a small store seeded in a
// folder, the host forked on it (the gateway and the bare endpoint over HTTP), its IPC calls
// (the scorer's load among them),
// and the process watcher that reports stops of the event loop.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openPglite } from '@cinemap/db';
import { seedGatewayFixture } from '@cinemap/db/testing';
import { resolveWorkerScript, SERVING_MALLOC_TUNABLE, SERVING_NODE_FLAGS } from '@cinemap/cli';
import { startServeHost, watchProcess, type ServeHost } from './serve-host';
import { SIMILAR, type BareRequest } from './serve-workload';

const post = async (url: string, body: unknown) => {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as unknown };
};

describe('serving host', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cinemap-serve-host-'));
  const store = join(dir, 'store');
  let host: ServeHost;
  let closed = false;

  beforeAll(async () => {
    const db = await openPglite({ dataDir: store });
    await migrate(db);
    await seedGatewayFixture(db, { fillers: 300, audienceDim: 8 });
    await db.close();
    host = await startServeHost(store);
  }, 120_000);

  afterAll(async () => {
    // A test that failed before its own close leaves the host running: end it, or jest waits on it.
    if (host && !closed) await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the same neighbours from the gateway and the bare endpoint, and counts them', async () => {
    expect(host.lists).toEqual({ taste: 100, blend: 100 });
    expect(host.genres).toContain('Drama');
    expect(host.memory.rss).toBeGreaterThan(host.memory.heapUsed);
    expect(host.runtime.execArgv).toEqual(expect.arrayContaining([...SERVING_NODE_FLAGS]));
    expect(host.runtime.glibcTunables).toContain(SERVING_MALLOC_TUNABLE);
    const before = await host.call('stats');
    const g = await post(host.gatewayUrl, { query: SIMILAR, variables: { t: 'The Matrix', k: 5 } });
    const b = await post(host.bareUrl, { titles: ['The Matrix'], mood: false, k: 5, filter: null } satisfies BareRequest);
    expect(g.status).toBe(200);
    expect(b.status).toBe(200);
    const ids = (rows: { movie: { id: number } }[]) => rows.map((r) => r.movie.id);
    const fromGateway = ids((g.json as { data: { similarMovies: { movie: { id: number } }[] } }).data.similarMovies);
    expect(fromGateway).toHaveLength(5);
    expect(ids(b.json as { movie: { id: number } }[])).toEqual(fromGateway);
    const after = await host.call('stats');
    const answered = (s: typeof before) => s.listUse.list + s.listUse.fallback + s.listUse.scan;
    expect(answered(after) - answered(before)).toBe(2);
    const executed = (s: typeof before) => s.executionUse.direct + s.executionUse.plan + s.executionUse.execute;
    expect(executed(after) - executed(before)).toBe(1);
  });

  it('watches itself between "watch" and "watched", and refuses "watched" alone', async () => {
    await host.call('watch');
    await post(host.bareUrl, { titles: ['Heat'], mood: false, k: 3, filter: null } satisfies BareRequest);
    await new Promise((r) => setTimeout(r, 50)); // longer than the delay histogram's 1 ms resolution
    const w = await host.call('watched');
    expect(w.loop.max).toBeGreaterThan(0);
    expect(w.loop.max).toBeGreaterThanOrEqual(w.loop.p99);
    expect(w.loop.p99).toBeGreaterThanOrEqual(w.loop.p50);
    expect(w.cores.process).toBeGreaterThan(0);
    expect(w.cpuSeconds).toBeGreaterThan(0);
    await expect(host.call('watched')).rejects.toThrow(/the serving host: "watched" before "watch"/);
  });

  it('loads the ONNX scorer on "scorer", as the first predictRating does, and the gateway then predicts', async () => {
    const r = await host.call('scorer');
    expect(r.ms).toBeGreaterThan(0);
    // The slot's own account, not the RSS: the process may hand freed pages back to the system
    // while the session loads, so RSS can fall across a load (it did once in CI, 454 → 322 MB).
    expect({ loadedBefore: r.loadedBefore, loadedAfter: r.loadedAfter, loads: r.loads }).toEqual({
      loadedBefore: false,
      loadedAfter: true,
      loads: 1,
    });
    const q = await post(host.gatewayUrl, { query: '{ predictRating(userId: 3, title: "The Matrix") }' });
    expect(q.status).toBe(200);
    expect((q.json as { data: { predictRating: number } }).data.predictRating).toEqual(expect.any(Number));
  });

  it('empties both answer caches on "clear", collecting what they held, and ends on "close"', async () => {
    // 8 bodies of 1 MB, each kept as a key of the bare endpoint's answer map: "clear" drops
    // them and only a collection frees them, so the heap afterwards is below where it was.
    const filler = 'x'.repeat(2 ** 20);
    for (let i = 0; i < 8; i++)
      await fetch(host.bareUrl, { method: 'POST', body: JSON.stringify({ titles: [filler + i], mood: false, k: 3, filter: null }) });
    const c = await host.call('clear');
    expect(c.heapUsedAfter).toBeLessThan(c.heapUsedBefore - 4 * 2 ** 20);
    await host.close();
    closed = true;
    await expect(fetch(host.gatewayUrl, { method: 'POST' })).rejects.toThrow();
  });

  it('reports a store it cannot open, and its own --help', async () => {
    const notAStore = join(dir, 'file');
    writeFileSync(notAStore, 'not a folder');
    await expect(startServeHost(notAStore)).rejects.toThrow(/the serving host failed: .*file/);
    const script = resolveWorkerScript('bench', 'serve-host');
    const help = spawnSync(process.execPath, [...script.execArgv, script.file, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--data-dir <dir>/);
    const alone = spawnSync(process.execPath, [...script.execArgv, script.file, '--data-dir', store], { encoding: 'utf8' });
    expect(alone.status).toBe(2);
    expect(alone.stderr).toMatch(/without an IPC channel/);
  }, 60_000);
});

describe('watchProcess', () => {
  it('reports a stop of the event loop: when, how long, with how many requests begun', async () => {
    const stop = watchProcess();
    await new Promise((ok) => setTimeout(ok, 50));
    await new Promise<void>((ok) =>
      setTimeout(() => {
        const until = performance.now() + 150;
        while (performance.now() < until); // the stop
        ok();
      }, 0),
    );
    await new Promise((ok) => setTimeout(ok, 50));
    const w = stop();
    expect(w.stalls.count).toBeGreaterThanOrEqual(1);
    const [longest] = w.stalls.longest;
    expect(longest.ms).toBeGreaterThanOrEqual(120);
    expect(longest.at).toBeGreaterThanOrEqual(0);
    expect(longest.requests).toBe(0);
    expect(w.loop.max).toBeGreaterThanOrEqual(120);
  });
});
