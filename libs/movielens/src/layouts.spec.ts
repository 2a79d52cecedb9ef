// Every MovieLens layout, from the hand-made fixtures (fixtures/README.md): a source
// resolves to exactly one dataset root and layout or stops naming the candidates;
// each layout reads to the same domain rows from a folder, a zip or any chunking; and
// each layout's malformed rows get file:line errors and --on-invalid skip counts.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yazl from 'yazl';
import { createWriteStream } from 'node:fs';
import { readDump } from './dump';
import { IngestError } from './errors';
import { ListedFile, resolveDataset } from './layouts';
import { openDumpSource } from './source';
import { memorySource } from './testing/dumps';

const FIX = join(__dirname, 'fixtures');
const files = (name: string): Record<string, Buffer> =>
  Object.fromEntries(readdirSync(join(FIX, name)).map((f) => [f, readFileSync(join(FIX, name, f))]));
const ls = (...paths: string[]): ListedFile[] =>
  paths.map((p) => (p.endsWith('/') ? { path: p.slice(0, -1), type: 'dir' } : { path: p, type: 'file' }));

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(IngestError);
    return (e as Error).message;
  }
  throw new Error('expected an IngestError');
}

describe('resolveDataset: exactly one dataset root, or an error naming the candidates', () => {
  it('finds the dataset at the top or in one folder, whatever else is there', () => {
    expect(resolveDataset('d', ls('movies.csv', 'ratings.csv', 'README.txt'), false)).toMatchObject({ root: '', layout: { id: 'csv' } });
    expect(
      resolveDataset('z.zip', ls('ml-100k/', 'ml-100k/u.data', 'ml-100k/u.item', 'ml-100k/u1.base', 'ml-100k/README'), true),
    ).toMatchObject({ root: 'ml-100k', layout: { id: 'u', name: 'ml-100k', encoding: 'latin1' } });
    expect(resolveDataset('d', ls('a/b/ml-1m/movies.dat', 'a/b/ml-1m/ratings.dat', 'a/b/ml-1m/users.dat'), false)).toMatchObject({
      root: 'a/b/ml-1m',
      layout: { name: 'ml-1m' },
    });
  });

  it('refuses two roots in a zip (issue 14 #4: old/ratings.csv beside new/), naming both', () => {
    const msg = errorOf(() => resolveDataset('mix.zip', ls('old/ratings.csv', 'new/movies.csv', 'new/ratings.csv'), true));
    expect(msg).toMatch(
      /^mix\.zip holds dataset files in 2 places: new\/ \(movies\.csv, ratings\.csv\); old\/ \(ratings\.csv\)\. A source must be exactly one dataset, so nothing was read\./,
    );
    expect(msg).toMatch(/extract this one and give the folder/);
  });

  it('refuses two roots in a folder (two datasets, or the top and a subfolder), with a --source to use', () => {
    expect(
      errorOf(() =>
        resolveDataset('dl', ls('ml-latest-small/movies.csv', 'ml-latest-small/ratings.csv', 'ml-100k/u.data', 'ml-100k/u.item'), false),
      ),
    ).toMatch(
      /^dl holds dataset files in 2 places: ml-100k\/ \(u\.data, u\.item\); ml-latest-small\/ \(movies\.csv, ratings\.csv\)[\s\S]*--source dl\/ml-100k/,
    );
    expect(errorOf(() => resolveDataset('dl', ls('movies.csv', 'ratings.csv', 'copy/ratings.csv'), false))).toMatch(
      /^dl holds dataset files in 2 places: the top \(movies\.csv, ratings\.csv\); copy\/ \(ratings\.csv\)/,
    );
  });

  it('refuses files of two layouts in one folder', () => {
    expect(errorOf(() => resolveDataset('d', ls('movies.csv', 'ratings.csv', 'ratings.dat', 'movies.dat'), false))).toMatch(
      /^d holds files of 2 MovieLens layouts: movies\.csv, ratings\.csv \(CSV layout\) and movies\.dat, ratings\.dat \(ml-1m\/ml-10m layout\)/,
    );
  });

  it('names the missing file and what the layout needs', () => {
    expect(errorOf(() => resolveDataset('z.zip', ls('ml/u.item', 'ml/u.genre'), true))).toMatch(
      /^z\.zip:ml\/ has no u\.data\n {2}The ml-100k layout holds u\.data and u\.item/,
    );
    expect(errorOf(() => resolveDataset('d', ls('ratings.dat'), false))).toMatch(/^d has no movies\.dat/);
    expect(errorOf(() => resolveDataset('d', ls('README.txt', 'x/notes.md'), false))).toMatch(
      /^d holds no MovieLens dataset\n {2}ingest reads MovieLens datasets in any of their layouts/,
    );
  });

  it('says so when a folder stands where a file should be (not "download it again")', () => {
    const msg = errorOf(() => resolveDataset('d', ls('movies.csv', 'ratings.csv/'), false));
    expect(msg).toMatch(/^d\/ratings\.csv is a folder, where the file ratings\.csv was expected/);
    expect(msg).not.toMatch(/download/);
  });

  it('tells ml-1m (Latin-1) from ml-10m (UTF-8) by their files, or ml-1m by its folder name', () => {
    expect(resolveDataset('d', ls('movies.dat', 'ratings.dat', 'users.dat'), false).layout).toMatchObject({
      name: 'ml-1m',
      encoding: 'latin1',
      files: { tags: undefined },
    });
    expect(resolveDataset('d', ls('ml-10M100K/movies.dat', 'ml-10M100K/ratings.dat', 'ml-10M100K/tags.dat'), false).layout).toMatchObject({
      name: 'ml-10m',
      encoding: 'utf8',
      files: { tags: 'tags.dat' },
    });
    expect(resolveDataset('d', ls('ml-1m/movies.dat', 'ml-1m/ratings.dat'), false).layout).toMatchObject({
      name: 'ml-1m',
      encoding: 'latin1',
    });
  });
});

const rows = (d: Awaited<ReturnType<typeof readDump>>) =>
  Array.from({ length: d.ratings.length }, (_, i) => [
    d.ratings.userId[i],
    d.ratings.movieId[i],
    d.ratings.halfStars[i] / 2,
    d.ratings.timestamp[i],
  ]);
const tagRows = (d: Awaited<ReturnType<typeof readDump>>) =>
  d.tags.tag.map((t, i) => [d.tags.userId[i], d.tags.movieId[i], t, d.tags.timestamp[i]]);

async function zipOf(dir: string, folder: string): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'cinemap-layout-')), `${folder}.zip`);
  const z = new yazl.ZipFile();
  for (const f of readdirSync(join(FIX, dir))) z.addBuffer(readFileSync(join(FIX, dir, f)), `${folder}/${f}`);
  z.end();
  await new Promise<void>((ok, fail) =>
    z.outputStream
      .pipe(createWriteStream(out))
      .on('close', () => ok())
      .on('error', fail),
  );
  return out;
}

async function readFixture(name: string, how: 'folder' | 'zip' | number) {
  if (typeof how === 'number') return readDump(memorySource(files(name), how));
  const src = await openDumpSource(how === 'folder' ? join(FIX, name) : await zipOf(name, name));
  try {
    return await readDump(src);
  } finally {
    await src.close();
  }
}

describe('each layout reads to the same domain rows (folder, zip, any chunking)', () => {
  const hows = ['folder', 'zip', 1, 5] as const;

  it.each(hows)('ml-100k (%s): u.item → movies with MovieLens genres, u.data → ratings', async (how) => {
    const d = await readFixture('ml-100k', how);
    expect(d.layout.name).toBe('ml-100k');
    expect(d.movies).toEqual([
      { movieId: 1, title: 'Paper Lanterns (1994)', genres: 'Animation|Children|Comedy', releaseYear: 1994 },
      { movieId: 2, title: 'Harbour of Glass (1995)', genres: 'Action|Adventure|Thriller', releaseYear: 1995 },
      { movieId: 3, title: "Mélodie d'hiver (1996)", genres: 'Drama|Romance', releaseYear: 1996 },
      { movieId: 4, title: 'unknown', genres: '(no genres listed)' },
      { movieId: 5, title: 'Harbour of Glass (1995)', genres: 'Drama', releaseYear: 1995 },
      { movieId: 6, title: 'Night Ferry, The (V)', genres: 'Film-Noir|Mystery', releaseYear: 1996 },
    ]);
    expect(rows(d)).toEqual([
      [3, 1, 4, 881250949],
      [1, 2, 3, 881251000],
      [2, 1, 5, 881252011],
      [1, 1, 4, 881250100],
      [4, 3, 2, 881260000],
      [2, 5, 1, 881255555],
      [3, 2, 3, 881259999],
      [1, 6, 5, 881250200],
      [4, 1, 3, 881261111],
      [2, 4, 2, 881253333],
    ]);
    expect(d.links).toEqual([]);
    expect(d.tags.tag).toEqual([]);
    expect(d.notes.join('\n')).toMatch(/ml-100k has no links file[\s\S]*ml-100k has no tags file/);
  });

  it.each(hows)('ml-1m (%s): Latin-1 titles, "Children\'s" → Children, whole stars', async (how) => {
    const d = await readFixture('ml-1m', how);
    expect(d.layout).toMatchObject({ name: 'ml-1m', encoding: 'latin1' });
    expect(d.movies.map((m) => [m.movieId, m.title, m.genres])).toEqual([
      [1, 'Paper Lanterns (1994)', 'Animation|Children|Comedy'],
      [2, 'Harbour of Glass (1995)', 'Action|Adventure|Thriller'],
      [3, "Mélodie d'hiver (1996)", 'Drama|Romance'],
      [7, 'Long Way: Down, The (1999)', 'Documentary'],
    ]);
    expect(rows(d)).toEqual([
      [1, 1, 5, 978300760],
      [1, 3, 3, 978302109],
      [1, 7, 4, 978301968],
      [2, 2, 4, 978300275],
      [2, 1, 2, 978824291],
      [3, 3, 5, 978298413],
      [3, 7, 1, 978299026],
    ]);
  });

  it.each(hows)('ml-10m (%s): UTF-8, half stars, tags.dat', async (how) => {
    const d = await readFixture('ml-10M100K', how);
    expect(d.layout).toMatchObject({ name: 'ml-10m', encoding: 'utf8' });
    expect(d.movies.map((m) => [m.movieId, m.title, m.genres])).toEqual([
      [1, 'Paper Lanterns (1994)', 'Adventure|Animation|Children|Comedy'],
      [2, 'Harbour of Glass (1995)', 'Action|Adventure|Thriller'],
      [3, "Mélodie d'hiver (1996)", 'Drama|Romance'],
      [8, 'Quiet Static (2008)', '(no genres listed)'],
    ]);
    expect(rows(d)).toEqual([
      [1, 1, 5, 838985046],
      [1, 2, 3.5, 838983525],
      [1, 8, 0.5, 838983392],
      [2, 3, 4, 838983421],
      [2, 1, 2.5, 838983392],
      [3, 2, 4.5, 838984474],
    ]);
    expect(tagRows(d)).toEqual([
      [1, 1, 'lanterns', 1188263867],
      [2, 3, 'café scenes', 1188263880],
      [3, 2, 'slow burn', 1188263901],
    ]);
  });

  it.each(hows)('CSV (%s): the same reader as before', async (how) => {
    const d = await readFixture('ml-csv', how);
    expect(d.layout.id).toBe('csv');
    expect(d.movies.map((m) => [m.movieId, m.title])).toEqual([
      [1, 'Paper Lanterns (1994)'],
      [2, 'Harbour of Glass, The (1995)'],
      [3, "Mélodie d'hiver (1996)"],
    ]);
    expect(d.links).toEqual([
      { movieId: 1, imdbId: 1, tmdbId: 101 },
      { movieId: 2, imdbId: 2, tmdbId: null },
      { movieId: 3, imdbId: 3, tmdbId: 103 },
    ]);
    expect(tagRows(d)).toEqual([
      [1, 1, 'paper, light', 1445714994],
      [2, 3, 'winter', 1445715054],
    ]);
  });

  it('a title or tag holding "::" keeps it (the id is before the first separator, the last field after the last)', async () => {
    const f = files('ml-10M100K');
    f['movies.dat'] = Buffer.concat([f['movies.dat'], Buffer.from('9::Colon::Double (2001)::Drama\n')]);
    f['tags.dat'] = Buffer.concat([f['tags.dat'], Buffer.from('1::9::a::b::1188263999\n')]);
    const d = await readDump(memorySource(f));
    expect(d.movies.find((m) => m.movieId === 9)?.title).toBe('Colon::Double (2001)');
    expect(d.tags.tag[d.tags.tag.length - 1]).toBe('a::b');
  });

  it('a one-digit day in a release date is a date (the real u.item has "4-Feb-1971")', async () => {
    const f = files('ml-100k');
    f['u.item'] = Buffer.from(f['u.item'].toString('latin1').replace('02-Feb-1996', '2-Feb-1996'), 'latin1');
    expect((await readDump(memorySource(f))).movies[2]).toMatchObject({ movieId: 3, releaseYear: 1996 });
  });

  it("u.genre decides the names and number of u.item's genre columns; without it, ml-100k's 19 are used (noted)", async () => {
    const f = files('ml-100k');
    delete (f as Record<string, Buffer | undefined>)['u.genre'];
    const d = await readDump(memorySource(f));
    expect(d.movies[0].genres).toBe('Animation|Children|Comedy');
    expect(d.notes.join('\n')).toMatch(/no u\.genre beside it/);
    const g = files('ml-100k');
    g['u.genre'] = Buffer.from('unknown|0\nAction|1\n');
    g['u.item'] = Buffer.from('1|Two Genres (1990)|01-Jan-1990||x|0|1\n');
    g['u.data'] = Buffer.from('1\t1\t4\t881250949\n');
    expect((await readDump(memorySource(g))).movies[0].genres).toBe('Action');
  });
});

/** The fixture with line `n` (1-based) of `file` replaced by `text` (in the layout's encoding). */
function withLine(
  name: string,
  file: string,
  n: number,
  text: string | Buffer,
  extra: Record<string, string | Buffer | undefined> = {},
): Record<string, Buffer | string | undefined> {
  const f: Record<string, Buffer | string | undefined> = { ...files(name), ...extra };
  const lines = (f[file] as Buffer).toString('latin1').split('\n');
  const t = Buffer.isBuffer(text)
    ? text.toString('latin1')
    : Buffer.from(text, name === 'ml-10M100K' ? 'utf8' : 'latin1').toString('latin1');
  if (n > lines.length) lines.splice(lines.length - 1, 0, t);
  else lines[n - 1] = t;
  f[file] = Buffer.from(lines.join('\n'), 'latin1');
  return f;
}

async function parseError(f: Record<string, Buffer | string | undefined>): Promise<string> {
  try {
    await readDump(memorySource(f, 3));
  } catch (e) {
    expect(e).toBeInstanceOf(IngestError);
    return (e as Error).message;
  }
  throw new Error('expected the dataset to be rejected');
}

const genres0 = '|0'.repeat(19);
// [layout fixture, case, files, message (always file:line or the file)]
const BAD: [string, string, Record<string, Buffer | string | undefined>, RegExp][] = [
  // ml-100k
  [
    'ml-100k',
    'rating 6 in u.data',
    withLine('ml-100k', 'u.data', 3, '2\t1\t6\t881252011'),
    /^u\.data:3: rating "6" is not one of 0\.5, 1\.0, \.\.\., 5\.0/,
  ],
  ['ml-100k', 'user id 0', withLine('ml-100k', 'u.data', 1, '0\t1\t4\t881250949'), /^u\.data:1: user id "0" is not a positive integer/],
  [
    'ml-100k',
    'item id beyond 32 bits',
    withLine('ml-100k', 'u.data', 2, '1\t99999999999\t3\t881251000'),
    /^u\.data:2: item id "99999999999" is larger than 2147483647/,
  ],
  [
    'ml-100k',
    'timestamp beyond the cap (names it)',
    withLine('ml-100k', 'u.data', 2, '1\t2\t3\t999999999999'),
    /^u\.data:2: timestamp "999999999999" is after 9999-12-31 23:59:59 UTC[^\n]*at most 253402300799/,
  ],
  [
    'ml-100k',
    'comma instead of tabs',
    withLine('ml-100k', 'u.data', 4, '1,1,4,881250100'),
    /^u\.data:4: expected 4 fields \(user id <tab> item id <tab> rating <tab> timestamp\), found 1/,
  ],
  [
    'ml-100k',
    'rating of a movie not in u.item',
    withLine('ml-100k', 'u.data', 5, '4\t77\t2\t881260000'),
    /^u\.data:5: item id 77 is not in u\.item/,
  ],
  [
    'ml-100k',
    'u.item row with 23 fields',
    withLine('ml-100k', 'u.item', 2, `2|Short Row (1995)|14-Mar-1995||x${'|0'.repeat(18)}`),
    /^u\.item:2: expected 24 fields \(movie id \| movie title \| release date \| video release date \| IMDb URL \| 19 genre columns\), found 23/,
  ],
  [
    'ml-100k',
    'release date not a date',
    withLine('ml-100k', 'u.item', 3, `3|Odd Date (1996)|1996-02-02||x${genres0}`),
    /^u\.item:3: release date "1996-02-02" is not a date like 01-Jan-1995 \(or empty\)/,
  ],
  [
    'ml-100k',
    'release date in an unknown month',
    withLine('ml-100k', 'u.item', 3, `3|Odd Date (1996)|02-Foo-1996||x${genres0}`),
    /^u\.item:3: release date "02-Foo-1996" is not a date/,
  ],
  [
    'ml-100k',
    'genre flag 2',
    withLine('ml-100k', 'u.item', 1, `1|Flag (1994)|01-Jan-1994||x|0|2${'|0'.repeat(17)}`),
    /^u\.item:1: genre column Action is "2"; expected 0 or 1/,
  ],
  [
    'ml-100k',
    'duplicate movie id',
    withLine('ml-100k', 'u.item', 7, `1|Again (1994)|01-Jan-1994||x${genres0}`),
    /^u\.item:7: movie id 1 already appeared on line 1/,
  ],
  ['ml-100k', 'empty title', withLine('ml-100k', 'u.item', 7, `9||01-Jan-1994||x${genres0}`), /^u\.item:7: movie 9 has an empty title/],
  [
    'ml-100k',
    'NUL in a title',
    withLine('ml-100k', 'u.item', 7, `9|Nul\0Title (1994)|01-Jan-1994||x${genres0}`),
    /^u\.item:7: movie title contains a NUL byte \(U\+0000\)/,
  ],
  [
    'ml-100k',
    'a 100 KB row',
    withLine('ml-100k', 'u.item', 7, `9|${'A'.repeat(100_000)}|01-Jan-1994||x${genres0}`),
    /^u\.item:7: the row is longer than 65536 bytes/,
  ],
  [
    'ml-100k',
    'u.genre out of order',
    withLine('ml-100k', 'u.genre', 3, 'Adventure|7'),
    /^u\.genre:3: genre "Adventure" has index "7"; expected 2/,
  ],
  [
    'ml-100k',
    'u.data of zero bytes',
    { ...files('ml-100k'), 'u.data': '' },
    /^u\.data is empty; expected one rating per line \(user id <tab> item id <tab> rating <tab> timestamp\)/,
  ],
  // ml-1m
  [
    'ml-1m',
    'rating 0 in ratings.dat',
    withLine('ml-1m', 'ratings.dat', 2, '1::3::0::978302109'),
    /^ratings\.dat:2: Rating "0" is not one of 0\.5/,
  ],
  [
    'ml-1m',
    'ratings.dat with 3 fields',
    withLine('ml-1m', 'ratings.dat', 3, '1::7::4'),
    /^ratings\.dat:3: expected 4 fields \(UserID::MovieID::Rating::Timestamp\), found 3/,
  ],
  [
    'ml-1m',
    'single-colon separators',
    withLine('ml-1m', 'ratings.dat', 1, '1:1:5:978300760'),
    /^ratings\.dat:1: expected 4 fields .*found 1/,
  ],
  [
    'ml-1m',
    'MovieID "x12"',
    withLine('ml-1m', 'movies.dat', 2, '2x::Harbour of Glass (1995)::Action'),
    /^movies\.dat:2: MovieID "2x" is not a positive integer/,
  ],
  [
    'ml-1m',
    'movies.dat with 2 fields',
    withLine('ml-1m', 'movies.dat', 4, '7::Long Way Down (1999)'),
    /^movies\.dat:4: expected 3 fields \(MovieID::Title::Genres\), found 2/,
  ],
  [
    'ml-1m',
    'a movie listing 100 genres',
    withLine('ml-1m', 'movies.dat', 4, `7::Many (1999)::${Array(100).fill('Drama').join('|')}`),
    /^movies\.dat:4: movie 7 lists 100 genres \(at most 64; MovieLens has 20 in all\)/,
  ],
  [
    'ml-1m',
    'NUL in genres',
    withLine('ml-1m', 'movies.dat', 1, '1::Paper Lanterns (1994)::Comedy\0'),
    /^movies\.dat:1: Genres contains a NUL byte/,
  ],
  [
    'ml-1m',
    'rating of an unknown movie',
    withLine('ml-1m', 'ratings.dat', 7, '3::70::1::978299026'),
    /^ratings\.dat:7: MovieID 70 is not in movies\.dat/,
  ],
  ['ml-1m', 'movies.dat of zero bytes', { ...files('ml-1m'), 'movies.dat': '' }, /^movies\.dat has no movies/],
  // ml-10m
  [
    'ml-10M100K',
    'Latin-1 byte in a UTF-8 title',
    withLine('ml-10M100K', 'movies.dat', 3, Buffer.from("3::M\xe9lodie d'hiver (1996)::Drama", 'latin1')),
    /^movies\.dat:3: the row is not valid UTF-8/,
  ],
  [
    'ml-10M100K',
    'rating 4.25',
    withLine('ml-10M100K', 'ratings.dat', 2, '1::2::4.25::838983525'),
    /^ratings\.dat:2: Rating "4\.25" is not one of/,
  ],
  [
    'ml-10M100K',
    'negative timestamp',
    withLine('ml-10M100K', 'ratings.dat', 4, '2::3::4::-5'),
    /^ratings\.dat:4: Timestamp "-5" is not a whole number of seconds since 1970/,
  ],
  [
    'ml-10M100K',
    'tag with a bad user',
    withLine('ml-10M100K', 'tags.dat', 2, '-2::3::café scenes::1188263880'),
    /^tags\.dat:2: UserID "-2" is not a positive integer/,
  ],
  [
    'ml-10M100K',
    'NUL in a tag',
    withLine('ml-10M100K', 'tags.dat', 3, '3::2::slow\0burn::1188263901'),
    /^tags\.dat:3: Tag contains a NUL byte/,
  ],
  [
    'ml-10M100K',
    'tags.dat with 3 fields',
    withLine('ml-10M100K', 'tags.dat', 1, '1::lanterns::1188263867'),
    /^tags\.dat:1: expected 4 fields \(UserID::MovieID::Tag::Timestamp\), found 3/,
  ],
  [
    'ml-10M100K',
    'tag timestamp beyond the cap',
    withLine('ml-10M100K', 'tags.dat', 1, '1::1::lanterns::300000000000'),
    /^tags\.dat:1: Timestamp "300000000000" is after 9999-12-31/,
  ],
  // CSV (the same classes, for parity)
  [
    'ml-csv',
    'NUL in a title',
    withLine('ml-csv', 'movies.csv', 3, '2,Nul\0Title (1995),Drama'),
    /^movies\.csv:3: title contains a NUL byte \(U\+0000\), which PostgreSQL cannot store/,
  ],
  ['ml-csv', 'NUL in a tag', withLine('ml-csv', 'tags.csv', 3, '2,3,win\0ter,1445715054'), /^tags\.csv:3: tag contains a NUL byte/],
  [
    'ml-csv',
    'user id beyond 32 bits',
    withLine('ml-csv', 'ratings.csv', 2, '99999999999,1,4.0,964982703'),
    /^ratings\.csv:2: userId "99999999999" is larger than 2147483647, the largest id/,
  ],
  [
    'ml-csv',
    'timestamp beyond the cap',
    withLine('ml-csv', 'ratings.csv', 3, '1,2,3.5,999999999999'),
    /^ratings\.csv:3: timestamp "999999999999" is after 9999-12-31/,
  ],
  [
    'ml-csv',
    'a movie listing 65 genres',
    withLine('ml-csv', 'movies.csv', 2, `1,Many (1994),${Array(65).fill('A').join('|')}`),
    /^movies\.csv:2: movie 1 lists 65 genres \(at most 64/,
  ],
  [
    'ml-csv',
    'a 100 KB tag',
    withLine('ml-csv', 'tags.csv', 2, `1,1,${'t'.repeat(100_000)},1445714994`),
    /^tags\.csv:2: the row is longer than 65536 bytes/,
  ],
  [
    'ml-csv',
    'a 2,000-character tag',
    withLine('ml-csv', 'tags.csv', 2, `1,1,${'t'.repeat(2000)},1445714994`),
    /^tags\.csv:2: tag of 2000 characters \(at most 1000/,
  ],
];

describe('malformed input in every layout: file:line, the value and what is wrong', () => {
  it.each(BAD)('%s: %s', async (_layout, _name, f, pattern) => {
    const msg = await parseError(f);
    expect(msg).toMatch(pattern);
    expect(msg.length).toBeLessThan(1000);
  });

  it.each([
    ['ml-100k', 'u.data', '1\t1\t9\t1', 'bad-rating'],
    ['ml-1m', 'ratings.dat', '1::1::9::1', 'bad-rating'],
    ['ml-10M100K', 'tags.dat', '1::1::bad\0tag::1', 'nul-byte'],
    ['ml-100k', 'u.item', `9|Nul\0 (1994)|01-Jan-1994||x${genres0}`, 'nul-byte'],
    ['ml-csv', 'movies.csv', '9,Nul\0 (1994),Drama', 'nul-byte'],
    ['ml-csv', 'ratings.csv', `1,1,4.0,1${'0'.repeat(70_000)}`, 'row-too-long'],
  ])('--on-invalid skip: %s %s skips the row and counts it as %s', async (name, file, text, reason) => {
    const good = await readDump(memorySource(files(name)));
    const n = (files(name)[file].toString('latin1').match(/\n/g) ?? []).length;
    const d = await readDump(memorySource(withLine(name, file, n + 1, text), 4), { onInvalid: 'skip' });
    expect(d.invalid.counts).toEqual({ [reason]: 1 });
    expect(d.invalid.examples[reason as 'nul-byte']).toMatchObject({ file, line: n + 1 });
    expect(d.ratings.length).toBe(good.ratings.length);
    expect(d.movies.length).toBe(good.movies.length);
    expect(d.tags.tag).toEqual(good.tags.tag);
  });
});
