// Small, hand-checkable dumps for tests (reached through @cinemap/movielens/testing; never shipped in a CLI).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import yazl from 'yazl';
import { createWriteStream } from 'node:fs';
import { Container, DumpSource, SourceOptions, fromContainer } from '../source';

/**
 * An in-memory "folder" (file name → content) read in `chunk`-byte pieces, resolved
 * like a real folder or zip (the same layout detection and guards). Labels are the
 * file names themselves, the location is "mem".
 */
export function memoryContainer(files: Record<string, string | Buffer | undefined>, chunk = 7): Container {
  const present = Object.entries(files).filter(([, v]) => v !== undefined) as [string, string | Buffer][];
  const data = new Map(present.map(([k, v]) => [k, Buffer.isBuffer(v) ? v : Buffer.from(v)]));
  return {
    location: 'mem',
    isZip: false,
    listing: [...data.keys()].map((path) => ({ path, type: 'file' as const })),
    info: (rel) => ({ size: data.get(rel)?.length ?? 0 }),
    label: (rel) => rel,
    open: async (rel) => {
      const b = data.get(rel)!;
      const parts: Buffer[] = [];
      for (let i = 0; i < b.length; i += chunk) parts.push(b.subarray(i, i + chunk));
      return Readable.from(parts);
    },
    close: async () => {},
  };
}

export function memorySource(files: Record<string, string | Buffer | undefined>, chunk = 7, opts: SourceOptions = {}): DumpSource {
  return fromContainer(memoryContainer(files, chunk), opts);
}

export interface DumpTexts {
  'movies.csv': string;
  'ratings.csv': string;
  'links.csv'?: string;
  'tags.csv'?: string;
}

export function writeDumpDir(dir: string, files: DumpTexts): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) if (text !== undefined) writeFileSync(join(dir, name), text);
  return dir;
}

/** Writes a zip with the files inside `folder/` (as GroupLens zips do). */
export function writeDumpZip(path: string, files: DumpTexts, folder = 'ml-test'): Promise<string> {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    for (const [name, text] of Object.entries(files))
      if (text !== undefined) zip.addBuffer(Buffer.from(text), folder ? `${folder}/${name}` : name);
    zip.end();
    zip.outputStream
      .pipe(createWriteStream(path))
      .on('close', () => resolve(path))
      .on('error', reject);
  });
}

/**
 * A deterministic synthetic dump: `movies` movies, `users` users, each user rating a
 * pseudo-random subset; titles follow MovieLens conventions (articles last, quotes,
 * commas, alternate titles, missing years).
 */
export function tinyDump(opts: { movies?: number; users?: number; seed?: number } = {}): DumpTexts {
  const M = opts.movies ?? 60,
    U = opts.users ?? 40;
  let s = (opts.seed ?? 1) >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const titles = [
    'Matrix, The (1999)',
    '"Great Performances" Cats (1998)',
    'Impossible, The (Imposible, Lo) (2012)',
    'Cité des enfants perdus, La (1995)',
    'Movie, With, Commas (2001)',
    'No Year Movie',
  ];
  const genres = ['Action|Sci-Fi', 'Drama', '(no genres listed)', 'Comedy|Romance', 'Thriller'];
  let movies = 'movieId,title,genres\n';
  let links = 'movieId,imdbId,tmdbId\n';
  for (let m = 1; m <= M; m++) {
    const t = m <= titles.length ? titles[m - 1] : `Film ${m} (${1950 + (m % 70)})`;
    const q = /[",]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
    movies += `${m},${q},${genres[m % genres.length]}\n`;
    links += `${m},${String(100000 + m).padStart(7, '0')},${m % 7 === 0 ? '' : 5000 + m}\n`;
  }
  let ratings = 'userId,movieId,rating,timestamp\n';
  let tags = 'userId,movieId,tag,timestamp\n';
  for (let u = 1; u <= U; u++) {
    const activity = 0.15 + 0.7 * rnd();
    for (let m = 1; m <= M; m++) {
      // Popular movies (low ids) are rated more often.
      if (rnd() > activity * (1.2 - m / M)) continue;
      const half = Math.max(1, Math.min(10, Math.round(7 + 3 * (rnd() - 0.5) - (m % 5 === 0 ? 3 : 0))));
      const ts = 946684800 + Math.floor(rnd() * 700_000_000);
      ratings += `${u},${m},${(half / 2).toFixed(1)},${ts}\n`;
      if (rnd() < 0.03) tags += `${u},${m},"tag, ${u}-${m}",${ts}\n`;
    }
  }
  return { 'movies.csv': movies, 'ratings.csv': ratings, 'links.csv': links, 'tags.csv': tags };
}
