// API protection (issue 16 #7), off by default: API keys checked against SHA-256
// hashes, a per-client token bucket, the client's address behind trusted proxies, the
// environment it is configured from, and, end to end on a real gateway, 401/429 on
// /graphql only, with health, metrics and the explorer untouched. Each check fails on
// a planted mistake (a wrong key, a spoofed X-Forwarded-For, a raw key in the config).
import 'reflect-metadata';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { describeEachBackend, seedGatewayFixture } from '@cinemap/db/testing';
import { hashApiKey, parseApiKeyHashes, ApiKeys } from './api-keys';
import { RateLimiter, clientAddress } from './rate-limit';
import { createRequestGuard, type ProtectionOptions } from './protection';
import { configFromEnv } from '../config';
import { startGateway, type Gateway } from './server';

const KEY_A = 'k1-3f9a8c27d41e5b6079aa0c4d2e8f1b35c6d7e8f9a0b1c2d3';
const KEY_B = 'k2-a0b1c2d3e4f5061728394a5b6c7d8e9f00112233445566778';
const HASHES = `alpha:${hashApiKey(KEY_A)}\nbeta:${hashApiKey(KEY_B)}`;

/** A real HTTP server that runs only the guard, answering 200 when it lets a request through. */
async function guarded(opts: ProtectionOptions): Promise<{ url: string; seen: IncomingMessage[]; close(): Promise<void> }> {
  const guard = createRequestGuard(opts)!;
  const seen: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    if (!guard(req, res)) return;
    seen.push(req);
    res.end('through');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    seen,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

describe('API keys', () => {
  it('parses client:hash entries separated by newlines, commas or spaces', () => {
    const m = parseApiKeyHashes(` ${HASHES}, gamma:${hashApiKey('x').toUpperCase()} `);
    expect([...m.values()]).toEqual(['alpha', 'beta', 'gamma']);
    expect(m.get(hashApiKey(KEY_A))).toBe('alpha');
  });

  it('refuses a raw key instead of its hash, a missing client, a bad name, duplicates, an empty list: naming the entry', () => {
    expect(() => parseApiKeyHashes(`alpha:${KEY_A}`)).toThrow(
      /CINEMAP_API_KEY_HASHES entry 1 .*"alpha" needs the 64-hex-digit SHA-256 of its key, not the key itself/,
    );
    expect(() => parseApiKeyHashes(hashApiKey(KEY_A))).toThrow(/entry 1 .*expected <client>:<sha256 hex of the key>/);
    expect(() => parseApiKeyHashes(`al pha:${hashApiKey(KEY_A)}`)).toThrow(/entry 1 .*expected <client>/);
    expect(() => parseApiKeyHashes(`a/b:${hashApiKey(KEY_A)}`)).toThrow(/client name must be 1-64 of/);
    expect(() => parseApiKeyHashes(`${HASHES},alpha:${hashApiKey('other')}`)).toThrow(/entry 3 .*client "alpha" is listed twice/);
    expect(() => parseApiKeyHashes(`a:${hashApiKey(KEY_A)},b:${hashApiKey(KEY_A)}`)).toThrow(/same key hash is given to "a" and "b"/);
    expect(() => parseApiKeyHashes(' , ')).toThrow(/lists no key/);
  });

  it('identifies the client from Authorization: Bearer or X-API-Key, and says why not otherwise', () => {
    const keys = new ApiKeys(parseApiKeyHashes(HASHES));
    const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
    expect(keys.identify(req({ authorization: `Bearer ${KEY_A}` }))).toEqual({ client: 'alpha' });
    expect(keys.identify(req({ authorization: `bearer  ${KEY_B} ` }))).toEqual({ client: 'beta' });
    expect(keys.identify(req({ 'x-api-key': KEY_B }))).toEqual({ client: 'beta' });
    expect(keys.identify(req({}))).toEqual({ client: null, reason: 'missing' });
    expect(keys.identify(req({ authorization: `Basic ${KEY_A}` }))).toEqual({ client: null, reason: 'missing' });
    expect(keys.identify(req({ authorization: `Bearer ${KEY_A}x` }))).toEqual({ client: null, reason: 'invalid' });
    expect(keys.identify(req({ 'x-api-key': hashApiKey(KEY_A) }))).toEqual({ client: null, reason: 'invalid' }); // the hash is not the key
  });
});

describe('rate limiter', () => {
  it('lets a burst through, then one request per 1/rate seconds, and says when to retry', () => {
    let now = 0;
    const rl = new RateLimiter({ rate: 2, burst: 3, now: () => now });
    expect([1, 2, 3].map(() => rl.take('a').ok)).toEqual([true, true, true]);
    expect(rl.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(rl.take('b').ok).toBe(true); // per client
    now += 499;
    expect(rl.take('a').ok).toBe(false);
    now += 2;
    expect(rl.take('a').ok).toBe(true);
    now += 60_000;
    expect([1, 2, 3, 4].map(() => rl.take('a').ok)).toEqual([true, true, true, false]); // refills to burst, not beyond
  });

  it('a slow rate asks for a longer wait', () => {
    const rl = new RateLimiter({ rate: 0.1, burst: 1, now: () => 0 });
    expect(rl.take('a').ok).toBe(true);
    expect(rl.take('a')).toEqual({ ok: false, retryAfterSeconds: 10 });
  });

  it('remembers at most maxClients, forgetting the least recently seen first', () => {
    const rl = new RateLimiter({ rate: 1, burst: 1, maxClients: 2, now: () => 0 });
    rl.take('a');
    rl.take('b');
    rl.take('a'); // a is now the most recent (and limited)
    rl.take('c'); // evicts b
    expect(rl.clients).toBe(2);
    expect(rl.take('a').ok).toBe(false); // still remembered
    expect(rl.take('b').ok).toBe(true); // forgotten: a fresh bucket
  });

  it('refuses a rate or burst that would block everyone or nobody', () => {
    expect(() => new RateLimiter({ rate: 0, burst: 1 })).toThrow(/rate must be a number > 0/);
    expect(() => new RateLimiter({ rate: 1, burst: 0.5 })).toThrow(/burst must be >= 1/);
  });

  it('takes the client address from X-Forwarded-For only as far as the trusted hops reach', () => {
    const req = (xff: string | undefined, remote = '10.0.0.9') =>
      ({ headers: xff === undefined ? {} : { 'x-forwarded-for': xff }, socket: { remoteAddress: remote } }) as unknown as IncomingMessage;
    expect(clientAddress(req('203.0.113.5'), 0)).toBe('10.0.0.9'); // nothing trusted: the peer
    expect(clientAddress(req('203.0.113.5'), 1)).toBe('203.0.113.5');
    expect(clientAddress(req('198.51.100.66, 203.0.113.5'), 1)).toBe('203.0.113.5'); // spoofed entry on the left is ignored
    expect(clientAddress(req('198.51.100.66, 203.0.113.5, 10.1.2.3'), 2)).toBe('203.0.113.5');
    expect(clientAddress(req(undefined), 1)).toBe('10.0.0.9'); // not through the proxy
    expect(clientAddress(req('not-an-ip'), 1)).toBe('10.0.0.9');
    expect(clientAddress(req('[2001:db8::1]:4711'), 1)).toBe('2001:db8::1');
  });
});

describe('the guard on a real HTTP server', () => {
  it('is null when both protections are off (the server then does nothing per request)', () => {
    expect(createRequestGuard(undefined)).toBeNull();
    expect(createRequestGuard({ apiKeyHashes: '', rateLimitRps: 0 })).toBeNull();
  });

  it('with keys: 401 with WWW-Authenticate for a missing or wrong key, through for a right one', async () => {
    const s = await guarded({ apiKeyHashes: HASHES });
    try {
      const none = await fetch(s.url, { method: 'POST' });
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="cinemap"');
      expect(await none.json()).toEqual({
        errors: [
          {
            message: expect.stringMatching(/needs a key: send it as "Authorization: Bearer <key>"/),
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ],
      });
      const wrong = await fetch(s.url, { method: 'POST', headers: { authorization: 'Bearer nope' } });
      expect(((await wrong.json()) as any).errors[0].message).toBe('The API key is not valid.');
      const ok = await fetch(s.url, { method: 'POST', headers: { authorization: `Bearer ${KEY_A}` } });
      expect([ok.status, await ok.text()]).toEqual([200, 'through']);
      expect(s.seen).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it('with a rate limit: 429 with Retry-After past the burst, per client address behind one proxy; keyed clients by key', async () => {
    const s = await guarded({ rateLimitRps: 0.5, rateLimitBurst: 2, trustedProxyHops: 1, apiKeyHashes: HASHES });
    try {
      const from = (ip: string, key?: string) =>
        fetch(s.url, { method: 'POST', headers: { 'x-forwarded-for': `198.51.100.1, ${ip}`, ...(key ? { 'x-api-key': key } : {}) } });
      expect((await Promise.all([from('203.0.113.1', KEY_A), from('203.0.113.2', KEY_A)])).map((r) => r.status)).toEqual([200, 200]);
      const third = await from('203.0.113.3', KEY_A); // same key from another address: same bucket
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toBe('2');
      expect(((await third.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
      expect((await from('203.0.113.1', KEY_B)).status).toBe(200); // another key: its own bucket
      // Without a key: limited by address (before the 401), so guessing keys is throttled too.
      expect((await Promise.all([1, 2, 3].map(() => from('203.0.113.9')))).map((r) => r.status)).toEqual([401, 401, 429]);
    } finally {
      await s.close();
    }
  });
});

describe('configuration from the environment', () => {
  it('is off by default', () => {
    expect(configFromEnv({}).protection).toEqual({ apiKeyHashes: '', rateLimitRps: 0, rateLimitBurst: 0, trustedProxyHops: 0 });
  });
  it('reads keys, rate, burst and hops, and names the variable on a bad value', () => {
    expect(
      configFromEnv({
        CINEMAP_API_KEY_HASHES: HASHES,
        CINEMAP_RATE_LIMIT_RPS: '2.5',
        CINEMAP_RATE_LIMIT_BURST: '10',
        CINEMAP_TRUSTED_PROXY_HOPS: '1',
      }).protection,
    ).toEqual({ apiKeyHashes: HASHES, rateLimitRps: 2.5, rateLimitBurst: 10, trustedProxyHops: 1 });
    expect(() => configFromEnv({ CINEMAP_RATE_LIMIT_RPS: 'fast' })).toThrow(/CINEMAP_RATE_LIMIT_RPS must be a number >= 0 \(got "fast"\)/);
    expect(() => configFromEnv({ CINEMAP_TRUSTED_PROXY_HOPS: '-1' })).toThrow(/CINEMAP_TRUSTED_PROXY_HOPS must be a whole number >= 0/);
  });
});

describeEachBackend('gateway with API protection on', (ctx) => {
  let gw: Gateway;
  beforeAll(async () => {
    await seedGatewayFixture(ctx.db(), { fillers: 20 });
    gw = await startGateway({
      db: ctx.db(),
      port: 0,
      host: '127.0.0.1',
      log: pino({ level: 'silent' }),
      introspection: false,
      development: false,
      protection: { apiKeyHashes: HASHES, rateLimitRps: 1, rateLimitBurst: 3 },
      corsOrigins: ['http://allowed.example'],
    });
  }, 90_000);
  afterAll(async () => {
    await gw?.close();
  });
  const q = (headers: Record<string, string> = {}) =>
    fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ similarMovies(title: "The Matrix", k: 2) { movie { title } } }' }),
    });

  it('answers a keyed client, refuses one without a key, and limits the rate; health, metrics and preflight need no key', async () => {
    const ok = await q({ authorization: `Bearer ${KEY_A}` });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).data.similarMovies).toHaveLength(2);
    expect((await q()).status).toBe(401);
    const base = gw.url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    const pre = await fetch(gw.url, {
      method: 'OPTIONS',
      headers: { origin: 'http://allowed.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    const burst = await Promise.all([1, 2, 3].map(() => q({ authorization: `Bearer ${KEY_A}` })));
    expect(burst.map((r) => r.status)).toContain(429);
    // Refusals are counted like any response of the graphql route.
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/cinemap_http_requests_total\{route="graphql",status="401"\} 1/);
    expect(metrics).toMatch(/cinemap_http_requests_total\{route="graphql",status="429"\} [1-9]/);
  });
});
