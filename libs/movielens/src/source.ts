// Where a dataset's files come from: a folder, or a zip read entry by entry as streams
// (never extracted to disk). Either is listed first, the listing resolves to exactly
// one dataset root and layout (layouts.ts), and every file is then read through one
// guarded path: a size limit per file (checked on the declared size before reading and
// on the bytes actually read), a compression-ratio limit and a CRC-32 check for zip
// entries, and errors that say what is wrong and what to do (a damaged download is
// the only case told to download again).
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { IngestError } from './errors';
import { FileRole, Layout, ListedFile, resolveDataset } from './layouts';

/** Largest file accepted per role, in bytes (override all with --max-file-mb). */
export const FILE_LIMITS: Record<FileRole, number> = {
  ratings: 2 * 1024 ** 3,
  tags: 512 * 1024 ** 2,
  movies: 128 * 1024 ** 2,
  links: 128 * 1024 ** 2,
  genres: 1024 ** 2,
};
/** The largest real file of each role (GroupLens' ml-32m / ml-latest), for messages. */
const LARGEST_REAL: Record<FileRole, string> = {
  ratings: "ml-32m's ratings.csv, 0.9 GB",
  tags: "ml-32m's tags.csv, 72 MB",
  movies: "ml-32m's movies.csv, 4 MB",
  links: "ml-32m's links.csv, 2 MB",
  genres: "ml-100k's u.genre, 202 bytes",
};
/**
 * Highest uncompressed:compressed ratio accepted for a zip entry over RATIO_CHECK_ABOVE
 * bytes. Real MovieLens files deflate about 3.5:1; a zip bomb (one repeated row)
 * deflates ~1000:1.
 */
export const MAX_COMPRESSION_RATIO = 100;
const RATIO_CHECK_ABOVE = 8 * 1024 ** 2;
/** Folder search: how deep below the given folder, and how many entries at most. */
const MAX_DEPTH = 3;
const MAX_LISTED = 10_000;

export interface SourceOptions {
  /** One size limit (bytes) for every file, replacing FILE_LIMITS (--max-file-mb). */
  maxFileBytes?: number;
}

export interface DumpSource {
  /** The folder or zip as given (messages). */
  readonly location: string;
  /** The dataset's folder inside it ('' = the top). */
  readonly root: string;
  readonly layout: Layout;
  has(role: FileRole): boolean;
  /** The file's name in its layout ("u.item"). */
  fileName(role: FileRole): string;
  /** Uncompressed size in bytes (progress). */
  size(role: FileRole): number;
  /** A label for file:line messages, e.g. "ml-latest-small.zip:ml-latest-small/ratings.csv". */
  label(role: FileRole): string;
  /** Streams the file's bytes to `push` (guarded: size limit, CRC-32); resolves to the byte count. */
  read(role: FileRole, push: (chunk: Buffer) => void): Promise<number>;
  close(): Promise<void>;
}

/** What a folder or a zip offers: its listing and a way to open one of its files. */
export interface Container {
  location: string;
  isZip: boolean;
  listing: ListedFile[];
  /** Declared size, and for zip entries the compressed size and CRC-32. */
  info(rel: string): { size: number; compressedSize?: number; crc32?: number; problem?: string };
  label(rel: string): string;
  open(rel: string): Promise<Readable>;
  close(): Promise<void>;
}

export async function openDumpSource(path: string, opts: SourceOptions = {}): Promise<DumpSource> {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new IngestError(
      `--source ${path}: no such file or folder`,
      'Give a MovieLens zip or folder, a URL, or a dataset name such as ml-latest-small or ml-100k (see --help).',
    );
  }
  const container = st.isDirectory() ? listFolder(path) : st.isFile() ? await openZip(path) : null;
  if (!container)
    throw new IngestError(`--source ${path} is neither a folder nor a file`, 'Give a MovieLens zip or the folder holding the dataset.');
  try {
    return fromContainer(container, opts);
  } catch (e) {
    await container.close();
    throw e;
  }
}

/** Resolves a container to its one dataset and checks every file's size before anything is read. */
// eslint-disable-next-line max-lines-per-function -- one container's guarded open: the size, ratio and CRC checks in the order they apply
export function fromContainer(c: Container, opts: SourceOptions = {}): DumpSource {
  const { root, layout } = resolveDataset(c.location, c.listing, c.isZip);
  const rel = (role: FileRole) => {
    const name = layout.files[role];
    if (!name) throw new IngestError(`${c.location}: a ${layout.name} dataset has no ${role} file`);
    return root ? `${root}/${name}` : name;
  };
  const limitOf = (role: FileRole) => opts.maxFileBytes ?? FILE_LIMITS[role];
  for (const role of Object.keys(layout.files) as FileRole[]) {
    if (!layout.files[role]) continue;
    const i = c.info(rel(role));
    if (i.problem)
      throw new IngestError(
        `${c.label(rel(role))} ${i.problem}`,
        'Extract the zip with a tool that reads it and give the folder instead (--source <folder>).',
      );
    // A bomb first: it is the more precise diagnosis when an entry is both huge and bomb-like.
    if (i.compressedSize !== undefined && i.size > RATIO_CHECK_ABOVE && i.size > MAX_COMPRESSION_RATIO * Math.max(1, i.compressedSize)) {
      throw new IngestError(
        `${c.label(rel(role))} would inflate from ${bytes(i.compressedSize)} to ${bytes(i.size)} (${Math.round(i.size / Math.max(1, i.compressedSize))}:1); ` +
          `real MovieLens files compress about 3.5:1, so this zip is refused as a zip bomb (at most ${MAX_COMPRESSION_RATIO}:1). Nothing was read.`,
        'Get the dataset from GroupLens (e.g. --source ml-latest-small), or check where this zip came from.',
      );
    }
    if (i.size > limitOf(role)) throw tooLarge(c.label(rel(role)), i.size, role, limitOf(role), opts);
  }
  return {
    location: c.location,
    root,
    layout,
    has: (role) => Boolean(layout.files[role]),
    fileName: (role) => layout.files[role] ?? role,
    size: (role) => (layout.files[role] ? c.info(rel(role)).size : 0),
    label: (role) => c.label(rel(role)),
    read: async (role, push) => {
      const r = rel(role);
      const label = c.label(r);
      const info = c.info(r);
      const limit = limitOf(role);
      const stream = await c.open(r);
      let n = 0;
      let crc = 0;
      // In a zip, a row error may be a symptom of damage: the entry is read to its end
      // (bounded by the limit) so that a bad CRC is reported as what it is.
      let rowError: IngestError | null = null;
      try {
        for await (const chunk of stream) {
          const b = chunk as Buffer;
          n += b.length;
          // Files that grow while read (a device, a FIFO, a file being written) stop here too.
          if (n > limit) throw tooLarge(label, n, role, limit, opts, true);
          if (info.crc32 !== undefined) crc = crc32(b, crc);
          if (rowError) continue;
          try {
            push(b);
          } catch (e) {
            if (!(e instanceof IngestError) || info.crc32 === undefined) throw e;
            rowError = e;
          }
        }
      } catch (e) {
        stream.destroy();
        if (e instanceof IngestError) throw e;
        throw c.isZip ? zipError(c.location, e as Error, r) : readError(label, e as NodeJS.ErrnoException);
      }
      if (info.crc32 !== undefined && crc >>> 0 !== info.crc32 >>> 0) {
        throw new IngestError(
          `${label} is damaged: its CRC-32 is ${hex(crc)} but the zip says ${hex(info.crc32)}${rowError ? ` (it showed as: ${rowError.message.split('\n')[0]})` : ''}. Nothing was loaded.`,
          'If it was downloaded, delete it and download it again (or give a folder with the extracted files).',
        );
      }
      if (rowError) throw rowError;
      return n;
    },
    close: () => c.close(),
  };
}

function tooLarge(label: string, size: number, role: FileRole, limit: number, opts: SourceOptions, whileReading = false): IngestError {
  const what = whileReading
    ? `grew past the ${bytes(limit)} limit for a ${role} file while it was read`
    : `is ${bytes(size)}, over the ${bytes(limit)} limit for a ${role} file`;
  return new IngestError(
    `${label} ${what} (the largest real one is ${LARGEST_REAL[role]}). Nothing was loaded.`,
    opts.maxFileBytes === undefined && !whileReading
      ? `If this really is a MovieLens dataset, raise the limit: --max-file-mb ${Math.ceil((size * 1.1) / 1024 ** 2)}`
      : 'Raise --max-file-mb if this really is a MovieLens dataset.',
  );
}

function bytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(0)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(n < 10 * 1024 ** 2 ? 1 : 0)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

const hex = (v: number) => (v >>> 0).toString(16).padStart(8, '0');

/** An I/O error reading a file on disk, with the hint that fits its cause. */
function readError(label: string, e: NodeJS.ErrnoException): IngestError {
  const hints: Record<string, string> = {
    EACCES: "Check the file's permissions: the user running ingest must be able to read it.",
    EPERM: "Check the file's permissions: the user running ingest must be able to read it.",
    EISDIR: 'A folder is where the file should be: put the file itself there.',
    ENOENT: 'The file disappeared while it was read: is something else moving or deleting it?',
    EIO: 'The disk reported an error: check the disk, or copy the dataset elsewhere.',
  };
  return new IngestError(
    `Could not read ${label}: ${e.code ? `${e.code} ` : ''}${e.message.replace(/^\w+: /, '')}`,
    hints[e.code ?? ''] ?? 'Check that the file can be read, or copy it again.',
  );
}

/** A yauzl/zlib error → what happened to the zip and what to do about it. */
function zipError(path: string, e: Error, entry?: string): IngestError {
  const m = e.message;
  const where = entry ? `${basename(path)}:${entry}` : path;
  if (/^(invalid relative path|absolute path): (.*)$/.test(m)) {
    const name = m.replace(/^[^:]+: /, '');
    return new IngestError(
      `${path} holds an entry named ${JSON.stringify(name)}, which points outside the zip's folder; ingest refuses such zips (they are unsafe to extract, and no MovieLens zip has one).`,
      'This zip was not made by GroupLens: get the dataset from https://grouplens.org/datasets/movielens/ (or --source ml-latest-small), or give a folder holding the files.',
    );
  }
  if (/multi-disk/.test(m))
    return new IngestError(
      `${path} is one part of a split (multi-disk) zip, which ingest does not read`,
      'Join the parts (zip -s 0 in.zip --out whole.zip) or extract them, and give the result.',
    );
  if (/encrypt/i.test(m))
    return new IngestError(`${where} is encrypted`, 'Extract the zip with its password and give the folder (--source <folder>).');
  if (/unsupported compression method/.test(m))
    return new IngestError(
      `${where} uses a compression method ingest does not read (${m})`,
      'Extract the zip with another tool and give the folder (--source <folder>); GroupLens zips use deflate, which ingest reads.',
    );
  return new IngestError(
    `${where} is not a readable zip: ${m}`,
    'If it was downloaded, it is probably incomplete or damaged: delete it and download it again (or give a folder with the extracted files).',
  );
}

/**
 * Lists a folder for dataset files: the top and up to MAX_DEPTH levels of subfolders
 * (hidden ones and __MACOSX skipped), so a dataset extracted one or two folders deep
 * is found and two datasets side by side are both seen (and refused).
 */
export function listFolder(dir: string): Container {
  const listing: ListedFile[] = [];
  let seen = 0;
  const walk = (rel: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(rel ? join(dir, rel) : dir, { withFileTypes: true });
    } catch (e) {
      if (depth === 0) throw readError(dir, e as NodeJS.ErrnoException);
      return; // an unreadable subfolder holds nothing we can use
    }
    for (const e of entries) {
      if (++seen > MAX_LISTED) {
        throw new IngestError(
          `${dir} holds over ${MAX_LISTED} files and folders; that is not a dataset folder`,
          'Give the folder that holds the dataset itself (e.g. --source ~/Downloads/ml-latest-small).',
        );
      }
      if (e.name.startsWith('.') || e.name === '__MACOSX') continue;
      const p = rel ? `${rel}/${e.name}` : e.name;
      let type: ListedFile['type'];
      try {
        const st = statSync(join(dir, p)); // follows links
        type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
      } catch {
        type = 'other'; // a dangling link
      }
      listing.push({ path: p, type });
      if (type === 'dir' && depth < MAX_DEPTH) walk(p, depth + 1);
    }
  };
  walk('', 0);
  const full = (rel: string) => join(dir, rel);
  return {
    location: dir,
    isZip: false,
    listing,
    info: (rel) => {
      try {
        return { size: statSync(full(rel)).size };
      } catch {
        return { size: 0 };
      }
    },
    label: (rel) => full(rel),
    open: async (rel) => {
      const s = createReadStream(full(rel), { highWaterMark: 1 << 20 });
      // Surface open errors (EACCES, …) here, with their hint, not mid-parse.
      await new Promise<void>((ok, fail) => {
        s.once('ready', () => ok());
        s.once('error', (e) => fail(readError(full(rel), e as NodeJS.ErrnoException)));
      });
      return s;
    },
    close: async () => {},
  };
}

function openZip(path: string): Promise<Container> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(zipError(path, err ?? new Error('unknown error')));
      const entries = new Map<string, yauzl.Entry>();
      const listing: ListedFile[] = [];
      let failed = false;
      zip.on('error', (e: Error) => {
        failed = true;
        zip.close();
        reject(zipError(path, e));
      });
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = entry.fileName;
        const skip = name.startsWith('__MACOSX/') || basename(name).startsWith('._');
        if (!skip) {
          const isDir = name.endsWith('/');
          const p = isDir ? name.slice(0, -1) : name;
          if (!isDir && entries.has(p)) {
            failed = true;
            zip.close();
            return reject(
              new IngestError(
                `${path} holds ${p} twice; a zip must hold each file once, so it is refused`,
                'Get the dataset from GroupLens, or extract the zip and give the folder you mean.',
              ),
            );
          }
          if (!isDir) entries.set(p, entry);
          listing.push({ path: p, type: isDir ? 'dir' : 'file' });
        }
        zip.readEntry();
      });
      zip.on('end', () => {
        if (failed) return;
        resolve(zipContainer(path, zip, entries, listing));
      });
      zip.readEntry();
    });
  });
}

/** An opened zip as a Container: entries listed, each read as a stream, unreadable methods named. */
function zipContainer(path: string, zip: yauzl.ZipFile, entries: Map<string, yauzl.Entry>, listing: ListedFile[]): Container {
  return {
    location: path,
    isZip: true,
    listing,
    info: (rel) => {
      const e = entries.get(rel);
      if (!e) return { size: 0 };
      const problem = e.isEncrypted()
        ? 'is encrypted (password-protected); ingest reads plain zips'
        : e.compressionMethod !== 0 && e.compressionMethod !== 8
          ? `uses compression method ${e.compressionMethod}, which ingest does not read (GroupLens zips use deflate)`
          : undefined;
      return { size: e.uncompressedSize, compressedSize: e.compressedSize, crc32: e.crc32, problem };
    },
    label: (rel) => `${basename(path)}:${rel}`,
    open: (rel) =>
      new Promise<Readable>((res, rej) => {
        const e = entries.get(rel);
        if (!e) return rej(new IngestError(`${path} has no ${rel}`));
        zip.openReadStream(e, (err2, stream) => {
          if (err2 || !stream) return rej(zipError(path, err2 ?? new Error('no stream'), rel));
          res(stream as Readable);
        });
      }),
    close: async () => zip.close(),
  };
}

/** CRC-32 (zip's polynomial), incremental: crc32(b, crc32(a)) = crc32(a ‖ b). zlib's when Node has it. */
export const crc32: (data: Buffer, prev?: number) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function'
    ? (zlib as unknown as { crc32: (d: Buffer, v?: number) => number }).crc32
    : crc32Js;

let table: Int32Array | null = null;
function crc32Js(data: Buffer, prev = 0): number {
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let c = ~prev;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
export { crc32Js };
