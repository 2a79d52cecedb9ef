// Bad input to the built ingest CLI, black-box: given a database holding a previous
// dataset, when a malformed MovieLens dump is ingested, then the CLI exits non-zero with
// one message naming what is wrong and where (file:line, the file, or the flag), and
// every table is exactly as before (row counts and md5 of the sorted rows).
// The corpus runs on every available backend (PGlite always; PostgreSQL with DATABASE_URL).
import { mkdirSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableBackends } from '@cinemap/db/testing';
import { CLI, CliDatabase, TINY_CURATION, builtClis, cliDatabase, fingerprint, generateTiny, run, tempDir } from './support/harness';
import { writeReport } from './support/report';

const FILES = ['movies.csv', 'ratings.csv', 'links.csv', 'tags.csv'] as const;
type Files = Partial<Record<(typeof FILES)[number], string | Buffer | null>>;

interface Case {
  name: string;
  /** Builds the source (a folder or a file) from the base dump; returns its path. */
  build(dir: string): string | Promise<string>;
  /** What the message must say (what and where). */
  message: RegExp;
  exit?: number;
  /** Extra CLI flags (e.g. --dry-run for an input that is accepted by design). */
  flags?: string[];
}

let base: Record<(typeof FILES)[number], string>;
let baseZip: Buffer;

/** A folder holding the base dump with some files replaced (string/Buffer) or removed (null). */
function folder(dir: string, change: Files): string {
  mkdirSync(dir, { recursive: true });
  for (const f of FILES) {
    const v = f in change ? change[f] : base[f];
    if (v !== null && v !== undefined) writeFileSync(join(dir, f), v);
  }
  return dir;
}

/** base file with line `n` (1-based, header = 1) replaced. */
function withLine(file: (typeof FILES)[number], n: number, text: string): string {
  const lines = base[file].split('\n');
  lines[n - 1] = text;
  return lines.join('\n');
}
function appendLine(file: (typeof FILES)[number], text: string): string {
  return base[file].replace(/\n?$/, '\n') + text + '\n';
}
const firstMovieId = () => Number(base['movies.csv'].split('\n')[1].split(',')[0]);

async function zipOf(path: string, entries: Record<string, Buffer | string>): Promise<string> {
  const yazl = await import('yazl');
  const z = new yazl.ZipFile();
  for (const [name, data] of Object.entries(entries)) z.addBuffer(Buffer.from(data), name);
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream) chunks.push(c as Buffer);
  writeFileSync(path, Buffer.concat(chunks));
  return path;
}

const R = 'ratings.csv';
const M = 'movies.csv';
const line = (file: string, n: number) => new RegExp(`${file.replace('.', '\\.')}:${n}\\b`);

export const CORPUS: Case[] = [
  // The container
  {
    name: 'zip truncated to half its size',
    build: (d) => (writeFileSync(`${d}.zip`, baseZip.subarray(0, baseZip.length >> 1)), `${d}.zip`),
    message: /\.zip|damaged|incomplete|central directory/i,
  },
  {
    name: 'zip with corrupt bytes in the middle',
    build: (d) => {
      const b = Buffer.from(baseZip);
      b.fill(0x5a, 2000, 40_000);
      writeFileSync(`${d}.zip`, b);
      return `${d}.zip`;
    },
    message: /ratings\.csv|movies\.csv|\.zip|damaged|invalid/i,
  },
  { name: 'a text file named .zip', build: (d) => (writeFileSync(`${d}.zip`, 'this is not a zip\n'), `${d}.zip`), message: /\.zip/ },
  { name: 'source path does not exist', build: (d) => join(d, 'nowhere'), message: /--source .*nowhere: no such file or folder/ },
  { name: 'folder without ratings.csv', build: (d) => folder(d, { 'ratings.csv': null }), message: /has no ratings\.csv/ },
  { name: 'folder without movies.csv', build: (d) => folder(d, { 'movies.csv': null }), message: /has no movies\.csv/ },
  {
    name: 'zip without ratings.csv',
    build: (d) => zipOf(`${d}.zip`, { 'ml/movies.csv': base['movies.csv'], 'ml/links.csv': base['links.csv'] }),
    message: /has no ratings\.csv/,
  },
  // Headers
  {
    name: 'ratings header renamed',
    build: (d) => folder(d, { [R]: withLine(R, 1, 'user,movie,rating,timestamp') }),
    message: /ratings\.csv.*header|header.*ratings\.csv/i,
  },
  {
    name: 'ratings header reordered',
    build: (d) => folder(d, { [R]: withLine(R, 1, 'movieId,userId,rating,timestamp') }),
    message: /ratings\.csv.*header|header.*ratings\.csv/i,
  },
  {
    name: 'movies header reordered',
    build: (d) => folder(d, { [M]: withLine(M, 1, 'title,movieId,genres') }),
    message: /movies\.csv.*header|header.*movies\.csv/i,
  },
  {
    name: 'links header missing a column',
    build: (d) => folder(d, { 'links.csv': base['links.csv'].replace(/^[^\n]*/, 'movieId,imdbId') }),
    message: /links\.csv.*header|header.*links\.csv/i,
  },
  // Encoding
  {
    name: 'invalid UTF-8 in a title',
    build: (d) =>
      folder(d, {
        [M]: Buffer.concat([Buffer.from(base[M].replace(/\n?$/, '\n')), Buffer.from('999999,Bad \xff\xfe Bytes (2001),Drama\n', 'latin1')]),
      }),
    message: /movies\.csv:\d+: .*UTF-8/,
  },
  {
    name: 'invalid UTF-8 in a tag',
    build: (d) =>
      folder(d, {
        'tags.csv': Buffer.concat([
          Buffer.from(base['tags.csv'].replace(/\n?$/, '\n')),
          Buffer.from(`1,${firstMovieId()},caf\xe9,1500000000\n`, 'latin1'),
        ]),
      }),
    message: /tags\.csv:\d+: .*UTF-8/,
  },
  // Ratings values
  { name: 'rating 0', build: (d) => folder(d, { [R]: withLine(R, 2, `1,${firstMovieId()},0,1500000000`) }), message: line(R, 2) },
  { name: 'rating 5.5', build: (d) => folder(d, { [R]: withLine(R, 2, `1,${firstMovieId()},5.5,1500000000`) }), message: line(R, 2) },
  { name: 'rating 6', build: (d) => folder(d, { [R]: withLine(R, 3, `1,${firstMovieId()},6,1500000000`) }), message: line(R, 3) },
  {
    name: 'rating "four"',
    build: (d) => folder(d, { [R]: withLine(R, 2, `1,${firstMovieId()},four,1500000000`) }),
    message: /ratings\.csv:2: .*four/,
  },
  {
    name: 'rating 4.25 (not a half step)',
    build: (d) => folder(d, { [R]: withLine(R, 2, `1,${firstMovieId()},4.25,1500000000`) }),
    message: line(R, 2),
  },
  { name: 'rating -1', build: (d) => folder(d, { [R]: withLine(R, 2, `1,${firstMovieId()},-1,1500000000`) }), message: line(R, 2) },
  // Ids and timestamps
  { name: 'negative user id', build: (d) => folder(d, { [R]: withLine(R, 2, `-5,${firstMovieId()},4,1500000000`) }), message: line(R, 2) },
  { name: 'user id 0', build: (d) => folder(d, { [R]: withLine(R, 2, `0,${firstMovieId()},4,1500000000`) }), message: line(R, 2) },
  {
    name: 'huge user id (2^40)',
    build: (d) => folder(d, { [R]: withLine(R, 2, `1099511627776,${firstMovieId()},4,1500000000`) }),
    message: line(R, 2),
  },
  {
    name: 'negative movie id in movies.csv',
    build: (d) => folder(d, { [M]: appendLine(M, '-7,Negative (2001),Drama') }),
    message: /movies\.csv:\d+: .*-7/,
  },
  {
    name: 'huge movie id in movies.csv',
    build: (d) => folder(d, { [M]: appendLine(M, '99999999999,Huge (2001),Drama') }),
    message: /movies\.csv:\d+: .*99999999999/,
  },
  { name: 'movie id "12abc" in ratings', build: (d) => folder(d, { [R]: withLine(R, 2, '1,12abc,4,1500000000') }), message: line(R, 2) },
  {
    name: 'timestamp "yesterday"',
    build: (d) => folder(d, { [R]: withLine(R, 2, `1,${firstMovieId()},4,yesterday`) }),
    message: line(R, 2),
  },
  { name: 'negative timestamp', build: (d) => folder(d, { [R]: withLine(R, 2, `1,${firstMovieId()},4,-100`) }), message: line(R, 2) },
  {
    name: 'imdbId "tt0114709" in links.csv',
    build: (d) => folder(d, { 'links.csv': withLine('links.csv', 2, `${firstMovieId()},tt0114709,862`) }),
    message: /links\.csv:2\b/,
  },
  // Shape
  {
    name: 'ratings row with 3 columns',
    build: (d) => folder(d, { [R]: withLine(R, 2, `1,${firstMovieId()},4`) }),
    message: /ratings\.csv:2: .*columns/,
  },
  {
    name: 'ratings row with 5 columns',
    build: (d) => folder(d, { [R]: withLine(R, 4, `1,${firstMovieId()},4,1500000000,extra`) }),
    message: /ratings\.csv:4: .*columns/,
  },
  {
    name: 'movies row with 2 columns',
    build: (d) => folder(d, { [M]: appendLine(M, '999999,No Genres Column (2001)') }),
    message: /movies\.csv:\d+: .*columns/,
  },
  {
    name: 'unterminated quote on the last movie',
    build: (d) => folder(d, { [M]: appendLine(M, '999999,"Never Closed (2001),Drama') }),
    message: /movies\.csv:\d+: .*quoted field is never closed/,
  },
  {
    name: 'unterminated quote mid-file (swallows the rest)',
    build: (d) => folder(d, { [M]: withLine(M, 3, '999999,"Open Quote (2001),Drama') }),
    message: /movies\.csv:3: .*(never closed|closing quote)/,
  },
  {
    name: 'text after a closing quote',
    build: (d) => folder(d, { [M]: appendLine(M, '999999,"Quoted" tail (2001),Drama') }),
    message: /movies\.csv:\d+: .*closing quote/,
  },
  {
    name: 'a 10 MB line in ratings.csv',
    build: (d) => folder(d, { [R]: withLine(R, 2, `1,${firstMovieId()},4,${'9'.repeat(10 << 20)}`) }),
    message: /ratings\.csv:2\b/,
  },
  {
    name: 'a 10 MB title in movies.csv',
    build: (d) => folder(d, { [M]: appendLine(M, `999999,${'A'.repeat(10 << 20)} (2001),Drama`) }),
    message: /movies\.csv:\d+: the row is longer than 65536 bytes/,
  },
  {
    name: 'a 2,000-character title in movies.csv',
    build: (d) => folder(d, { [M]: appendLine(M, `999999,${'A'.repeat(2000)} (2001),Drama`) }),
    message: /movies\.csv:\d+: movie 999999 has a title of 2007 characters \(at most 1000/,
  },
  { name: 'empty title', build: (d) => folder(d, { [M]: appendLine(M, '999999,,Drama') }), message: /movies\.csv:\d+: .*title/ },
  // Duplicates and references
  {
    name: 'duplicate movie id in movies.csv',
    build: (d) => folder(d, { [M]: appendLine(M, `${firstMovieId()},Twin (2001),Drama`) }),
    message: /movies\.csv:\d+: .*(duplicate|twice|already)/i,
  },
  {
    name: 'duplicate movie id in links.csv',
    build: (d) => folder(d, { 'links.csv': appendLine('links.csv', `${firstMovieId()},0114709,862`) }),
    message: /links\.csv:\d+: movieId \d+ has a second line in links\.csv/,
  },
  {
    name: 'rating of a movie not in movies.csv',
    build: (d) => folder(d, { [R]: withLine(R, 2, '1,987654,4,1500000000') }),
    message: /ratings\.csv:2: .*987654/,
  },
  // Empty files
  {
    name: 'ratings.csv of zero bytes',
    build: (d) => folder(d, { [R]: '' }),
    message: /ratings\.csv is empty; expected the header "userId,movieId,rating,timestamp"/,
  },
  {
    name: 'movies.csv of zero bytes',
    build: (d) => folder(d, { [M]: '' }),
    message: /movies\.csv is empty; expected the header "movieId,title,genres"/,
  },
  {
    name: 'ratings.csv with only its header',
    build: (d) => folder(d, { [R]: 'userId,movieId,rating,timestamp\n' }),
    message: /ratings\.csv has no ratings/,
  },
  {
    name: 'movies.csv with only its header',
    build: (d) => folder(d, { [M]: 'movieId,title,genres\n' }),
    message: /movies\.csv has a header but no movies/,
  },
  // Usage
  {
    name: '--min-avg-rating abc',
    build: (d) => folder(d, {}),
    flags: ['--min-avg-rating', 'abc'],
    message: /--min-avg-rating/,
    exit: undefined,
  },
  // Accepted by design (README "Decisions"): a repeated (user, movie) pair is a re-rating.
  {
    name: 'duplicate rating rows (accepted by design, --dry-run)',
    build: (d) => folder(d, { [R]: appendLine(R, base[R].split('\n')[1]) }),
    flags: ['--dry-run'],
    message: /duplicate/i,
    exit: 0,
  },
];

interface Observed {
  backend: string;
  name: string;
  exit: number | null;
  message: string;
  intact: boolean;
}
const observed: Observed[] = [];

const d = builtClis ? describe : describe.skip;

d('malformed MovieLens inputs through the built ingest CLI', () => {
  const work = tempDir('corpus');
  beforeAll(async () => {
    const tiny = await generateTiny(join(work, 'base'));
    base = Object.fromEntries(FILES.map((f) => [f, readFileSync(join(tiny.dir, f), 'utf8')])) as typeof base;
    baseZip = readFileSync(tiny.zip);
    copyFileSync(tiny.zip, join(work, 'base.zip'));
  }, 60_000);
  afterAll(() => writeReport('ingest-corpus', observed));

  it('has at least 30 malformed inputs', () => {
    expect(CORPUS.filter((c) => c.exit !== 0).length).toBeGreaterThanOrEqual(30);
  });

  // The whole corpus on the first backend of the run (PostgreSQL when DATABASE_URL is set,
  // as in CI); on PGlite beside it, a sample of every kind (each case costs an embedded
  // database open there, ~1 s, and the parse is the same code).
  const backends = availableBackends().includes('postgres') ? (['postgres', 'pglite'] as const) : (['pglite'] as const);
  const SAMPLE = new Set([
    'zip truncated to half its size',
    'folder without ratings.csv',
    'ratings header reordered',
    'invalid UTF-8 in a title',
    'rating 5.5',
    'huge user id (2^40)',
    'unterminated quote on the last movie',
    'a 10 MB line in ratings.csv',
    'rating of a movie not in movies.csv',
    'movies.csv of zero bytes',
  ]);
  describe.each(backends.map((b, i) => [b, i === 0 ? CORPUS : CORPUS.filter((c) => SAMPLE.has(c.name))] as const))(
    '[%s]',
    (backend, cases) => {
      let db: CliDatabase;
      let before: Awaited<ReturnType<typeof fingerprint>>;
      beforeAll(async () => {
        db = await cliDatabase(backend);
        const first = await run(CLI.ingest, ['--source', join(work, 'base.zip'), ...TINY_CURATION], db.env);
        if (first.code !== 0) throw new Error(`the previous dataset did not load:\n${first.stderr}`);
        before = await db.with(fingerprint);
        expect((before.ratings as { rows: number }).rows).toBe(20_000);
      }, 120_000);
      afterAll(() => db?.drop(), 60_000);

      it.each(cases.map((c, i) => [c.name, c, i] as const))(
        '%s',
        async (_name, c, i) => {
          const src = await c.build(join(work, `${backend}-${i}`));
          const r = await run(CLI.ingest, ['--source', src, ...TINY_CURATION, ...(c.flags ?? [])], db.env);
          const msg = r.stderr.trim();
          const after = await db.with(fingerprint);
          observed.push({
            backend,
            name: c.name,
            exit: r.code,
            message: msg.split('\n')[0].slice(0, 200),
            intact: JSON.stringify(after) === JSON.stringify(before),
          });
          if (c.exit === 0) {
            expect(r.code).toBe(0);
            expect(r.stdout + r.stderr).toMatch(c.message);
          } else {
            expect(r.code).not.toBe(0);
            expect(r.code).toBe(c.exit ?? r.code);
            // One short message, not a stack trace, saying what and where.
            expect(msg).toMatch(c.message);
            expect(msg).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
            expect(msg.length).toBeLessThan(2000);
          }
          expect(after).toEqual(before);
        },
        60_000,
      );
    },
  );
});
