// Reads a whole MovieLens dump: movies.csv first (so ratings of unknown movies can be
// caught on their line), then ratings.csv into typed columns, then links and tags.
// Decisions (documented in apps/ingest/README.md):
//  * a rating of a movie missing from movies.csv is an invalid row (`unknown-movie`):
//    an error naming file:line by default, skipped and counted with --on-invalid skip;
//  * a (user, movie) pair rated twice keeps the rating with the latest timestamp (the
//    later line on a tie) and counts the others as `duplicateRatings`: re-rating a film
//    is a user changing their mind, not a broken file;
//  * movies.csv and ratings.csv are required and need at least one row each;
//    links.csv and tags.csv are optional (a note says when they are missing).
import { IngestError, InvalidRows, OnInvalid } from './errors';
import { RatingColumns, RatingsReader, trimRatings } from './ratings';
import { DumpFile, DumpSource, pump } from './source';
import { LinkRow, MovieRow, TagColumns, linksReader, moviesReader, tagsReader } from './tables';

export interface Dump {
  location: string;
  movies: MovieRow[];
  links: LinkRow[];
  tags: TagColumns;
  /** Valid ratings of known movies, one per (user, movie), in file order. */
  ratings: RatingColumns;
  invalid: InvalidRows;
  duplicateRatings: number;
  notes: string[];
  /** Bytes of CSV read, per file. */
  bytes: Partial<Record<DumpFile, number>>;
}

export type OnProgress = (label: string, done: number, total: number) => void;

export interface ReadDumpOptions {
  onInvalid?: OnInvalid;
  onProgress?: OnProgress;
}

export async function readDump(src: DumpSource, opts: ReadDumpOptions = {}): Promise<Dump> {
  const invalid = new InvalidRows(opts.onInvalid ?? 'fail');
  const notes: string[] = [];
  const bytes: Partial<Record<DumpFile, number>> = {};
  for (const required of ['movies.csv', 'ratings.csv'] as const) {
    if (!src.has(required)) {
      throw new IngestError(`${src.location} has no ${required}`, 'A MovieLens "latest"-format dump holds movies.csv, ratings.csv, links.csv and tags.csv (at the top or in one folder).');
    }
  }
  const read = async (name: DumpFile, reader: { push(b: Uint8Array): void; bytes: number }) => {
    const total = src.size(name);
    const stream = await src.open(name);
    let last = 0;
    await pump(stream, src.label(name), (b) => {
      reader.push(b);
      if (opts.onProgress && reader.bytes - last >= 4 << 20) {
        last = reader.bytes;
        opts.onProgress(name, reader.bytes, total);
      }
    });
    opts.onProgress?.(name, reader.bytes, total);
    bytes[name] = reader.bytes;
  };

  const mr = moviesReader(src.label('movies.csv'), invalid);
  await read('movies.csv', mr.reader);
  mr.end();
  const movies = mr.rows.sort((a, b) => a.movieId - b.movieId);
  if (!movies.length) throw new IngestError(`${src.label('movies.csv')} has a header but no movies`, 'Check that the file was copied completely.');

  const maxMovie = movies[movies.length - 1].movieId;
  const known = new Uint8Array(maxMovie + 1);
  for (const m of movies) known[m.movieId] = 1;
  const ratingsSize = src.size('ratings.csv');
  // ~29 bytes per line in the real files: size the columns once instead of doubling.
  const rr = new RatingsReader(src.label('ratings.csv'), invalid, known, Math.max(1024, Math.ceil(ratingsSize / 24)));
  await read('ratings.csv', rr);
  let ratings = trimRatings(rr.end());
  if (!ratings.length) {
    throw new IngestError(`${src.label('ratings.csv')} has no ${invalid.total ? 'valid ' : ''}ratings`, invalid.total ? 'Every row was invalid: see the counts per reason above.' : 'Check that the file was copied completely.');
  }
  const dd = keepLatestRating(ratings);
  ratings = dd.ratings;

  let links: LinkRow[] = [];
  if (src.has('links.csv')) {
    const lr = linksReader(src.label('links.csv'), invalid);
    await read('links.csv', lr.reader);
    lr.end();
    links = lr.rows.sort((a, b) => a.movieId - b.movieId);
  } else notes.push('links.csv is missing: movies get no IMDb/TMDb ids');
  let tags: TagColumns = { userId: [], movieId: [], tag: [], timestamp: [] };
  if (src.has('tags.csv')) {
    const tr = tagsReader(src.label('tags.csv'), invalid);
    await read('tags.csv', tr.reader);
    tr.end();
    tags = tr.cols;
  } else notes.push('tags.csv is missing: no tags loaded');
  if (dd.duplicates) notes.push(`${dd.duplicates} duplicate (user, movie) ratings: kept the latest of each`);
  return { location: src.location, movies, links, tags, ratings, invalid, duplicateRatings: dd.duplicates, notes, bytes };
}

/**
 * One rating per (user, movie): the latest timestamp wins, the later row on a tie.
 * O(rows): rows are visited user by user (the file's order when it is grouped by user,
 * as MovieLens files are; otherwise a counting sort by user), with a per-movie stamp.
 */
export function keepLatestRating(r: RatingColumns): { ratings: RatingColumns; duplicates: number } {
  const n = r.length;
  const { userId: U, movieId: M, timestamp: T } = r;
  let grouped = true;
  let maxUser = 0, maxMovie = 0;
  for (let i = 0; i < n; i++) {
    if (i && U[i] < U[i - 1]) grouped = false;
    if (U[i] > maxUser) maxUser = U[i];
    if (M[i] > maxMovie) maxMovie = M[i];
  }
  let order: Int32Array | null = null;
  if (!grouped) {
    const start = new Int32Array(maxUser + 2);
    for (let i = 0; i < n; i++) start[U[i] + 1]++;
    for (let u = 0; u <= maxUser; u++) start[u + 1] += start[u];
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[start[U[i]]++] = i;
  }
  const stamp = new Int32Array(maxMovie + 1);
  const lastRow = new Int32Array(maxMovie + 1);
  let drop: Uint8Array | null = null;
  let duplicates = 0;
  let seg = 0;
  let prevUser = -1;
  for (let k = 0; k < n; k++) {
    const i = order ? order[k] : k;
    if (U[i] !== prevUser) {
      prevUser = U[i];
      seg++;
    }
    const m = M[i];
    if (stamp[m] === seg) {
      const j = lastRow[m];
      // Rows of one user are visited in file order, so i > j: i wins unless older.
      drop ??= new Uint8Array(n);
      duplicates++;
      if (T[i] >= T[j]) {
        drop[j] = 1;
        lastRow[m] = i;
      } else drop[i] = 1;
    } else {
      stamp[m] = seg;
      lastRow[m] = i;
    }
  }
  if (!drop) return { ratings: r, duplicates: 0 };
  const out = { length: n - duplicates, userId: new Int32Array(n - duplicates), movieId: new Int32Array(n - duplicates), halfStars: new Uint8Array(n - duplicates), timestamp: new Float64Array(n - duplicates) };
  for (let i = 0, o = 0; i < n; i++) {
    if (drop[i]) continue;
    out.userId[o] = U[i];
    out.movieId[o] = M[i];
    out.halfStars[o] = r.halfStars[i];
    out.timestamp[o] = T[i];
    o++;
  }
  return { ratings: out, duplicates };
}
