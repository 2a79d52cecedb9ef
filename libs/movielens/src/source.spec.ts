// The guarded read of a folder or zip (source.ts): size limits on the declared and the
// read size, the zip-bomb ratio, CRC-32, lying headers, unsafe or doubled entry names,
// encrypted entries and unknown methods; each refused before anything is loaded, with a
// message that fits the cause (only damage says "download it again").
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDump } from './dump';
import { IngestError } from './errors';
import { crc32, crc32Js, openDumpSource } from './source';
import { CraftEntry, craftZip } from './testing/zip-craft';

const dir = mkdtempSync(join(tmpdir(), 'cinemap-source-'));
const MOVIES = Buffer.from('movieId,title,genres\n1,A (2000),Drama\n2,B (2001),Comedy\n');
const RATINGS = Buffer.from('userId,movieId,rating,timestamp\n1,1,4.0,1\n1,2,3.5,2\n2,1,5.0,3\n');
const TAGS_HEAD = Buffer.from('userId,movieId,tag,timestamp\n');
const TAG_ROWS = Buffer.from('1,1,fun,1\n'.repeat(100_000)); // 1 MB

let n = 0;
async function load(entries: CraftEntry[], opts: { maxFileBytes?: number } = {}) {
  const p = join(dir, `z${n++}.zip`);
  writeFileSync(p, craftZip(entries));
  const src = await openDumpSource(p, opts);
  try {
    return await readDump(src);
  } finally {
    await src.close();
  }
}
async function refusal(entries: CraftEntry[], opts: { maxFileBytes?: number } = {}): Promise<string> {
  try {
    await load(entries, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(IngestError);
    return (e as Error).message;
  }
  throw new Error('expected the zip to be refused');
}
const ml = (extra: CraftEntry[] = []): CraftEntry[] => [
  { name: 'ml/movies.csv', data: MOVIES },
  { name: 'ml/ratings.csv', data: RATINGS },
  ...extra,
];

describe('zip sources: guarded reads', () => {
  it('a well-formed crafted zip reads (the craft itself is right), stored or deflated', async () => {
    expect((await load(ml())).ratings.length).toBe(3);
    expect(
      (
        await load([
          { name: 'ml/movies.csv', data: MOVIES, method: 0 },
          { name: 'ml/ratings.csv', data: RATINGS, method: 0 },
        ])
      ).ratings.length,
    ).toBe(3);
    const d = await load(ml([{ name: 'ml/tags.csv', repeat: { head: TAGS_HEAD, block: TAG_ROWS, times: 3 } }]));
    expect(d.tags.tag.length).toBe(300_000);
    expect(new Set(d.tags.tag).size).toBe(1);
  });

  it('refuses a zip bomb from its headers (over 100:1), before reading it', async () => {
    const msg = await refusal(ml([{ name: 'ml/tags.csv', repeat: { head: TAGS_HEAD, block: TAG_ROWS, times: 40 } }]));
    expect(msg).toMatch(
      /^z\d+\.zip:ml\/tags\.csv would inflate from [\d.]+ KiB to 38 MiB \(\d+:1\); real MovieLens files compress about 3\.5:1, so this zip is refused as a zip bomb \(at most 100:1\)/,
    );
  });

  it('refuses a file over its size limit, naming the flag that raises it', async () => {
    expect(await refusal(ml(), { maxFileBytes: 60 })).toMatch(
      /^z\d+\.zip:ml\/ratings\.csv is 62 bytes, over the 60 bytes limit for a ratings file[\s\S]*Raise --max-file-mb/,
    );
  });

  it("checks each entry's CRC-32 as it streams: a changed byte that still parses is refused", async () => {
    const bad = Buffer.from(RATINGS.toString().replace('4.0', '2.0'));
    const msg = await refusal([
      { name: 'ml/movies.csv', data: MOVIES },
      { name: 'ml/ratings.csv', data: bad, method: 0, crc32: crc32(RATINGS) },
    ]);
    expect(msg).toMatch(
      new RegExp(
        `^z\\d+\\.zip:ml/ratings\\.csv is damaged: its CRC-32 is ${crc32(bad).toString(16).padStart(8, '0')} but the zip says ${crc32(RATINGS).toString(16).padStart(8, '0')}[\\s\\S]*download it again`,
      ),
    );
  });

  it('stops an entry that inflates past the size its header declares', async () => {
    const msg = await refusal(
      ml([{ name: 'ml/tags.csv', repeat: { head: TAGS_HEAD, block: TAG_ROWS, times: 5 }, uncompressedSize: 1000 }]),
    );
    expect(msg).toMatch(/^z\d+\.zip:ml\/tags\.csv is not a readable zip: too many bytes in the stream\. expected 1000/);
  });

  it.each([
    ['../evil.txt', /holds an entry named "\.\.\/evil\.txt", which points outside the zip's folder/],
    ['/etc/evil.txt', /holds an entry named "\/etc\/evil\.txt", which points outside/],
    ['ml/../../evil.txt', /holds an entry named "ml\/\.\.\/\.\.\/evil\.txt"/],
  ])('refuses an entry named %s as unsafe, not as an incomplete download', async (name, pattern) => {
    const msg = await refusal(ml([{ name, data: Buffer.from('x') }]));
    expect(msg).toMatch(pattern);
    expect(msg).not.toMatch(/incomplete|download it again/);
  });

  it('refuses a file named twice, an encrypted entry and an unknown compression method, each saying what to do', async () => {
    expect(await refusal(ml([{ name: 'ml/ratings.csv', data: RATINGS }]))).toMatch(/holds ml\/ratings\.csv twice/);
    expect(
      await refusal([
        { name: 'ml/movies.csv', data: MOVIES },
        { name: 'ml/ratings.csv', data: RATINGS, flags: 1 },
      ]),
    ).toMatch(/ratings\.csv is encrypted \(password-protected\)[\s\S]*Extract the zip/);
    expect(
      await refusal([
        { name: 'ml/movies.csv', data: MOVIES },
        { name: 'ml/ratings.csv', data: RATINGS, declaredMethod: 14 },
      ]),
    ).toMatch(/ratings\.csv uses compression method 14, which ingest does not read/);
  });

  it('ignores __MACOSX shadows beside the dataset', async () => {
    expect((await load(ml([{ name: '__MACOSX/ml/._ratings.csv', data: Buffer.from('junk') }]))).ratings.length).toBe(3);
  });
});

describe('folder sources', () => {
  it('refuses a file over its limit from its size on disk, and finds a dataset two levels down', async () => {
    const root = join(dir, 'f1');
    mkdirSync(join(root, 'a', 'ml'), { recursive: true });
    writeFileSync(join(root, 'a', 'ml', 'movies.csv'), MOVIES);
    writeFileSync(join(root, 'a', 'ml', 'ratings.csv'), RATINGS);
    const src = await openDumpSource(root);
    expect(src.root).toBe('a/ml');
    await src.close();
    await expect(openDumpSource(root, { maxFileBytes: 10 })).rejects.toThrow(
      /a\/ml\/movies\.csv is 56 bytes, over the 10 bytes limit for a movies file/,
    );
  });
});

describe('crc32', () => {
  it('the JS fallback agrees with zlib and is incremental', () => {
    const a = Buffer.from('hello, '),
      b = Buffer.from('world');
    expect(crc32Js(Buffer.concat([a, b]))).toBe(crc32(Buffer.concat([a, b])));
    expect(crc32Js(b, crc32Js(a))).toBe(crc32(Buffer.concat([a, b])));
    expect(crc32Js(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});

describe('a row error inside a damaged zip entry', () => {
  it('is reported as the damage it is (CRC), with the row error as its symptom', async () => {
    const bad = Buffer.from(RATINGS.toString().replace('4.0', '9.0'));
    const msg = await refusal([
      { name: 'ml/movies.csv', data: MOVIES },
      { name: 'ml/ratings.csv', data: bad, method: 0, crc32: crc32(RATINGS) },
    ]);
    expect(msg).toMatch(
      /^z\d+\.zip:ml\/ratings\.csv is damaged: its CRC-32 is [0-9a-f]{8} but the zip says [0-9a-f]{8} \(it showed as: z\d+\.zip:ml\/ratings\.csv:2: rating "9\.0" is not one of/,
    );
  });

  it('stays a row error when the entry is intact', async () => {
    const bad = Buffer.from(RATINGS.toString().replace('4.0', '9.0'));
    expect(
      await refusal([
        { name: 'ml/movies.csv', data: MOVIES },
        { name: 'ml/ratings.csv', data: bad },
      ]),
    ).toMatch(/^z\d+\.zip:ml\/ratings\.csv:2: rating "9\.0" is not one of/);
  });
});
