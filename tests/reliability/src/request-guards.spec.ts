// Request-level guards of the built gateway (issue 14, round 2 of hostile testing):
// validation and cost work stay linear in the document and bounded by the token limit
// (no request blocks the event loop), costs use the values actually executed
// (variables, their defaults, literals), metric labels come from closed sets, no URL
// answers 500, and every protection (CSRF, size, cost) runs before the response cache.
// The HTTP layer does not depend on the database, so these run on one backend
// (PostgreSQL when DATABASE_URL is set).
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { availableBackends, seedGatewayFixture } from '@cinemap/db/testing';
import { CliDatabase, GatewayProcess, builtClis, cliDatabase, codes, gql, postRaw, startGateway, tempDir } from './support/harness';
import { ADVERSARIAL_DOCUMENTS, validationTimes } from './support/adversarial-documents';
import { writeReport } from './support/report';

const d = builtClis ? describe : describe.skip;
const backend = availableBackends().includes('postgres') ? 'postgres' : 'pglite';

/** The 945-byte document: F_i spreads F_(i-1) twice, 2^22 expansions of F0. */
export function doublingFragments(levels: number): string {
  let s = 'fragment F0 on Query { __typename } ';
  for (let i = 1; i <= levels; i++) s += `fragment F${i} on Query { ...F${i - 1} ...F${i - 1} } `;
  return `query { ...F${levels} } ${s}`;
}

/** The gateway's own event-loop delay since the last read (prom-client's monitorEventLoopDelay, 10 ms resolution). */
async function eventLoopLag(base: string): Promise<{ p99Ms: number; maxMs: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const gauge = (n: string) => Number(new RegExp(`^cinemap_gateway_nodejs_eventloop_lag_${n}_seconds (\\S+)`, 'm').exec(text)?.[1]) * 1000;
  return { p99Ms: gauge('p99'), maxMs: gauge('max') };
}

/** Polls /health/live every `everyMs` while `work` runs; returns the slowest answer (ms). */
async function slowestLiveDuring(base: string, work: Promise<unknown>, everyMs = 5): Promise<{ maxMs: number; samples: number }> {
  let done = false;
  void work.finally(() => (done = true));
  let maxMs = 0;
  let samples = 0;
  while (!done) {
    const t0 = performance.now();
    const r = await fetch(`${base}/health/live`);
    await r.text();
    maxMs = Math.max(maxMs, performance.now() - t0);
    samples++;
    await new Promise((ok) => setTimeout(ok, everyMs));
  }
  return { maxMs, samples };
}

/** Sends `method path` as raw bytes (no client-side URL normalisation) and returns the status. */
function rawStatus(base: string, method: string, path: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((ok, fail) => {
    const sock = connect(Number(port), hostname);
    let data = '';
    sock.on('data', (d) => (data += d.toString('latin1')));
    sock.on('error', fail);
    sock.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m) ok(Number(m[1]));
      else fail(new Error(`no HTTP status for ${method} ${path}: ${JSON.stringify(data.slice(0, 200))}`));
    });
    // write, not end: a half-closed client socket makes node drop an asynchronous answer.
    sock.write(
      Buffer.from(
        `${method} ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/html\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
        'latin1',
      ),
    );
  });
}

/** Label values of a metric family in a Prometheus exposition. */
function labelValues(exposition: string, metric: string, label: string): Set<string> {
  const out = new Set<string>();
  const re = new RegExp(`^${metric}(?:_bucket|_sum|_count)?\\{([^}]*)\\}`, 'gm');
  for (const m of exposition.matchAll(re)) {
    const v = new RegExp(`(?:^|,)${label}="((?:[^"\\\\]|\\\\.)*)"`).exec(m[1]);
    if (v) out.add(v[1]);
  }
  return out;
}

const observed: Record<string, unknown>[] = [];

const LONG = `Filler Picture 003 ${'and so on '.repeat(40)}`.trim();
/** [movie id, title, display title] planted over seed fillers 1001-1003. */
const PLANTED_TITLES: [number, string, string][] = [
  [1001, 'Filler\nPicture 001 (1951)', 'Filler\nPicture 001'],
  [1002, 'Filler\tPicture\r\n002 (1952)', 'Filler\tPicture\r\n002'],
  [1003, `${LONG} (1953)`, LONG],
];

d(`[${backend}] request guards of the built gateway`, () => {
  let db: CliDatabase;
  let gw: GatewayProcess;
  beforeAll(async () => {
    db = await cliDatabase(backend);
    await db.with(async (h) => {
      await seedGatewayFixture(h, { fillers: 30 });
      // Catalogue titles a dump may hold: whitespace control characters, and longer than
      // the default input limit (300). Keys as the ingest computes them (SQL twin of titleKey).
      for (const [id, title, display] of PLANTED_TITLES) {
        for (const table of ['movies', 'run_movies']) {
          await h.query(
            `UPDATE ${table} SET title = $2, display_title = $3, title_keys = ARRAY[cinemap_title_key($3)] WHERE movie_id = $1`,
            [id, title, display],
          );
        }
      }
    });
    // An explorer build to serve, so static paths reach the file handler.
    const site = tempDir('site');
    mkdirSync(join(site, 'assets'));
    writeFileSync(join(site, 'index.html'), '<!doctype html><title>cinemap</title>');
    writeFileSync(join(site, 'assets', 'app-0123abcd.js'), 'console.log(1)');
    gw = await startGateway({ ...db.env, NODE_ENV: 'production', CINEMAP_STATIC_DIR: site });
  }, 90_000);
  afterAll(async () => {
    writeReport('request-guards', observed);
    await gw?.stop();
    await db?.drop();
  }, 60_000);

  it('#1 the doubling-fragment document (945 bytes, 2^22 expansions) is answered at once and /health/live never waits', async () => {
    const doc = doublingFragments(22);
    expect(doc.length).toBeLessThan(1000);
    const t0 = performance.now();
    const req = gql(gw.url, doc);
    const live = await slowestLiveDuring(gw.base, req);
    const r = await req;
    const ms = performance.now() - t0;
    observed.push({
      case: 'doubling fragments F0..F22',
      status: r.status,
      code: codes(r)[0] ?? 'OK',
      ms: Math.round(ms),
      liveMaxMs: Math.round(live.maxMs),
    });
    expect(r.status).toBeLessThan(500);
    // Before the fix: 9.5 s with /health/live waiting as long. Generous bounds (shared 2-core machine).
    expect(ms).toBeLessThan(1000);
    expect(live.maxMs).toBeLessThan(250);
  }, 30_000);

  it("#1 every adversarial family at the token limit validates in < 50 ms in the gateway's own rules", async () => {
    const times = await validationTimes();
    for (const t of times)
      observed.push({ case: `validate: ${t.family}`, tokens: t.tokens, chars: t.chars, ms: Number(t.ms.toFixed(2)), outcome: t.outcome });
    expect(times.length).toBe(ADVERSARIAL_DOCUMENTS.length);
    const slowest = times.reduce((a, b) => (b.ms > a.ms ? b : a));
    expect({ family: slowest.family, under50ms: slowest.ms < 50 }).toEqual({ family: slowest.family, under50ms: true });
  }, 30_000);

  it('#1 the slowest documents, sent one after another, leave /health/live under the bound', async () => {
    await eventLoopLag(gw.base);
    const idle = await slowestLiveDuring(gw.base, new Promise((ok) => setTimeout(ok, 1000)));
    const idleLag = await eventLoopLag(gw.base);
    const times = await validationTimes();
    const worst = [...times].sort((a, b) => b.ms - a.ms).slice(0, 3);
    // One round first, unmeasured: the gateway's first validation of each shape runs before
    // V8 has compiled graphql-js's validation code (a one-time cost, recorded separately).
    const t0 = performance.now();
    for (const w of worst) await gql(gw.url, `${w.document}\n# warm-up`);
    const coldMs = performance.now() - t0;
    await eventLoopLag(gw.base);
    const requestMs: number[] = [];
    const stream = (async () => {
      for (let round = 0; round < 10; round++) {
        for (const w of worst) {
          // A unique document each time (a trailing comment), so Apollo's document cache never helps.
          const t0 = performance.now();
          const r = await gql(gw.url, `${w.document}\n# ${round}`);
          requestMs.push(performance.now() - t0);
          expect(r.status).toBeLessThan(500);
        }
      }
    })();
    const live = await slowestLiveDuring(gw.base, stream);
    await stream;
    const lag = await eventLoopLag(gw.base);
    requestMs.sort((a, b) => a - b);
    observed.push({
      case: `the 3 slowest families x10, one at a time (${worst.map((w) => w.family).join('; ')})`,
      coldRoundMs: Math.round(coldMs),
      requestP50Ms: Math.round(requestMs[requestMs.length >> 1]),
      requestMaxMs: Math.round(requestMs[requestMs.length - 1]),
      liveMaxMs: Math.round(live.maxMs),
      liveSamples: live.samples,
      liveIdleMaxMs: Math.round(idle.maxMs),
      // Timer delays measured inside the gateway (each includes the 10 ms sampling interval).
      eventLoopDelayMaxMs: Number(lag.maxMs.toFixed(1)),
      eventLoopDelayP99Ms: Number(lag.p99Ms.toFixed(1)),
      eventLoopDelayIdleMaxMs: Number(idleLag.maxMs.toFixed(1)),
    });
    expect(lag.maxMs).toBeGreaterThan(0); // the gauge is there (a renamed metric would make this check vacuous)
    expect(live.maxMs).toBeLessThan(250);
  }, 60_000);

  it('#1 a document over the token limit is refused before validation, with a message saying what to do', async () => {
    const r = await gql(gw.url, `{ ${Array.from({ length: 3000 }, (_, i) => `a${i}: __typename`).join(' ')} }`);
    observed.push({ case: '3,000 aliases (9,000 tokens)', status: r.status, code: codes(r)[0], message: r.body?.errors?.[0]?.message });
    expect(r.status).toBe(400);
    expect(codes(r)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(r.body!.errors![0].message).toMatch(/more than \d[\d,]* tokens.*variables/i);
  }, 30_000);

  // Issue 14 #8: a size taken from a variable's default (or a supplied variable, or a
  // literal) is the size that executes, so it is the size that is costed.
  const PCA = 'pcaProjection(limit: $l) { x y z movie { title } }';
  const COST_CASES: [string, string, Record<string, unknown> | undefined][] = [
    ['variable default (no value sent)', `query Q($l: Int = 5000) { ${PCA} }`, undefined],
    ['variable default, variables {}', `query Q($l: Int = 5000) { ${PCA} }`, {}],
    ['non-null variable with a default', `query Q($l: Int! = 5000) { ${PCA} }`, {}],
    ['supplied variable', `query Q($l: Int) { ${PCA} }`, { l: 5000 }],
    ['literal', '{ pcaProjection(limit: 5000) { x y z movie { title } } }', undefined],
    ['default inside a fragment', `query Q($l: Int = 5000) { ...F } fragment F on Query { ${PCA} }`, undefined],
  ];
  it.each(COST_CASES)('#8 cost uses the executed value: %s', async (name, query, variables) => {
    const r = await gql(gw.url, query, variables);
    observed.push({ case: `cost: ${name}`, status: r.status, code: codes(r)[0] ?? 'OK', message: r.body?.errors?.[0]?.message });
    expect(codes(r)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(r.body!.errors![0].message).toMatch(/cost \d+ exceeds the limit 20000/);
  });

  it('#8 the same operations within the limit still answer (no false refusal)', async () => {
    const r = await gql(gw.url, 'query Q($l: Int = 5) { pcaProjection(limit: $l) { x y z movie { title } } }');
    expect(codes(r)).toEqual([]);
    const s = await gql(gw.url, 'query Q($l: Int = 5000) { pcaProjection(limit: $l) { x } }', { l: 3 });
    expect(codes(s)).toEqual([]);
  });

  // Issue 14 #3: /metrics grew without bound (the operation label fell back to the
  // client's operation name). Every label must come from a closed set, whatever the
  // client sends: names, aliases, fragments, unknown fields, operationName, errors.
  it('#3 metric labels come from closed sets: 600 requests with unique names add no label values', async () => {
    const before = await (await fetch(`${gw.base}/metrics`)).text();
    const unique = (i: number) => `Op${i}_${'x'.repeat(150)}`;
    const bodies: ((i: number) => object)[] = [
      (i) => ({ query: `query ${unique(i)} { ...F } fragment F on Query { activeModel { id } }` }),
      (i) => ({ query: `query ${unique(i)} { ... on Query { activeModel { id } } }` }),
      (i) => ({ query: `query ${unique(i)} { activeModel { id } }` }),
      (i) => ({ query: `{ ${unique(i)}: activeModel { id } }` }),
      (i) => ({ query: `query ${unique(i)} { ${unique(i)} }` }), // unknown root field
      (i) => ({ query: `query A { activeModel { id } } query B { activeModel { id } }`, operationName: unique(i) }),
      (i) => ({ query: `query ${unique(i)} { similarMovies(title: "no such film ${i}") { similarity } }` }),
      (i) => ({ query: `query ${unique(i)} {`, operationName: unique(i) }), // syntax error
    ];
    const statuses = new Set<number>();
    for (let i = 0; i < 75; i++) {
      const rs = await Promise.all(bodies.map((b) => postRaw(gw.url, JSON.stringify(b(i)))));
      for (const r of rs) statuses.add(r.status);
    }
    const after = await (await fetch(`${gw.base}/metrics`)).text();
    const ops = labelValues(after, 'cinemap_graphql_operation_duration_seconds', 'operation');
    const errOps = labelValues(after, 'cinemap_graphql_errors_total', 'operation');
    const errCodes = labelValues(after, 'cinemap_graphql_errors_total', 'code');
    observed.push({
      case: 'metrics after 600 uniquely named requests',
      bytesBefore: before.length,
      bytesAfter: after.length,
      operations: [...ops].sort(),
      errorOperations: [...errOps].sort(),
      codes: [...errCodes].sort(),
      statuses: [...statuses],
    });
    expect(ops.size).toBeGreaterThan(0); // the label is read (a renamed metric would make this vacuous)
    for (const v of [...ops, ...errOps, ...errCodes]) expect(v).not.toMatch(/Op\d+_x|no such film/);
    // Query's root fields plus a handful of fixed values at most.
    expect(ops.size).toBeLessThanOrEqual(14);
    expect(after.length - before.length).toBeLessThan(20_000);
  }, 60_000);

  // Issue 14 #13: malformed percent-encoding answered 500 (decodeURIComponent threw).
  const URLS = [
    '/%',
    '/%ZZ',
    '/assets/%ZZ',
    '/assets/%',
    '/%E0%A4%A',
    '/%C0%AF',
    '/%00',
    '/assets/%00.js',
    '/..%2F..%2Fetc%2Fpasswd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/%u0041',
    '/assets/app-0123abcd.js%',
    '/graphql%',
    '/health/live%ZZ',
    '/metrics%',
    '/%%%',
    `/${'%'.repeat(5000)}`,
    '/\\..\\..\\etc\\passwd',
    '/graphql?query=%ZZ',
    '/health/ready?%',
    '//%ZZ',
  ];
  const shown = (path: string) => (path.length > 60 ? `${path.slice(0, 20)}… (${path.length} chars)` : path);
  it.each(URLS.map((u) => [shown(u), u]))('#13 GET/HEAD/POST %s answers 400 or 404, never 500', async (_name, path) => {
    const got: string[] = [];
    for (const method of ['GET', 'HEAD', 'POST']) got.push(`${method} ${await rawStatus(gw.base, method, path)}`);
    observed.push({ case: `url ${shown(path)}`, statuses: got.join(', ') });
    for (const g of got) expect(Number(g.split(' ')[1])).toBeLessThan(500);
  });

  it('#13 the file handler still serves real files and the app shell', async () => {
    expect(await rawStatus(gw.base, 'GET', '/assets/app-0123abcd.js')).toBe(200);
    expect(await rawStatus(gw.base, 'GET', '/')).toBe(200);
    expect(await rawStatus(gw.base, 'GET', '/some/client/route')).toBe(200);
  });

  // Issue 14 #14: a body cached from an application/json POST was replayed for the same
  // body sent as a CSRF-able "simple" request. Every protection runs before the cache.
  it('#14 a cached body sent again as a simple (CSRF-able) request is refused, not replayed', async () => {
    const body = JSON.stringify({
      query: 'query($t: String!) { similarMovies(title: $t, k: 3) { similarity movie { title } } }',
      variables: { t: 'The Matrix' },
    });
    const first = await postRaw(gw.url, body);
    expect(codes(first)).toEqual([]);
    const again = await postRaw(gw.url, body);
    expect(again.text).toBe(first.text); // cached and replayed for a proper JSON request
    const simple = [
      'text/plain',
      'text/plain; charset=application/json',
      'text/plain;application/json',
      'application/x-www-form-urlencoded; x=application/json',
      'multipart/form-data; boundary=application/json',
      'TEXT/PLAIN; application/json',
    ];
    for (const ct of simple) {
      const r = await fetch(gw.url, { method: 'POST', headers: { 'content-type': ct }, body });
      const text = await r.text();
      observed.push({ case: `cached body as ${ct}`, status: r.status, body: text.slice(0, 120) });
      expect({ ct, status: r.status }).toEqual({ ct, status: 400 });
      expect(text).toMatch(/CSRF|apollo-require-preflight|content-type/i);
    }
  });

  it('#14 an over-size body, an over-cost body and a non-JSON body are refused even after a similar body was cached', async () => {
    const ok = JSON.stringify({ query: '{ similarMovies(title: "The Matrix", k: 2) { similarity } }' });
    expect(codes(await postRaw(gw.url, ok))).toEqual([]);
    expect(codes(await postRaw(gw.url, ok))).toEqual([]);
    // Same body with trailing bytes over the size limit: 413, not the cached answer.
    expect((await postRaw(gw.url, ok + ' '.repeat(1_000_001))).status).toBe(413);
    // application/json with parameters is still JSON (not a simple request): replayed.
    const withCharset = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: ok });
    expect(withCharset.status).toBe(200);
  });

  // The unclear-message finding: titles holding a newline were returned and suggested but
  // refused as input. One rule (libs/domain titleTextProblem) for what a title may
  // contain, and the input limit grows to the catalogue's longest title.
  it('every title the API returns or suggests can be typed back and finds its movie', async () => {
    const all = await gql(gw.url, '{ mostAppreciated(limit: 1000, filter: { minRatingCount: 0 }) { id title } }');
    const movies = (all.body!.data as { mostAppreciated: { id: number; title: string }[] }).mostAppreciated;
    for (const [id, title] of PLANTED_TITLES) expect(movies).toContainEqual({ id, title });
    const failures: string[] = [];
    const lookUp = async (title: string) => {
      const r = await gql(gw.url, 'query($t: String!) { movie(title: $t) { id } }', { t: title });
      return {
        code: codes(r)[0] ?? 'OK',
        id: (r.body?.data as { movie?: { id: number } | null } | undefined)?.movie?.id ?? null,
        message: r.body?.errors?.[0]?.message,
      };
    };
    for (const m of movies) {
      const r = await lookUp(m.title);
      if (r.id !== m.id) failures.push(`${JSON.stringify(m.title)} (${m.id}): ${r.code} ${r.id} ${r.message ?? ''}`);
    }
    const miss = await gql(gw.url, 'query($t: String!) { similarMovies(title: $t) { similarity } }', { t: 'Filler Pictur 001' });
    const suggestions = (miss.body!.errors![0].extensions as { suggestions: string[] }).suggestions;
    for (const s of suggestions) {
      const r = await lookUp(s);
      if (r.code !== 'OK' || r.id === null) failures.push(`suggested ${JSON.stringify(s)}: ${r.code} ${r.message ?? ''}`);
    }
    observed.push({ case: 'titles returned or suggested, typed back', titles: movies.length, suggestions, failures });
    expect(suggestions).toContain('Filler\nPicture 001 (1951)');
    expect(failures).toEqual([]);
    // Still refused: control characters that are not whitespace, and a title longer than any in the catalogue.
    expect((await lookUp('Filler Picture 001\u001b[2J')).code).toBe('BAD_USER_INPUT');
    expect((await lookUp('x'.repeat(LONG.length + 10))).code).toBe('BAD_USER_INPUT');
  }, 60_000);

  // Found while measuring #1: a document of many unknown titles cost one SQL trigram scan
  // of the catalogue each ("did you mean"), outside the cost model. Capped per request.
  it('a document of many unknown titles looks up suggestions for the first 3 only, and says so', async () => {
    const doc = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: movie(title: "Filler Pictur ${String(i).padStart(3, '0')}") { id }`).join(' ')} }`;
    const r = await gql(gw.url, doc);
    const errs = r.body!.errors!;
    const withSuggestions = errs.filter((e) => ((e.extensions as { suggestions?: string[] }).suggestions ?? []).length > 0).length;
    const capped = errs.filter((e) =>
      /suggestions are looked up for the first 3 unknown titles of a request only: try searchMovies/.test(e.message),
    );
    observed.push({
      case: '40 unknown titles in one document (movie(title:) aliases)',
      errors: errs.length,
      withSuggestions,
      cappedMessage: capped[0]?.message,
    });
    expect(errs.map((e) => e.extensions?.code)).toEqual(Array(40).fill('MOVIE_NOT_FOUND'));
    expect(withSuggestions).toBe(3);
    expect(capped.length).toBe(37);
  }, 30_000);
});
