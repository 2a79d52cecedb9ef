// Request-level guards of the built gateway (issue 14, round 2 of hostile testing):
// validation and cost work stay linear in the document and bounded by the token limit
// (no request blocks the event loop), costs use the values actually executed
// (variables, their defaults, literals). The HTTP layer does not depend on the
// database, so these run on one backend (PostgreSQL when DATABASE_URL is set).
import { availableBackends } from '@cinemap/db/testing';
import { seedGatewayFixture } from '../../../libs/db/src/testing/seed';
import { CliDatabase, GatewayProcess, builtClis, cliDatabase, codes, gql, startGateway } from './support/harness';
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

const observed: Record<string, unknown>[] = [];

d(`[${backend}] request guards of the built gateway`, () => {
  let db: CliDatabase;
  let gw: GatewayProcess;
  beforeAll(async () => {
    db = await cliDatabase(backend);
    await db.with((h) => seedGatewayFixture(h, { fillers: 30 }));
    gw = await startGateway({ ...db.env, NODE_ENV: 'production' });
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
    observed.push({ case: 'doubling fragments F0..F22', status: r.status, code: codes(r)[0] ?? 'OK', ms: Math.round(ms), liveMaxMs: Math.round(live.maxMs) });
    expect(r.status).toBeLessThan(500);
    // Before the fix: 9.5 s with /health/live waiting as long. Generous bounds (shared 2-core machine).
    expect(ms).toBeLessThan(1000);
    expect(live.maxMs).toBeLessThan(250);
  }, 30_000);

  it('#1 every adversarial family at the token limit validates in < 50 ms in the gateway\'s own rules', async () => {
    const times = await validationTimes();
    for (const t of times) observed.push({ case: `validate: ${t.family}`, tokens: t.tokens, chars: t.chars, ms: Number(t.ms.toFixed(2)), outcome: t.outcome });
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
});
