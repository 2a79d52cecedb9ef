import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveWorkerScript } from '@cinemap/cli';
import { LatencyHistogram, ResponseReader, runOpenLoop } from './load-generator';

/** A node:http server answering each POST with `answer(body)` (status, text) after `delayMs`. */
async function server(
  delayMs: number,
  answer: (body: string) => [number, string] = () => [200, '{"ok":true}'],
): Promise<{ url: string; server: Server; seen: string[]; at: number[] }> {
  const seen: string[] = [];
  const at: number[] = [];
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push(body);
      at.push(performance.now());
      const [status, text] = answer(body);
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      }, delayMs);
    });
  });
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', () => ok()));
  running.push(s);
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/graphql`, server: s, seen, at };
}

const stop = (s: Server) => new Promise<void>((ok) => (s.listening ? s.close(() => ok()) : ok()));
/** Servers a test started; each is stopped after it. */
const running: Server[] = [];
afterEach(() => Promise.all(running.splice(0).map(stop)));

describe('LatencyHistogram', () => {
  it('gives the quantiles of what it recorded, to 10 µs', () => {
    const h = new LatencyHistogram();
    expect(h.quantile(0.5)).toBeNaN();
    for (let ms = 100; ms >= 1; ms--) h.record(ms + 0.004);
    expect(h.count).toBe(100);
    expect(h.summary()).toEqual({ count: 100, p50: 50, p90: 90, p99: 99, p999: 100, max: 100.004 });
  });
});

describe('ResponseReader', () => {
  const head = (status: number, extra: string) => `HTTP/1.1 ${status} X\r\ndate: now\r\n${extra}\r\n`;
  it('reads back-to-back responses split anywhere, by Content-Length or chunked', () => {
    const got: number[] = [];
    const r = new ResponseReader((s) => got.push(s));
    const a = head(200, 'Content-Length: 5\r\n') + 'hello';
    const b = head(500, 'transfer-encoding: chunked\r\n') + '3\r\nabc\r\n0\r\n\r\n';
    const c = head(200, 'content-length: 0\r\n');
    const all = Buffer.from(a + b + c + a);
    for (let i = 0; i < all.length; i += 7) r.push(all.subarray(i, i + 7));
    expect(got).toEqual([200, 500, 200, 200]);
  });
  it('says what it cannot read', () => {
    const r = new ResponseReader(() => {});
    expect(() => r.push(Buffer.from('SSH-2.0\r\n\r\n'))).toThrow(/not an HTTP\/1.1 response/);
    const r2 = new ResponseReader(() => {});
    expect(() => r2.push(Buffer.from(head(200, 'connection: close\r\n')))).toThrow(/neither Content-Length nor chunked/);
  });
});

describe('runOpenLoop', () => {
  it('sends at the rate asked, cycling the bodies, and reports latency per kind', async () => {
    const s = await server(0);
    const r = await runOpenLoop({
      url: s.url,
      bodies: ['"a"', '"b"', '"c"'],
      kinds: ['x', 'y', 'x'],
      rate: 200,
      seconds: 1,
      connections: 8,
    });
    expect(r.errors).toBe(0);
    expect(r.count).toBe(200);
    // cycled in order: 200 requests over 3 bodies (arrival order differs across connections)
    const asked = (b: string) => s.seen.filter((x) => x === b).length;
    expect([asked('"a"'), asked('"b"'), asked('"c"')]).toEqual([67, 67, 66]);
    expect(r.byKind.x.count + r.byKind.y.count).toBe(200);
    expect(r.byKind.y.count).toBeGreaterThanOrEqual(66);
    // Only bounds a busy machine cannot break (the suite runs this next to heavy tests): the
    // requests are spread over the second, never sent faster than asked, whatever the delays.
    expect(s.at[s.at.length - 1] - s.at[0]).toBeGreaterThan(900);
    expect(r.achieved).toBeLessThanOrEqual(202);
    expect(r.p50).toBeGreaterThan(0);
    expect(r.p50).toBeLessThanOrEqual(r.p99);
    expect(r.p99).toBeLessThanOrEqual(Math.ceil(r.max * 100) / 100);
    expect(r.unfinished).toBe(0);
  });

  it('counts the wait of requests the server falls behind on from their scheduled time (no coordinated omission)', async () => {
    // 2 connections x one answer per 20 ms = at most ~100 req/s, asked 200 req/s for 1 s:
    // the queue grows, and the last requests wait about half a second before they are even
    // sent. A closed loop would report every request at ~20 ms.
    const s = await server(20);
    const r = await runOpenLoop({ url: s.url, bodies: ['{}'], rate: 200, seconds: 1, connections: 2 });
    expect(r.count).toBe(200);
    expect(r.p50).toBeGreaterThan(100);
    expect(r.p99).toBeGreaterThan(400);
    expect(r.maxQueued).toBeGreaterThan(50);
    expect(r.achieved).toBeLessThan(150);
  });

  it("says how late it was itself: a stall of the generator's process shows in loaderLag, not only in the latencies", async () => {
    const s = await server(0);
    // This process is the generator (and the server): block it for 300 ms half way through.
    setTimeout(() => {
      const until = performance.now() + 300;
      while (performance.now() < until);
    }, 400);
    const r = await runOpenLoop({ url: s.url, bodies: ['{}'], rate: 100, seconds: 1, connections: 4 });
    expect(r.count).toBe(100);
    expect(r.loaderLag.max).toBeGreaterThan(250);
    expect(r.max).toBeGreaterThan(250);
  });

  it('opens again a connection the server closed while it was idle (keep-alive timeout)', async () => {
    // 4 connections used in turn at 5 req/s: each waits 0.8 s between requests, the server
    // drops idle connections after 0.3 s (Node 24 adds keepAliveTimeoutBuffer to it: none here).
    const s = await server(0);
    Object.assign(s.server, { keepAliveTimeout: 300, keepAliveTimeoutBuffer: 0 });
    const r = await runOpenLoop({ url: s.url, bodies: ['{}'], rate: 5, seconds: 2, connections: 4 });
    expect(r.errors).toBe(0);
    expect(r.count).toBe(10);
    expect(r.reconnects).toBeGreaterThanOrEqual(4);
  });

  it('sends a request again on a new connection when the server closed the reused one as it went out', async () => {
    // The keep-alive race, made certain: this server drops every connection, unanswered, on
    // its second request. Each first request is answered; each second one must be resent.
    const perSocket = new WeakMap<object, number>();
    const s = createServer((req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      if (n === 2) return req.socket.destroy();
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    await new Promise<void>((ok) => s.listen(0, '127.0.0.1', () => ok()));
    running.push(s);
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
    const r = await runOpenLoop({ url, bodies: ['{}'], rate: 20, seconds: 1, connections: 2 });
    expect(r.errors).toBe(0);
    expect(r.count).toBe(20);
    expect(r.reconnects).toBeGreaterThanOrEqual(5);
  });

  it('counts answers other than 200 as errors', async () => {
    const s = await server(0, (b) => (b === '"bad"' ? [400, '{"errors":[]}'] : [200, '{}']));
    const r = await runOpenLoop({ url: s.url, bodies: ['"ok"', '"bad"'], rate: 100, seconds: 0.5, connections: 4 });
    expect(r.errors).toBe(25);
    expect(r.count).toBe(50);
  });

  it('fails with the connection and the reason when the server cannot be reached or hangs up', async () => {
    const s = await server(0);
    const url = s.url;
    await stop(s.server);
    await expect(runOpenLoop({ url, bodies: ['{}'], rate: 10, seconds: 0.2, connections: 1 })).rejects.toThrow(
      /connection 0 to 127\.0\.0\.1:\d+: connect ECONNREFUSED/,
    );
    const rude = createServer((req) => req.socket.destroy());
    await new Promise<void>((ok) => rude.listen(0, '127.0.0.1', () => ok()));
    running.push(rude);
    const port = (rude.address() as AddressInfo).port;
    await expect(runOpenLoop({ url: `http://127.0.0.1:${port}/`, bodies: ['{}'], rate: 10, seconds: 0.2, connections: 1 })).rejects.toThrow(
      /closed by the server/,
    );
  });

  it('refuses options it cannot run', () => {
    expect(() => runOpenLoop({ url: 'http://127.0.0.1:1/', bodies: [], rate: 1, seconds: 1 })).toThrow(/no request bodies/);
    expect(() => runOpenLoop({ url: 'http://127.0.0.1:1/', bodies: ['{}'], rate: 0, seconds: 1 })).toThrow(
      /rate and seconds must be positive/,
    );
    expect(() => runOpenLoop({ url: 'http://127.0.0.1:1/', bodies: ['{}'], kinds: ['a', 'b'], rate: 1, seconds: 1 })).toThrow(
      /2 labels for 1 bodies/,
    );
  });
});

describe('bench load (the CLI)', () => {
  const script = resolveWorkerScript('bench', 'load');
  const run = (args: string[]) => spawnSync(process.execPath, [...script.execArgv, script.file, ...args], { encoding: 'utf8' });
  it('has --help and names a bad argument', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--rate <n>/);
    const bad = run(['--url', 'http://127.0.0.1:1/', '--bodies', '/nonexistent.json', '--rate', 'fast']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--rate must be a positive number \(got "fast"\)/);
    const missing = run(['--url', 'http://127.0.0.1:1/', '--bodies', '/nonexistent.json', '--rate', '5']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/load: --bodies \/nonexistent\.json: ENOENT/);
  });
});
