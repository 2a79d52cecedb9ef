// Reads a whole MovieLens dataset, whatever its layout (layouts.ts): the movies file
// first (so ratings of unknown movies can be caught on their line), then the ratings
// into typed columns, then links and tags where the layout has them.
// Decisions (documented in apps/ingest/README.md):
//  * a rating of a movie missing from the movies file is an invalid row (`unknown-movie`):
//    an error naming file:line by default, skipped and counted with --on-invalid skip;
//  * a (user, movie) pair rated twice keeps the rating with the latest timestamp (the
//    later line on a tie) and counts the others as `duplicateRatings`: re-rating a film
//    is a user changing their mind, not a broken file;
//  * the movies and ratings files are required and need at least one row each;
//    links and tags are optional (a note says when they are missing).
import { IngestError, InvalidRows, OnInvalid } from './errors';
import type { FileRole, Layout } from './layouts';
import { CSV_RATINGS, DAT_RATINGS, RatingColumns, RatingsFormat, RatingsReader, U_RATINGS, trimRatings } from './ratings';
import { DumpSource } from './source';
import {
  LinkRow,
  MovieRow,
  RowReader,
  TagColumns,
  U_GENRES,
  datMoviesReader,
  datTagsReader,
  linksReader,
  moviesReader,
  tagsReader,
  uGenreReader,
  uItemReader,
} from './tables';

export interface Dump {
  location: string;
  /** The layout that was read ("ml-100k", "ml-1m", "ml-10m", "MovieLens CSV"). */
  layout: Layout;
  movies: MovieRow[];
  links: LinkRow[];
  tags: TagColumns;
  /** Valid ratings of known movies, one per (user, movie), in file order. */
  ratings: RatingColumns;
  invalid: InvalidRows;
  duplicateRatings: number;
  notes: string[];
  /** Bytes read, per file name. */
  bytes: Record<string, number>;
}

export type OnProgress = (label: string, done: number, total: number) => void;

export interface ReadDumpOptions {
  onInvalid?: OnInvalid;
  onProgress?: OnProgress;
}

const RATINGS_FORMAT: Record<Layout['id'], RatingsFormat> = { csv: CSV_RATINGS, dat: DAT_RATINGS, u: U_RATINGS };

// eslint-disable-next-line max-lines-per-function -- reads every file of the layout in order and cross-checks them; split with the next change here
export async function readDump(src: DumpSource, opts: ReadDumpOptions = {}): Promise<Dump> {
  const invalid = new InvalidRows(opts.onInvalid ?? 'fail');
  const notes: string[] = [];
  const bytes: Record<string, number> = {};
  const layout = src.layout;
  const read = async (role: FileRole, reader: RowReader) => {
    const name = src.fileName(role);
    const total = src.size(role);
    let last = 0;
    bytes[name] = await src.read(role, (b) => {
      reader.push(b);
      if (opts.onProgress && reader.bytes - last >= 4 << 20) {
        last = reader.bytes;
        opts.onProgress(name, reader.bytes, total);
      }
    });
    opts.onProgress?.(name, reader.bytes, total);
  };

  let movieRows: MovieRow[];
  if (layout.id === 'csv') {
    const mr = moviesReader(src.label('movies'), invalid);
    await read('movies', mr.reader);
    mr.end();
    movieRows = mr.rows;
  } else if (layout.id === 'dat') {
    const mr = datMoviesReader(src.label('movies'), layout.encoding, invalid);
    await read('movies', mr.reader);
    mr.end();
    movieRows = mr.rows;
  } else {
    let genres: readonly string[] = U_GENRES;
    if (src.has('genres')) {
      const gr = uGenreReader(src.label('genres'), layout.encoding, invalid);
      await read('genres', gr.reader);
      gr.end();
      genres = gr.names;
    } else
      notes.push(`${src.fileName('movies')}: no u.genre beside it; its genre columns are read as ml-100k's 19 (${U_GENRES.join(', ')})`);
    const mr = uItemReader(src.label('movies'), layout.encoding, invalid, genres);
    await read('movies', mr.reader);
    mr.end();
    movieRows = mr.rows;
  }
  const movies = movieRows.sort((a, b) => a.movieId - b.movieId);
  if (!movies.length) {
    throw new IngestError(
      `${src.label('movies')} has ${layout.id === 'csv' ? 'a header but ' : ''}no ${invalid.total ? 'valid ' : ''}movies`,
      invalid.total ? 'Every row was invalid: see the counts per reason above.' : 'Check that the file was copied completely.',
    );
  }

  const maxMovie = movies[movies.length - 1].movieId;
  const known = new Uint8Array(maxMovie + 1);
  for (const m of movies) known[m.movieId] = 1;
  const ratingsSize = src.size('ratings');
  // ~29 bytes per line in the real files: size the columns once instead of doubling.
  const rr = new RatingsReader(src.label('ratings'), invalid, known, Math.max(1024, Math.ceil(ratingsSize / 24)), {
    ...RATINGS_FORMAT[layout.id],
    moviesFile: src.fileName('movies'),
  });
  await read('ratings', rr);
  let ratings = trimRatings(rr.end());
  if (!ratings.length) {
    throw new IngestError(
      `${src.label('ratings')} has no ${invalid.total ? 'valid ' : ''}ratings`,
      invalid.total ? 'Every row was invalid: see the counts per reason above.' : 'Check that the file was copied completely.',
    );
  }
  const dd = keepLatestRating(ratings);
  ratings = dd.ratings;

  let links: LinkRow[] = [];
  if (src.has('links')) {
    const lr = linksReader(src.label('links'), invalid);
    await read('links', lr.reader);
    lr.end();
    links = lr.rows.sort((a, b) => a.movieId - b.movieId);
  } else
    notes.push(
      layout.id === 'csv'
        ? 'links.csv is missing: movies get no IMDb/TMDb ids'
        : `${layout.name} has no links file: movies get no IMDb/TMDb ids`,
    );
  let tags: TagColumns = { userId: [], movieId: [], tag: [], timestamp: [] };
  if (src.has('tags')) {
    const tr = layout.id === 'csv' ? tagsReader(src.label('tags'), invalid) : datTagsReader(src.label('tags'), layout.encoding, invalid);
    await read('tags', tr.reader);
    tr.end();
    tags = tr.cols;
  } else notes.push(layout.id === 'csv' ? 'tags.csv is missing: no tags loaded' : `${layout.name} has no tags file: no tags loaded`);
  if (dd.duplicates) notes.push(`${dd.duplicates} duplicate (user, movie) ratings: kept the latest of each`);
  return { location: src.location, layout, movies, links, tags, ratings, invalid, duplicateRatings: dd.duplicates, notes, bytes };
}

/**
 * One rating per (user, movie): the latest timestamp wins, the later row on a tie.
 * O(rows): rows are visited user by user (the file's order when it is grouped by user,
 * as MovieLens files are; otherwise a counting sort by user), with a per-movie stamp.
 */
export function keepLatestRating(r: RatingColumns): { ratings: RatingColumns; duplicates: number } {
  const { drop, duplicates } = duplicateRows(r);
  if (!drop) return { ratings: r, duplicates: 0 };
  return { ratings: withoutRows(r, drop, duplicates), duplicates };
}

/** Marks every (user, movie) pair's earlier ratings (the latest timestamp wins, the later line on a tie); null when there are none. */
function duplicateRows(r: RatingColumns): { drop: Uint8Array | null; duplicates: number } {
  const n = r.length;
  const { userId: U, movieId: M, timestamp: T } = r;
  const { order, maxMovie } = userOrder(r);
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
  return { drop, duplicates };
}

/** The rows grouped by user, in file order within a user (null when the file already is), and the largest movie id. */
function userOrder(r: RatingColumns): { order: Int32Array | null; maxMovie: number } {
  const n = r.length;
  const { userId: U, movieId: M } = r;
  let grouped = true;
  let maxUser = 0,
    maxMovie = 0;
  for (let i = 0; i < n; i++) {
    if (i && U[i] < U[i - 1]) grouped = false;
    if (U[i] > maxUser) maxUser = U[i];
    if (M[i] > maxMovie) maxMovie = M[i];
  }
  if (grouped) return { order: null, maxMovie };
  const start = new Int32Array(maxUser + 2);
  for (let i = 0; i < n; i++) start[U[i] + 1]++;
  for (let u = 0; u <= maxUser; u++) start[u + 1] += start[u];
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[start[U[i]]++] = i;
  return { order, maxMovie };
}

/** The columns without the dropped rows. */
function withoutRows(r: RatingColumns, drop: Uint8Array, dropped: number): RatingColumns {
  const n = r.length,
    kept = n - dropped;
  const out = {
    length: kept,
    userId: new Int32Array(kept),
    movieId: new Int32Array(kept),
    halfStars: new Uint8Array(kept),
    timestamp: new Float64Array(kept),
  };
  for (let i = 0, o = 0; i < n; i++) {
    if (drop[i]) continue;
    out.userId[o] = r.userId[i];
    out.movieId[o] = r.movieId[i];
    out.halfStars[o] = r.halfStars[i];
    out.timestamp[o] = r.timestamp[i];
    o++;
  }
  return out;
}
