// `npm start` as a newcomer runs it, offline: given an empty CINEMAP_HOME, when the built
// start CLI runs with --offline, then it generates the synthetic dump, ingests and trains
// through the other apps' built CLIs, serves GraphQL that answers a neighbour query, and
// stops cleanly on Ctrl-C; a second start reuses the trained model.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { exampleProblem, graphqlExamples, printedExamples } from '../doc-examples';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../../../..');
const home = mkdtempSync(join(tmpdir(), 'cinemap-start-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Starts dist/apps/cinemap/start.js; resolves with the GraphQL URL once it says it is up. */
function start(args: string[]): Promise<{ child: ChildProcess; url: string; out: () => string }> {
  const env = { ...process.env, DATABASE_URL: '', CINEMAP_HOME: home, CINEMAP_SQL_PORT: '0', LOG_LEVEL: 'warn' };
  const child = spawn(process.execPath, ['dist/apps/cinemap/start.js', '--port', '0', ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((ok, fail) => {
    const onData = (d: Buffer) => {
      out += d;
      const m = /cinemap is up after \d+ s: GraphQL at (http:\/\/\S+\/graphql)/.exec(out);
      if (m) ok({ child, url: m[1], out: () => out });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => fail(new Error(`npm start exited (${code}) before serving:\n${out}`)));
  });
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGINT');
  return exited;
}

it('offline: generates, ingests, trains, serves, stops on Ctrl-C; the second start reuses the model', async () => {
  const first = await start(['--offline']);
  expect(first.out()).toMatch(/--offline given.*synthetic "small" dump/);
  expect(first.out()).toMatch(/\$ node dist\/apps\/ingest\/generate\.js/);
  expect(first.out()).toMatch(/\$ node dist\/apps\/trainer\/main\.js/);
  const r = await fetch(first.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ mostAppreciated(limit: 3) { title } activeModel { engine } }' }),
  });
  const body = (await r.json()) as { data: { mostAppreciated: { title: string }[]; activeModel: { engine: string } } };
  expect(body.data.mostAppreciated).toHaveLength(3);
  expect(body.data.activeModel.engine).toBe('native');
  // Every example docs/graphql.md shows and npm start prints answers, with data, on the demo set.
  const examples = [...graphqlExamples(readFileSync(join(root, 'docs/graphql.md'), 'utf8')), ...printedExamples(first.out())];
  expect(examples.length).toBeGreaterThan(15);
  expect(printedExamples(first.out()).length).toBeGreaterThanOrEqual(4);
  const problems: { query: string; problem: string }[] = [];
  for (const query of examples) {
    const problem = await exampleProblem(first.url, query);
    if (problem) problems.push({ query, problem });
  }
  expect(problems).toEqual([]);
  // The offline console at GET /graphql (no Apollo Sandbox from the internet) offers examples that work too.
  const page = await (await fetch(first.url, { headers: { accept: 'text/html' } })).text();
  expect(page).not.toMatch(/<script[^>]+src=|<link[^>]+href="https?:|apollographql|sandbox/i);
  const offered = JSON.parse(/<script type="application\/json" id="example-queries">([\s\S]*?)<\/script>/.exec(page)![1]) as string[];
  expect(offered.length).toBeGreaterThan(5);
  for (const query of offered) expect({ query, problem: await exampleProblem(first.url, query) }).toEqual({ query, problem: null });
  // Planted: an example that names a film the demo set lacks is caught.
  expect(await exampleProblem(first.url, '{ similarMovies(title: "Toy Story") { similarity } }')).toMatch(/errors: .*not found/);
  expect(await stop(first.child)).toBe(0);

  const second = await start([]);
  expect(second.out()).toMatch(/A trained model is already active: reusing it/);
  expect(second.out()).not.toMatch(/\$ node dist\/apps\/ingest/);
  expect(await stop(second.child)).toBe(0);
}, 300_000);
