// Issue 14, round 2, the ingest's share: hostile sources through the BUILT ingest CLI
// against a database holding a previous dataset. Each case stands for its class:
//   #4  a source resolves to exactly one dataset root (zips, folders, all layouts) or
//       stops naming the candidates;
//   #9  secrets in a source URL appear nowhere: stdout, stderr, datasets.source/params;
//   #10 any input size costs bounded memory: zip bombs refused from their headers,
//       sizes and CRCs checked, a 300 MB line streamed past without being kept;
//   #11 a NUL byte in any text field is a file:line error, honoured by --on-invalid skip;
//   #12 per-row work is linear and bounded: genre counts and row lengths are capped;
//   and the unclear messages of the same report (timestamp cap, a folder where a file
//   should be, --sample-fraction 1e-9, a path-traversal entry).
// Cases that stop before the database is opened run on the first backend; the ones
// that store or load (#9, #11 and #12 with skip, every layout) run on both.
import { closeSync, cpSync, ftruncateSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync, writeSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { availableBackends } from '@cinemap/db/testing';
import { CLI, CliDatabase, TINY_CURATION, builtClis, cliDatabase, fingerprint, generateTiny, run, start, tempDir } from './support/harness';
import { writeReport } from './support/report';
import { LAYOUT_FIXTURES, craftZip } from '@cinemap/movielens/testing';
import { crc32 } from '@cinemap/movielens';

const FILES = ['movies.csv', 'ratings.csv', 'links.csv', 'tags.csv'] as const;
const FIX = LAYOUT_FIXTURES;
let base: Record<(typeof FILES)[number], Buffer>;
let work: string;

interface Case {
  name: string;
  issue: string;
  build(dir: string): string | Promise<string>;
  flags?: string[];
  /** Expected exit code (default 1). */
  exit?: number;
  /** What stdout+stderr must say, and must not. */
  says: RegExp;
  never?: RegExp;
  /** Peak RSS bound for the child, MB (memory-class cases). */
  maxRssMb?: number;
  /** The dataset loads (exit 0): check the database afterwards. */
  after?(db: CliDatabase): Promise<void>;
}

function folder(dir: string, change: Partial<Record<(typeof FILES)[number], string | Buffer | null>> = {}): string {
  mkdirSync(dir, { recursive: true });
  for (const f of FILES) {
    const v = f in change ? change[f] : base[f];
    if (v !== null && v !== undefined) writeFileSync(join(dir, f), v);
  }
  return dir;
}
const append = (f: (typeof FILES)[number], line: string | Buffer) => Buffer.concat([base[f], Buffer.from(line), Buffer.from('\n')]);
const firstMovie = () => Number(base['movies.csv'].toString('utf8').split('\n')[1].split(',')[0]);
const zip = (path: string, entries: Parameters<typeof craftZip>[0]) => (writeFileSync(path, craftZip(entries)), path);
/** A fixture folder as a zip, its files inside a folder of the same name (as GroupLens zips are). */
const fixtureZip = (path: string, name: string) =>
  zip(
    path,
    readdirSync(join(FIX, name)).map((f) => ({ name: `${name}/${f}`, data: readFileSync(join(FIX, name, f)) })),
  );

/** A file of `size` bytes that starts with `head` and is zeros after it, without writing the zeros (sparse). */
function sparse(path: string, head: string, size: number): void {
  const fd = openSync(path, 'w');
  writeSync(fd, head);
  ftruncateSync(fd, size);
  closeSync(fd);
}

/** Runs the built CLI, polling its peak RSS (VmHWM) while it runs. */
async function runMeasured(args: string[], env: Record<string, string>) {
  const p = start(CLI.ingest, args, env);
  let peak = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) / 1024);
    } catch {
      // ended
    }
  }, 50);
  const t0 = Date.now();
  const r = await p.done;
  clearInterval(poll);
  return { ...r, peakMb: peak, seconds: (Date.now() - t0) / 1000 };
}

// The HTTP server behind #9: it serves the base zip only to the right user, password and token.
const SECRET = { user: 'ingestuser', password: 's3cretPw', token: 't0kenXYZ' };
let server: http.Server;
let port = 0;
const secretUrl = (path: string) => `http://${SECRET.user}:${SECRET.password}@127.0.0.1:${port}${path}?token=${SECRET.token}&v=1`;
const NO_SECRET = new RegExp(`${SECRET.password}|${SECRET.token}|${SECRET.user}:`);

const storedNoSecrets = async (db: CliDatabase) => {
  const rows = await db.with((d) =>
    d.query<{ t: string }>(`SELECT (source || ' ' || params::text || ' ' || counts::text) AS t FROM datasets`),
  );
  expect(rows.length).toBeGreaterThan(0);
  for (const r of rows) expect(r.t).not.toMatch(NO_SECRET);
  expect(rows.map((r) => r.t).join('\n')).toContain(`http://***@127.0.0.1:${port}/private/ml.zip?token=***&v=1`);
};

const CASES: Case[] = [
  // #4: one dataset root, or the candidates named
  {
    name: '#4 zip: old/ratings.csv beside new/movies.csv + new/ratings.csv',
    issue: '4',
    build: (d) =>
      zip(`${d}.zip`, [
        { name: 'old/ratings.csv', data: base['ratings.csv'] },
        { name: 'new/movies.csv', data: base['movies.csv'] },
        { name: 'new/ratings.csv', data: base['ratings.csv'] },
      ]),
    says: /holds dataset files in 2 places: new\/ \(movies\.csv, ratings\.csv\); old\/ \(ratings\.csv\)/,
  },
  {
    name: '#4 zip: dataset files at the top and in a folder',
    issue: '4',
    build: (d) =>
      zip(`${d}.zip`, [
        { name: 'movies.csv', data: base['movies.csv'] },
        { name: 'ratings.csv', data: base['ratings.csv'] },
        { name: 'x/tags.csv', data: base['tags.csv'] },
      ]),
    says: /holds dataset files in 2 places: the top \(movies\.csv, ratings\.csv\); x\/ \(tags\.csv\)/,
  },
  {
    name: '#4 zip: the same file twice',
    issue: '4',
    build: (d) =>
      zip(`${d}.zip`, [
        { name: 'ml/movies.csv', data: base['movies.csv'] },
        { name: 'ml/ratings.csv', data: base['ratings.csv'] },
        { name: 'ml/ratings.csv', data: base['ratings.csv'] },
      ]),
    says: /holds ml\/ratings\.csv twice/,
  },
  {
    name: '#4 folder holding two datasets (CSV and ml-100k)',
    issue: '4',
    build: (d) => (folder(join(d, 'ml-latest-small')), cpSync(join(FIX, 'ml-100k'), join(d, 'ml-100k'), { recursive: true }), d),
    says: /holds dataset files in 2 places: ml-100k\/ \(u\.data, u\.genre, u\.item, u\.user\); ml-latest-small\/ \(links\.csv, movies\.csv, ratings\.csv, tags\.csv\)[\s\S]*--source .*ml-100k/,
    never: /has no movies\.csv/,
  },
  {
    name: '#4 folder holding ratings.csv and ratings.dat',
    issue: '4',
    build: (d) => (folder(d), cpSync(join(FIX, 'ml-1m', 'ratings.dat'), join(d, 'ratings.dat')), d),
    says: /holds files of 2 MovieLens layouts: .*ratings\.csv.*\(CSV layout\) and ratings\.dat \(ml-1m\/ml-10m layout\)/,
  },
  // #9: secrets in the source URL
  {
    name: '#9 a 404 from a URL with user:password and ?token=',
    issue: '9',
    build: () => secretUrl('/missing.zip'),
    says: /Could not download http:\/\/\*\*\*@127\.0\.0\.1:\d+\/missing\.zip\?token=\*\*\*&v=1: the server answered HTTP 404/,
    never: NO_SECRET,
  },
  // #10: bounded memory for any input size
  {
    name: '#10 zip bomb: 4 MB zip, tags.csv inflating to 2.15 GB',
    issue: '10',
    build: (d) =>
      zip(`${d}.zip`, [
        { name: 'ml/movies.csv', data: base['movies.csv'] },
        { name: 'ml/ratings.csv', data: base['ratings.csv'] },
        {
          name: 'ml/tags.csv',
          repeat: {
            head: Buffer.from('userId,movieId,tag,timestamp\n'),
            block: Buffer.from('2,29,great acting,1501188091\n'.repeat(37_450)),
            times: 2050,
          },
        },
      ]),
    says: /tags\.csv would inflate from [\d.]+ MiB to 2\.\d\d GiB \(\d+:1\); real MovieLens files compress about 3\.5:1, so this zip is refused as a zip bomb/,
    maxRssMb: 250,
  },
  {
    name: '#10 zip entry inflating past the size its header declares',
    issue: '10',
    build: (d) =>
      zip(`${d}.zip`, [
        { name: 'ml/movies.csv', data: base['movies.csv'] },
        { name: 'ml/ratings.csv', data: base['ratings.csv'] },
        {
          name: 'ml/tags.csv',
          repeat: {
            head: Buffer.from('userId,movieId,tag,timestamp\n'),
            block: Buffer.from('2,29,great acting,1501188091\n'.repeat(37_450)),
            times: 60,
          },
          uncompressedSize: 1 << 20,
        },
      ]),
    says: /tags\.csv is not a readable zip: too many bytes in the stream\. expected 1048576/,
    maxRssMb: 250,
  },
  {
    name: '#10 CRC-32 mismatch in a stored entry that still parses (one rating changed)',
    issue: '10',
    build: (d) => {
      const good = base['ratings.csv'];
      const bad = Buffer.from(
        good.toString('utf8').replace(/^(\d+,\d+,)(\d\.\d)/m, (_m, a: string, r: string) => `${a}${r === '1.0' ? '2.0' : '1.0'}`),
      );
      return zip(`${d}.zip`, [
        { name: 'ml/movies.csv', data: base['movies.csv'] },
        { name: 'ml/ratings.csv', data: bad, method: 0, crc32: crc32(good) },
      ]);
    },
    says: /ratings\.csv is damaged: its CRC-32 is [0-9a-f]{8} but the zip says [0-9a-f]{8}\. Nothing was loaded\.[\s\S]*download it again/,
  },
  {
    name: '#10 a 3 GB ratings.csv in a folder (sparse file)',
    issue: '10',
    build: (d) => (folder(d), sparse(join(d, 'ratings.csv'), 'userId,movieId,rating,timestamp\n', 3 * 1024 ** 3), d),
    says: /ratings\.csv is 3\.00 GiB, over the 2\.00 GiB limit for a ratings file \(the largest real one is ml-32m's ratings\.csv, 0\.9 GB\)[\s\S]*--max-file-mb 3380/,
    maxRssMb: 250,
  },
  {
    name: '#10 a 300 MB line in tags.csv, --on-invalid skip: streamed past, not kept',
    issue: '10',
    build: (d) => (folder(d), sparse(join(d, 'tags.csv'), 'userId,movieId,tag,timestamp\n', 300 * 1024 ** 2), d),
    flags: ['--on-invalid', 'skip', '--dry-run'],
    exit: 0,
    says: /row-too-long: 1 {2}\(first: .*tags\.csv:2: the row is longer than 65536 bytes/,
    maxRssMb: 250,
  },
  {
    name: '#10 an entry named ../evil.txt (path traversal)',
    issue: '10',
    build: (d) =>
      zip(`${d}.zip`, [
        { name: '../evil.txt', data: Buffer.from('x') },
        { name: 'ml/movies.csv', data: base['movies.csv'] },
        { name: 'ml/ratings.csv', data: base['ratings.csv'] },
      ]),
    says: /holds an entry named "\.\.\/evil\.txt", which points outside the zip's folder; ingest refuses such zips/,
    never: /incomplete|download it again/,
  },
  // #11: NUL bytes
  {
    name: '#11 NUL in a title',
    issue: '11',
    build: (d) => folder(d, { 'movies.csv': append('movies.csv', '999999,Nul\0Title (2001),Drama') }),
    says: /movies\.csv:302: title contains a NUL byte \(U\+0000\), which PostgreSQL cannot store in text/,
  },
  {
    name: '#11 NUL in a genre',
    issue: '11',
    build: (d) => folder(d, { 'movies.csv': append('movies.csv', '999999,Nul Genre (2001),Dra\0ma') }),
    says: /movies\.csv:\d+: genres contains a NUL byte/,
  },
  {
    name: '#11 NUL in a tag (was dropped silently)',
    issue: '11',
    build: (d) => folder(d, { 'tags.csv': append('tags.csv', `1,${firstMovie()},bad\0tag,1500000000`) }),
    says: /tags\.csv:\d+: tag contains a NUL byte/,
  },
  // #12: linear, bounded per-row work
  {
    name: '#12 one movie with 100,000 genres (a 700 KB row)',
    issue: '12',
    build: (d) =>
      folder(d, {
        'movies.csv': append('movies.csv', `999999,Many (2001),${Array.from({ length: 100_000 }, (_, i) => `G${i}`).join('|')}`),
      }),
    says: /movies\.csv:\d+: the row is longer than 65536 bytes/,
    maxRssMb: 250,
  },
  {
    name: '#12 one movie with 10,000 genres (a 20 KB row)',
    issue: '12',
    build: (d) => folder(d, { 'movies.csv': append('movies.csv', `999999,Many (2001),${Array(10_000).fill('A').join('|')}`) }),
    says: /movies\.csv:\d+: movie 999999 lists 10000 genres \(at most 64; MovieLens has 20 in all\)/,
  },
  // Unclear messages of the same report
  {
    name: 'timestamp beyond the cap',
    issue: 'msg',
    build: (d) => folder(d, { 'ratings.csv': append('ratings.csv', `1,${firstMovie()},4.0,999999999999`) }),
    says: /ratings\.csv:\d+: timestamp "999999999999" is after 9999-12-31 23:59:59 UTC, the latest time PostgreSQL stores with a four-digit year \(at most 253402300799/,
  },
  {
    name: 'user id beyond 32 bits',
    issue: 'msg',
    build: (d) => folder(d, { 'ratings.csv': append('ratings.csv', `99999999999,${firstMovie()},4.0,1`) }),
    says: /ratings\.csv:\d+: userId "99999999999" is larger than 2147483647, the largest id/,
  },
  {
    name: 'a folder where ratings.csv should be',
    issue: 'msg',
    build: (d) => (folder(d, { 'ratings.csv': null }), mkdirSync(join(d, 'ratings.csv')), d),
    says: /ratings\.csv is a folder, where the file ratings\.csv was expected/,
    never: /download/,
  },
  {
    name: '--sample-fraction 1e-9',
    issue: 'msg',
    build: (d) => folder(d),
    flags: ['--sample-fraction', '1e-9', '--dry-run'],
    says: /Curation kept no ratings: step 4 \(--sample-fraction 1e-9\) kept no rating: .*any fraction below [\d.]+ keeps nothing/,
    never: /thresholds suit/,
  },
];

/** Loads that must work on every backend. */
const LOADS: Case[] = [
  {
    name: '#9 a URL with user:password and ?token= loads; nothing secret printed or stored',
    issue: '9',
    build: () => secretUrl('/private/ml.zip'),
    exit: 0,
    says: /source: http:\/\/\*\*\*@127\.0\.0\.1:\d+\/private\/ml\.zip\?token=\*\*\*&v=1/,
    never: NO_SECRET,
    after: storedNoSecrets,
  },
  {
    name: '#11 NUL in a title with --on-invalid skip: skipped and counted, the rest loads',
    issue: '11',
    build: (d) => folder(d, { 'movies.csv': append('movies.csv', '999999,Nul\0Title (2001),Drama') }),
    flags: ['--on-invalid', 'skip'],
    exit: 0,
    says: /nul-byte: 1 {2}\(first: .*movies\.csv:\d+: title contains a NUL byte/,
    after: async (db) => {
      const [r] = await db.with((d) =>
        d.query<{ n: number; inv: string }>(
          `SELECT (SELECT count(*)::int FROM movies WHERE movie_id = 999999) AS n, (SELECT counts->'invalid'->>'nul-byte' FROM datasets WHERE active) AS inv`,
        ),
      );
      expect(r).toEqual({ n: 0, inv: '1' });
    },
  },
  {
    name: '#12 10,000 genres with --on-invalid skip: skipped and counted',
    issue: '12',
    build: (d) => folder(d, { 'movies.csv': append('movies.csv', `999999,Many (2001),${Array(10_000).fill('A').join('|')}`) }),
    flags: ['--on-invalid', 'skip'],
    exit: 0,
    says: /too-many-genres: 1/,
  },
  ...(['ml-100k', 'ml-1m', 'ml-10M100K'] as const).flatMap((name): Case[] => [
    {
      name: `layout ${name} (folder)`,
      issue: 'layouts',
      build: (d) => (cpSync(join(FIX, name), d, { recursive: true }), d),
      exit: 0,
      says: /dataset \d+ is active/,
    },
    { name: `layout ${name} (zip)`, issue: 'layouts', build: (d) => fixtureZip(`${d}.zip`, name), exit: 0, says: /dataset \d+ is active/ },
  ]),
];

interface Observed {
  backend: string;
  issue: string;
  name: string;
  exit: number | null;
  message: string;
  seconds: number;
  peakMb: number;
  intact: boolean | null;
}
const observed: Observed[] = [];

const d = builtClis ? describe : describe.skip;

d('hostile sources through the built ingest CLI (issue 14: #4, #9, #10, #11, #12, messages)', () => {
  beforeAll(async () => {
    work = tempDir('hostile');
    const tiny = await generateTiny(join(work, 'base'));
    base = Object.fromEntries(FILES.map((f) => [f, readFileSync(join(tiny.dir, f))])) as typeof base;
    writeFileSync(join(work, 'base.zip'), readFileSync(tiny.zip));
    server = http.createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const auth = `Basic ${Buffer.from(`${SECRET.user}:${SECRET.password}`).toString('base64')}`;
      if (req.headers.authorization !== auth || u.searchParams.get('token') !== SECRET.token) return res.writeHead(401).end();
      if (u.pathname !== '/private/ml.zip') return res.writeHead(404).end();
      const body = readFileSync(join(work, 'base.zip'));
      res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  }, 60_000);
  afterAll(async () => {
    writeReport('ingest-hostile', observed);
    await new Promise<void>((r) => server.close(() => r()));
  });

  const backends = availableBackends().includes('postgres') ? (['postgres', 'pglite'] as const) : (['pglite'] as const);
  describe.each(backends.map((b, i) => [b, i === 0 ? [...CASES, ...LOADS] : LOADS] as const))('[%s]', (backend, cases) => {
    let db: CliDatabase;
    let before: Awaited<ReturnType<typeof fingerprint>>;
    beforeAll(async () => {
      db = await cliDatabase(backend);
      const first = await run(CLI.ingest, ['--source', join(work, 'base.zip'), ...TINY_CURATION], db.env);
      if (first.code !== 0) throw new Error(`the previous dataset did not load:\n${first.stderr}`);
      before = await db.with(fingerprint);
    }, 120_000);
    afterAll(() => db?.drop(), 60_000);

    it.each(cases.map((c, i) => [c.name, c, i] as const))(
      '%s',
      async (_name, c, i) => {
        const src = await c.build(join(work, `${backend}-${i}`));
        const r = await runMeasured(
          ['--source', src, ...TINY_CURATION, '--cache-dir', join(work, `cache-${backend}-${i}`), ...(c.flags ?? [])],
          db.env,
        );
        const all = r.stdout + r.stderr;
        const after = c.exit === 0 && !c.flags?.includes('--dry-run') ? null : await db.with(fingerprint);
        // The line that matters: the one the case looks for, else the error (not a progress line).
        const lines = all.split('\n');
        const msg = (lines.find((l) => c.says.test(l)) ?? lines.find((l) => l.startsWith('ingest:')) ?? r.stderr).trim();
        observed.push({
          backend,
          issue: c.issue,
          name: c.name,
          exit: r.code,
          message: msg.split('\n')[0].slice(0, 300),
          seconds: Math.round(r.seconds * 10) / 10,
          peakMb: Math.round(r.peakMb),
          intact: after ? JSON.stringify(after) === JSON.stringify(before) : null,
        });
        expect({ code: r.code, out: all }).toMatchObject({ code: c.exit ?? 1 });
        expect(all).toMatch(c.says);
        if (c.never) expect(all).not.toMatch(c.never);
        expect(all).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
        if (c.maxRssMb) expect(r.peakMb).toBeLessThan(c.maxRssMb);
        if (after) expect(after).toEqual(before);
        if (c.after) await c.after(db);
      },
      120_000,
    );
  });
});
