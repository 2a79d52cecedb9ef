// Fetches a dump over HTTP(S) into CINEMAP_HOME/cache: resumable (a `.part` file
// continued with a Range request), verified against the `.md5` GroupLens publishes
// beside each zip when there is one, and reused on the next run. Offline, it says
// what failed and how to go on without the network.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { basename, join } from 'node:path';
import { IngestError, MOVIELENS_DATASETS } from '@cinemap/movielens';

/** How a download is checked: against a published .md5 (required to be asked), try one, or none is published. */
export type Md5Policy = 'published' | 'try' | 'none';

export type SourceSpec = { kind: 'url'; url: string; md5: Md5Policy; dataset?: string } | { kind: 'path'; path: string };

/** `--source` value → a URL (including the dataset names) or a local path. */
export function resolveSourceArg(s: string): SourceSpec {
  const d = MOVIELENS_DATASETS[s];
  if (d) return { kind: 'url', url: d.url, md5: d.md5 ? 'published' : 'none', dataset: s };
  if (/^https?:\/\//i.test(s)) return { kind: 'url', url: s, md5: 'try' };
  return { kind: 'path', path: s };
}

export interface DownloadOptions {
  cacheDir: string;
  onProgress?: (done: number, total: number) => void;
  log?: (line: string) => void;
  /** Socket idle timeout (ms). */
  timeoutMs?: number;
  /** Whether to ask for `<url>.md5` (default 'try'). */
  md5?: Md5Policy;
}

const OFFLINE_HINT =
  'Are you offline? Use --source with a local zip or folder (e.g. --source ~/Downloads/ml-latest-small.zip), or make a synthetic demo dump: npm run generate -- --out ./demo --scale small, then --source ./demo';

interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
}

function request(url: string, headers: Record<string, string>, timeoutMs: number, redirects = 5): Promise<Response> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    const req = lib.get(url, { headers: { 'user-agent': 'cinemap-ingest', ...headers } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location && redirects > 0) {
        res.resume();
        resolve(request(new URL(res.headers.location, url).toString(), headers, timeoutMs, redirects - 1));
        return;
      }
      resolve({ status, headers: res.headers, body: res });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer for ${timeoutMs / 1000} s`)));
    req.on('error', (e: NodeJS.ErrnoException) =>
      reject(new IngestError(`Could not download ${url}: ${e.code ?? ''} ${e.message}`.replace(/  +/g, ' '), OFFLINE_HINT)),
    );
  });
}

/** `<path>.md5` beside the zip, keeping the query (a signed URL's token) and dropping any fragment. */
export function md5UrlOf(url: string): string {
  const u = new URL(url);
  u.pathname = `${u.pathname}.md5`;
  u.hash = '';
  return u.toString();
}

/** The published md5 of `url` (from its `.md5` beside it), or null when none is published or it cannot be fetched. */
async function publishedMd5(url: string, timeoutMs: number): Promise<string | null> {
  try {
    const r = await request(md5UrlOf(url), {}, timeoutMs);
    if (r.status !== 200) {
      r.body.resume();
      return null;
    }
    let text = '';
    for await (const c of r.body) text += String(c);
    return /\b([0-9a-f]{32})\b/i.exec(text)?.[1].toLowerCase() ?? null;
  } catch {
    return null;
  }
}

export async function md5File(path: string): Promise<string> {
  const h = createHash('md5');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}

/** Downloads `url` into the cache (or reuses it) and returns the local path. */
// eslint-disable-next-line max-lines-per-function -- one resumable transfer (cache, .part, Range, md5) read top to bottom; split with the next change here
export async function downloadToCache(url: string, opts: DownloadOptions): Promise<string> {
  const log = opts.log ?? (() => {});
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const policy = opts.md5 ?? 'try';
  const md5Of = (u: string) => (policy === 'none' ? Promise.resolve(null) : publishedMd5(u, timeoutMs));
  mkdirSync(opts.cacheDir, { recursive: true });
  const name = basename(new URL(url).pathname) || 'download.zip';
  const final = join(opts.cacheDir, name);
  const part = `${final}.part`;

  if (existsSync(final)) {
    const md5 = await md5Of(url);
    if (!md5 || md5 === (await md5File(final))) {
      log(`using the cached ${final}${md5 ? ' (md5 verified)' : ''}`);
      return final;
    }
    log(`the cached ${final} does not match the published md5: downloading it again`);
    unlinkSync(final);
  }

  let have = existsSync(part) ? statSync(part).size : 0;
  const res = await request(url, have ? { range: `bytes=${have}-` } : {}, timeoutMs);
  if (res.status === 416 && have) {
    res.body.resume(); // the .part is already complete
  } else if (res.status !== 200 && res.status !== 206) {
    res.body.resume();
    throw new IngestError(
      `Could not download ${url}: the server answered HTTP ${res.status}`,
      res.status === 404 ? `Check the URL, or use a dataset name: ${Object.keys(MOVIELENS_DATASETS).join(', ')}.` : OFFLINE_HINT,
    );
  } else {
    if (res.status === 200)
      have = 0; // no Range support: start over
    else log(`resuming ${name} at ${have} bytes`);
    const length = Number(res.headers['content-length'] ?? NaN);
    const total = Number.isFinite(length) ? have + length : NaN;
    const out = createWriteStream(part, { flags: have ? 'a' : 'w' });
    let done = have;
    try {
      await new Promise<void>((resolve, reject) => {
        res.body.on('data', (c: Buffer) => {
          done += c.length;
          opts.onProgress?.(done, total);
        });
        res.body.on('error', reject);
        res.body.on('aborted', () => reject(new Error('connection closed early')));
        out.on('error', reject);
        out.on('finish', resolve);
        res.body.pipe(out);
      });
    } catch (e) {
      out.destroy();
      throw new IngestError(
        `Download of ${url} stopped after ${done} bytes: ${(e as Error).message}`,
        `Run the same command again to resume from ${part}. ${OFFLINE_HINT}`,
      );
    }
    if (Number.isFinite(total) && done !== total) {
      throw new IngestError(
        `Download of ${url} stopped after ${done} of ${total} bytes`,
        `Run the same command again to resume from ${part}.`,
      );
    }
  }
  const md5 = await md5Of(url);
  if (md5) {
    const got = await md5File(part);
    if (got !== md5) {
      unlinkSync(part);
      throw new IngestError(
        `${url} failed its md5 check: got ${got}, the published ${md5UrlOf(url)} says ${md5}`,
        'The download was damaged and has been deleted; run the command again to download it afresh.',
      );
    }
    log(`md5 verified (${md5})`);
  } else if (policy === 'published')
    log(
      `could not fetch ${md5UrlOf(url)}, which GroupLens publishes: the download is not verified against it (the zip's CRCs are still checked when read)`,
    );
  else log(`no md5 published for ${url}: the download is checked by the zip's own CRCs when read`);
  renameSync(part, final);
  return final;
}
