// Where a dump's CSVs come from: a folder, or a zip read entry by entry as streams
// (never extracted to disk). Either may hold the files at the top or inside one
// folder, as the GroupLens zips do (ml-latest-small/ratings.csv).
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { IngestError } from './errors';

export const DUMP_FILES = ['movies.csv', 'ratings.csv', 'links.csv', 'tags.csv'] as const;
export type DumpFile = (typeof DUMP_FILES)[number];

export interface DumpSource {
  /** For messages: the folder or zip path. */
  readonly location: string;
  has(name: DumpFile): boolean;
  /** Uncompressed size in bytes (progress). */
  size(name: DumpFile): number;
  /** A label for file:line messages, e.g. "ml-latest-small.zip:ml-latest-small/ratings.csv". */
  label(name: DumpFile): string;
  open(name: DumpFile): Promise<Readable>;
  close(): Promise<void>;
}

export async function openDumpSource(path: string): Promise<DumpSource> {
  if (!existsSync(path)) {
    throw new IngestError(`--source ${path}: no such file or folder`, 'Give a MovieLens zip, a folder holding movies.csv and ratings.csv, a URL, or ml-latest-small / ml-latest.');
  }
  return statSync(path).isDirectory() ? openFolder(path) : openZip(path);
}

function openFolder(dir: string): DumpSource {
  let root = dir;
  if (!existsSync(join(dir, 'ratings.csv'))) {
    const subs = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'ratings.csv')));
    if (subs.length === 1) root = join(dir, subs[0].name);
  }
  const p = (n: DumpFile) => join(root, n);
  return {
    location: dir,
    has: (n) => existsSync(p(n)),
    size: (n) => (existsSync(p(n)) ? statSync(p(n)).size : 0),
    label: (n) => p(n),
    open: async (n) => createReadStream(p(n), { highWaterMark: 1 << 20 }),
    close: async () => {},
  };
}

function openZip(path: string): Promise<DumpSource> {
  const damaged = (e: Error) =>
    new IngestError(`${path} is not a readable zip: ${e.message}`, 'If it was downloaded, it is probably incomplete: delete it and download it again (or give a folder with the CSV files).');
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, zip) => {
      if (err || !zip) return reject(damaged(err ?? new Error('unknown error')));
      const entries = new Map<DumpFile, yauzl.Entry>();
      zip.on('error', (e: Error) => reject(damaged(e)));
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = entry.fileName;
        const depth = name.split('/').length - 1;
        const base = basename(name) as DumpFile;
        if (!name.endsWith('/') && depth <= 1 && !name.startsWith('__MACOSX') && (DUMP_FILES as readonly string[]).includes(base)) {
          const prev = entries.get(base);
          if (!prev || prev.fileName.split('/').length - 1 > depth) entries.set(base, entry);
        }
        zip.readEntry();
      });
      zip.on('end', () => {
        resolve({
          location: path,
          has: (n) => entries.has(n),
          size: (n) => entries.get(n)?.uncompressedSize ?? 0,
          label: (n) => `${basename(path)}:${entries.get(n)?.fileName ?? n}`,
          open: (n) =>
            new Promise<Readable>((res, rej) => {
              const e = entries.get(n);
              if (!e) return rej(new IngestError(`${path} has no ${n}`));
              zip.openReadStream(e, (err2, stream) => {
                if (err2 || !stream) return rej(damaged(err2 ?? new Error('no stream')));
                // Errors mid-entry (truncated data, CRC mismatch) name the zip.
                const wrapped = stream as Readable;
                wrapped.on('error', () => {});
                res(wrapped);
              });
            }),
          close: async () => zip.close(),
        });
      });
      zip.readEntry();
    });
  });
}

/** Reads a stream chunk by chunk into `push`; stream errors (e.g. a damaged zip entry) become IngestErrors. */
export async function pump(stream: Readable, label: string, push: (b: Buffer) => void): Promise<void> {
  try {
    for await (const chunk of stream) push(chunk as Buffer);
  } catch (e) {
    if (e instanceof IngestError) throw e;
    throw new IngestError(`Could not read ${label}: ${(e as Error).message}`, 'The file or zip may be damaged or incomplete: download or copy it again.');
  }
}
