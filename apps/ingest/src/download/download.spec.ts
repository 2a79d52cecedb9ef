// Downloads against a local HTTP server on 127.0.0.1 serving a generated zip: a full
// download, a resumed one (Range), an md5 mismatch, a truncated zip, a server that is down.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadToCache, md5UrlOf, resolveSourceArg } from './download';
import { MOVIELENS_DATASETS, openDumpSource, readDump } from '@cinemap/movielens';
import { tinyDump, writeDumpZip } from '@cinemap/movielens/testing';

interface Served {
  body: Buffer;
  md5?: string;
  /** Ignore Range requests (answer 200 with the whole body). */
  noRange?: boolean;
}

describe('downloadToCache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cinemap-dl-'));
  let zip: Buffer;
  let md5: string;
  const files = new Map<string, Served>();
  const ranges: string[] = [];
  const requests: string[] = [];
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    zip = readFileSync(await writeDumpZip(join(dir, 'src.zip'), tinyDump({ seed: 5 }), 'ml-tiny'));
    md5 = createHash('md5').update(zip).digest('hex');
    server = http.createServer((req, res) => {
      const path = req.url ?? '';
      requests.push(path);
      const f = files.get(path.replace(/\.md5$/, ''));
      if (!f) return res.writeHead(404).end();
      if (path.endsWith('.md5')) return f.md5 ? res.end(`MD5 (x.zip) = ${f.md5}\n`) : res.writeHead(404).end();
      const range = /bytes=(\d+)-/.exec(req.headers.range ?? '');
      if (range && !f.noRange) {
        ranges.push(req.headers.range!);
        const from = Number(range[1]);
        res.writeHead(206, {
          'content-length': f.body.length - from,
          'content-range': `bytes ${from}-${f.body.length - 1}/${f.body.length}`,
        });
        return res.end(f.body.subarray(from));
      }
      res.writeHead(200, { 'content-length': f.body.length });
      res.end(f.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('downloads, verifies the published md5, and the zip reads as a dump', async () => {
    files.set('/full/ml-tiny.zip', { body: zip, md5 });
    const cache = join(dir, 'c1');
    const logs: string[] = [];
    const progress: number[] = [];
    const p = await downloadToCache(`${base}/full/ml-tiny.zip`, {
      cacheDir: cache,
      log: (l) => logs.push(l),
      onProgress: (d) => progress.push(d),
    });
    expect(p).toBe(join(cache, 'ml-tiny.zip'));
    expect(readFileSync(p).equals(zip)).toBe(true);
    expect(logs.join('\n')).toMatch(/md5 verified/);
    expect(progress[progress.length - 1]).toBe(zip.length);
    const src = await openDumpSource(p);
    const d = await readDump(src);
    await src.close();
    expect(d.movies.length).toBe(60);
    // Second time: reused from the cache.
    const again: string[] = [];
    await downloadToCache(`${base}/full/ml-tiny.zip`, { cacheDir: cache, log: (l) => again.push(l) });
    expect(again.join('\n')).toMatch(/using the cached/);
  });

  it('resumes a partial download with a Range request', async () => {
    files.set('/resume/ml-tiny.zip', { body: zip, md5 });
    const cache = join(dir, 'c2');
    await downloadToCache(`${base}/resume/ml-tiny.zip`, { cacheDir: join(dir, 'warm') }).catch(() => {});
    const { mkdirSync } = await import('node:fs');
    mkdirSync(cache, { recursive: true });
    writeFileSync(join(cache, 'ml-tiny.zip.part'), zip.subarray(0, 1000));
    ranges.length = 0;
    const logs: string[] = [];
    const p = await downloadToCache(`${base}/resume/ml-tiny.zip`, { cacheDir: cache, log: (l) => logs.push(l) });
    expect(ranges).toEqual(['bytes=1000-']);
    expect(logs.join('\n')).toMatch(/resuming ml-tiny\.zip at 1000 bytes/);
    expect(readFileSync(p).equals(zip)).toBe(true);
    expect(existsSync(`${p}.part`)).toBe(false);
  });

  it('rejects and deletes a download whose md5 does not match', async () => {
    files.set('/bad/ml-tiny.zip', { body: zip, md5: '0'.repeat(32) });
    const cache = join(dir, 'c3');
    await expect(downloadToCache(`${base}/bad/ml-tiny.zip`, { cacheDir: cache })).rejects.toThrow(
      /failed its md5 check: got [0-9a-f]{32}, the published .*\.md5 says 0{32}[\s\S]*deleted; run the command again/,
    );
    expect(existsSync(join(cache, 'ml-tiny.zip.part'))).toBe(false);
    expect(existsSync(join(cache, 'ml-tiny.zip'))).toBe(false);
  });

  it('a truncated zip (no md5 published) is caught when the zip is opened, naming it', async () => {
    files.set('/trunc/ml-tiny.zip', { body: zip.subarray(0, Math.floor(zip.length / 2)) });
    const p = await downloadToCache(`${base}/trunc/ml-tiny.zip`, { cacheDir: join(dir, 'c4') });
    await expect(openDumpSource(p)).rejects.toThrow(/ml-tiny\.zip is not a readable zip[\s\S]*delete it and download it again/);
  });

  it('a server that is down gives a message naming the URL and the ways to go on offline', async () => {
    const down = http.createServer();
    await new Promise<void>((r) => down.listen(0, '127.0.0.1', r));
    const port = (down.address() as AddressInfo).port;
    await new Promise<void>((r) => down.close(() => r()));
    await expect(downloadToCache(`http://127.0.0.1:${port}/ml-latest-small.zip`, { cacheDir: join(dir, 'c5') })).rejects.toThrow(
      new RegExp(
        `Could not download http://127\\.0\\.0\\.1:${port}/ml-latest-small\\.zip: ECONNREFUSED[\\s\\S]*--source[\\s\\S]*npm run generate`,
      ),
    );
  });

  it('a 404 says so', async () => {
    await expect(downloadToCache(`${base}/nope/x.zip`, { cacheDir: join(dir, 'c6') })).rejects.toThrow(/HTTP 404/);
  });

  it('asks for no .md5 when none is published (policy none), and says how the download is checked', async () => {
    files.set('/nomd5/ml-tiny.zip', { body: zip, md5 });
    requests.length = 0;
    const logs: string[] = [];
    await downloadToCache(`${base}/nomd5/ml-tiny.zip`, { cacheDir: join(dir, 'c7'), md5: 'none', log: (l) => logs.push(l) });
    expect(requests).toEqual(['/nomd5/ml-tiny.zip']);
    expect(logs.join('\n')).toMatch(/no md5 published for .*checked by the zip's own CRCs/);
    // 'published' asks for it and says so when it cannot be had.
    files.set('/lost/ml-tiny.zip', { body: zip });
    const logs2: string[] = [];
    await downloadToCache(`${base}/lost/ml-tiny.zip`, { cacheDir: join(dir, 'c8'), md5: 'published', log: (l) => logs2.push(l) });
    expect(logs2.join('\n')).toMatch(/could not fetch .*lost\/ml-tiny\.zip\.md5, which GroupLens publishes/);
  });

  it('resolves every GroupLens dataset name to its official zip and md5 policy (no network)', () => {
    const B = 'https://files.grouplens.org/datasets/movielens';
    expect(Object.fromEntries(Object.keys(MOVIELENS_DATASETS).map((n) => [n, resolveSourceArg(n)]))).toEqual({
      'ml-100k': { kind: 'url', url: `${B}/ml-100k.zip`, md5: 'published', dataset: 'ml-100k' },
      'ml-1m': { kind: 'url', url: `${B}/ml-1m.zip`, md5: 'published', dataset: 'ml-1m' },
      'ml-10m': { kind: 'url', url: `${B}/ml-10m.zip`, md5: 'published', dataset: 'ml-10m' },
      'ml-20m': { kind: 'url', url: `${B}/ml-20m.zip`, md5: 'published', dataset: 'ml-20m' },
      'ml-25m': { kind: 'url', url: `${B}/ml-25m.zip`, md5: 'published', dataset: 'ml-25m' },
      'ml-32m': { kind: 'url', url: `${B}/ml-32m.zip`, md5: 'published', dataset: 'ml-32m' },
      'ml-latest': { kind: 'url', url: `${B}/ml-latest.zip`, md5: 'none', dataset: 'ml-latest' },
      'ml-latest-small': { kind: 'url', url: `${B}/ml-latest-small.zip`, md5: 'none', dataset: 'ml-latest-small' },
    });
    expect(resolveSourceArg('https://example.org/x.zip')).toEqual({ kind: 'url', url: 'https://example.org/x.zip', md5: 'try' });
    expect(resolveSourceArg('./x.zip')).toEqual({ kind: 'path', path: './x.zip' });
    expect(resolveSourceArg('ml-5m')).toEqual({ kind: 'path', path: 'ml-5m' }); // not a dataset: a (missing) path
  });
});

describe('md5UrlOf', () => {
  it("puts .md5 on the path, keeping a signed URL's query", () => {
    expect(md5UrlOf('https://files.grouplens.org/datasets/movielens/ml-100k.zip')).toBe(
      'https://files.grouplens.org/datasets/movielens/ml-100k.zip.md5',
    );
    expect(md5UrlOf('https://h/x.zip?token=abc&v=1#f')).toBe('https://h/x.zip.md5?token=abc&v=1');
  });
});
