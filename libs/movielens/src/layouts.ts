// The MovieLens layouts ingest reads, and how a source's file list resolves to exactly
// one dataset root and one layout (pure: the folder and zip readers hand it their
// listing). Three layouts exist:
//   csv  ml-latest, ml-latest-small, ml-20m, ml-25m, ml-32m: movies.csv, ratings.csv
//        (+ links.csv, tags.csv), UTF-8 with a header line;
//   dat  ml-1m, ml-10m: movies.dat, ratings.dat (+ tags.dat in ml-10m, users.dat in
//        ml-1m), fields separated by "::", no header; ml-1m is Latin-1, ml-10m UTF-8;
//   u    ml-100k: u.data (tab-separated ratings), u.item (pipe-separated, Latin-1,
//        19 one-hot genre columns in u.genre's order), no header.
// A directory is a candidate root when it holds any file of any layout; a source must
// have exactly one (decision: two are never merged or chosen between; the error names
// them), and that root must hold files of exactly one layout.
import { IngestError } from './errors';

export type LayoutId = 'csv' | 'dat' | 'u';
export type FileRole = 'movies' | 'ratings' | 'links' | 'tags' | 'genres';
export type TextEncoding = 'utf8' | 'latin1';

export interface Layout {
  id: LayoutId;
  /** What to call it in messages and datasets.params: "ml-100k", "ml-1m", "ml-10m", "MovieLens CSV". */
  name: string;
  /** How its text files are decoded. */
  encoding: TextEncoding;
  /** File name (inside the root) of each role this layout has. */
  files: Partial<Record<FileRole, string>>;
}

interface LayoutSpec {
  id: LayoutId;
  /** Every file name that marks a directory as holding this layout. */
  markers: readonly string[];
  required: readonly string[];
  describe: string;
}

export const LAYOUT_SPECS: readonly LayoutSpec[] = [
  {
    id: 'csv',
    markers: ['movies.csv', 'ratings.csv', 'links.csv', 'tags.csv'],
    required: ['movies.csv', 'ratings.csv'],
    describe:
      'the CSV layout (ml-latest, ml-latest-small, ml-20m, ml-25m, ml-32m) holds movies.csv and ratings.csv (links.csv and tags.csv are optional)',
  },
  {
    id: 'dat',
    markers: ['movies.dat', 'ratings.dat', 'tags.dat', 'users.dat'],
    required: ['movies.dat', 'ratings.dat'],
    describe: 'the "::" layout (ml-1m, ml-10m) holds movies.dat and ratings.dat (tags.dat and users.dat are optional)',
  },
  {
    id: 'u',
    markers: ['u.data', 'u.item', 'u.genre', 'u.user', 'u.info', 'u.occupation'],
    required: ['u.data', 'u.item'],
    describe: 'the ml-100k layout holds u.data and u.item (u.genre is optional)',
  },
];

const MARKERS = new Map<string, LayoutId>(LAYOUT_SPECS.flatMap((s) => s.markers.map((m) => [m, s.id] as const)));

export const LAYOUTS_HINT =
  'ingest reads MovieLens datasets in any of their layouts: movies.csv + ratings.csv (ml-latest, ml-latest-small, ml-20m, ml-25m, ml-32m), ' +
  'movies.dat + ratings.dat (ml-1m, ml-10m) or u.item + u.data (ml-100k), at the top of the folder or zip or in one folder inside it.';

export interface ListedFile {
  /** Path relative to the source, "/"-separated, no leading "./". */
  path: string;
  /** 'file' for a regular file; anything else (a folder, a FIFO, a device) cannot be read as one. */
  type: 'file' | 'dir' | 'other';
}

export interface Resolved {
  /** The dataset's folder relative to the source ('' = the top). */
  root: string;
  layout: Layout;
  /** Names present in the root (regular files only). */
  names: Set<string>;
}

const dirOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const baseOf = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** How a place inside a source is named in messages: "ml.zip:ml-100k/u.item", "~/data/ml-100k/u.item". */
export function placeIn(location: string, rel: string, isZip: boolean): string {
  if (rel === '') return location;
  if (isZip) return `${location}:${rel}`;
  return location.endsWith('/') ? `${location}${rel}` : `${location}/${rel}`;
}

/**
 * Picks the one dataset root of a listing and its layout, or throws an IngestError that
 * names every candidate (more than one root), the files of two layouts in one root, a
 * required file that is missing, or a marker that is not a regular file.
 */
export function resolveDataset(location: string, listing: readonly ListedFile[], isZip: boolean): Resolved {
  const [root, files] = theOneDatasetDir(location, listing, isZip);
  const names = new Set<string>();
  for (const f of files) {
    if (f.type !== 'file') {
      throw new IngestError(
        `${placeIn(location, f.path, isZip)} is ${f.type === 'dir' ? 'a folder' : 'not a regular file'}, where the file ${baseOf(f.path)} was expected`,
        "Put the dataset's files themselves there (e.g. move the files out of that folder), or give the folder that holds them.",
      );
    }
    names.add(baseOf(f.path));
  }
  const spec = theOneLayout(root === '' ? location : placeIn(location, `${root}/`, isZip), names);
  return { root, layout: layoutFor(spec.id, names, root), names };
}

/** The one directory holding dataset files (of any layout), and those files; refuses none or several. */
function theOneDatasetDir(location: string, listing: readonly ListedFile[], isZip: boolean): [string, ListedFile[]] {
  const byDir = new Map<string, ListedFile[]>();
  for (const f of listing) {
    if (!MARKERS.has(baseOf(f.path))) continue;
    const d = dirOf(f.path);
    const list = byDir.get(d) ?? [];
    list.push(f);
    byDir.set(d, list);
  }
  if (byDir.size === 0) {
    throw new IngestError(`${location} holds no MovieLens dataset`, LAYOUTS_HINT);
  }
  if (byDir.size > 1) {
    const dirs = [...byDir.keys()].sort();
    const list = dirs.map(
      (d) =>
        `${d === '' ? 'the top' : `${d}/`} (${byDir
          .get(d)!
          .map((f) => baseOf(f.path))
          .sort()
          .join(', ')})`,
    );
    const example = dirs.find((d) => d !== '') ?? dirs[0];
    throw new IngestError(
      `${location} holds dataset files in ${dirs.length} places: ${list.join('; ')}. A source must be exactly one dataset, so nothing was read.`,
      isZip
        ? 'Give a zip that holds one dataset (as GroupLens publishes them), or extract this one and give the folder of the dataset you mean.'
        : `Give the folder of the dataset you mean, e.g. --source ${placeIn(location, example, false)}`,
    );
  }
  return [...byDir.entries()][0];
}

/** The one layout whose files `names` holds, with every file it requires; `where` names the folder in messages. */
function theOneLayout(where: string, names: ReadonlySet<string>): (typeof LAYOUT_SPECS)[number] {
  const present = LAYOUT_SPECS.filter((s) => s.markers.some((m) => names.has(m)));
  if (present.length > 1) {
    const which = present.map(
      (s) =>
        `${s.markers.filter((m) => names.has(m)).join(', ')} (${s.id === 'csv' ? 'CSV layout' : s.id === 'dat' ? 'ml-1m/ml-10m layout' : 'ml-100k layout'})`,
    );
    throw new IngestError(
      `${where} holds files of ${present.length} MovieLens layouts: ${which.join(' and ')}. One folder must hold one dataset.`,
      'Move each dataset into a folder of its own and give that folder.',
    );
  }
  const spec = present[0];
  for (const req of spec.required) {
    if (!names.has(req))
      throw new IngestError(
        `${where} has no ${req}`,
        `${capital(spec.describe)}. Check that the dataset was copied or extracted completely.`,
      );
  }
  return spec;
}

function layoutFor(id: LayoutId, names: Set<string>, root: string): Layout {
  const has = (n: string) => (names.has(n) ? n : undefined);
  if (id === 'csv')
    return {
      id,
      name: 'MovieLens CSV',
      encoding: 'utf8',
      files: { movies: 'movies.csv', ratings: 'ratings.csv', links: has('links.csv'), tags: has('tags.csv') },
    };
  if (id === 'u')
    return { id, name: 'ml-100k', encoding: 'latin1', files: { movies: 'u.item', ratings: 'u.data', genres: has('u.genre') } };
  // ml-1m (Latin-1) ships users.dat and sits in a folder named ml-1m; ml-10m (UTF-8,
  // folder ml-10M100K) has tags.dat instead. Decided from the files, never by guessing
  // the encoding from the bytes, so a damaged ml-10m byte is still an error.
  const oneM = names.has('users.dat') || /(^|\/)ml-1m$/i.test(root);
  return {
    id,
    name: oneM ? 'ml-1m' : 'ml-10m',
    encoding: oneM ? 'latin1' : 'utf8',
    files: { movies: 'movies.dat', ratings: 'ratings.dat', tags: has('tags.dat') },
  };
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
