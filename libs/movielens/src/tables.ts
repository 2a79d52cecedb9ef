// The small files of every layout: movies (movies.csv, movies.dat, u.item), links
// (links.csv), tags (tags.csv, tags.dat) and ml-100k's genre list (u.genre). Each is
// read record by record and every row goes through the same checks (fields.ts), so a
// bad value gets the same reason and message whatever the layout; only the column
// names in the messages follow the dataset's own README.
import { formatGenres, NO_GENRES_LISTED } from '@cinemap/domain';
import { CsvReader, CsvRecord } from './csv';
import { IngestError, InvalidRows, quoteValue } from './errors';
import { MAX_TAG_LENGTH, NUL_WHY, checkId, checkTimestamp, failed, genresProblem, nulField, titleProblem } from './fields';
import type { TextEncoding } from './layouts';
import { LineReader } from './lines';
import { checkHeader } from './ratings';

export { MAX_TITLE_LENGTH } from './fields';

export const MOVIES_HEADER = ['movieId', 'title', 'genres'] as const;
export const LINKS_HEADER = ['movieId', 'imdbId', 'tmdbId'] as const;
export const TAGS_HEADER = ['userId', 'movieId', 'tag', 'timestamp'] as const;

export interface MovieRow {
  movieId: number;
  title: string;
  /** MovieLens' pipe form ("Adventure|Children"), as movies.csv writes it. */
  genres: string;
  /** The release date's year (ml-100k), used when the title carries no year. */
  releaseYear?: number;
}
export interface LinkRow {
  movieId: number;
  imdbId: number | null;
  tmdbId: number | null;
}
export interface TagColumns {
  userId: number[];
  movieId: number[];
  tag: string[];
  timestamp: number[];
}

/** Anything rows are pushed into: push chunks, end once. */
export interface RowReader {
  push(chunk: Uint8Array | string): void;
  readonly bytes: number;
}

/**
 * A CsvReader that checks the header, ignores blank lines and hands each data
 * record to `onRow`. `end()` throws when the file had no header at all.
 */
function tableReader(file: string, header: readonly string[], invalid: InvalidRows, onRow: (r: CsvRecord) => void) {
  let sawHeader = false;
  const reader = new CsvReader(file, invalid, (rec) => {
    if (!sawHeader) {
      checkHeader(file, rec.fields, header, rec.raw());
      sawHeader = true;
      return;
    }
    if (rec.fields.length === 1 && rec.fields[0] === '') return; // blank line
    if (rec.fields.length !== header.length) {
      invalid.report(
        'column-count',
        file,
        rec.line,
        `expected ${header.length} columns (${header.join(',')}), found ${rec.fields.length}`,
        rec.raw(),
      );
      return;
    }
    const nul = nulField(rec.fields, header);
    if (nul) return invalid.report('nul-byte', file, rec.line, `${nul} ${NUL_WHY}`, rec.raw());
    onRow(rec);
  });
  return {
    reader,
    end: () => {
      reader.end();
      if (!sawHeader)
        throw new IngestError(`${file} is empty; expected the header "${header.join(',')}"`, 'Check that the file was copied completely.');
    },
  };
}

/** Field names of a movies file, for messages. */
interface MovieNames {
  id: string;
  title: string;
  genres: string;
}

/** Collects movie rows: the checks every layout's movies share (id, title, genres, unique ids). */
class MovieCollector {
  readonly rows: MovieRow[] = [];
  private readonly seen = new Map<number, number>();
  constructor(
    private readonly file: string,
    private readonly invalid: InvalidRows,
    private readonly names: MovieNames,
  ) {}

  add(line: number, raw: string, id: string, title: string, genres: string, releaseYear?: number): void {
    const { file, invalid, names } = this;
    const movieId = checkId(id);
    if (failed(movieId)) return invalid.report('bad-movie-id', file, line, `${names.id} ${quoteValue(id)} ${movieId.why}`, raw);
    const tp = titleProblem(title);
    if (tp) return invalid.report(tp.reason, file, line, `movie ${movieId} ${tp.why}`, raw);
    const gp = genresProblem(genres);
    if (gp) return invalid.report('too-many-genres', file, line, `movie ${movieId} ${gp}`, raw);
    const prev = this.seen.get(movieId);
    if (prev !== undefined)
      return invalid.report('duplicate-movie-id', file, line, `${names.id} ${movieId} already appeared on line ${prev}`, raw);
    this.seen.set(movieId, line);
    this.rows.push(releaseYear === undefined ? { movieId, title, genres } : { movieId, title, genres, releaseYear });
  }
}

/** Collects tags, interning repeated tag texts (real dumps repeat each tag many times). */
class TagCollector {
  readonly cols: TagColumns = { userId: [], movieId: [], tag: [], timestamp: [] };
  private readonly interned = new Map<string, string>();
  constructor(
    private readonly file: string,
    private readonly invalid: InvalidRows,
    private readonly names: readonly [string, string, string, string],
  ) {}

  add(line: number, raw: string, u: string, m: string, tag: string, ts: string): void {
    const { file, invalid, names } = this;
    const nul = nulField([u, m, tag, ts], names);
    if (nul) return invalid.report('nul-byte', file, line, `${nul} ${NUL_WHY}`, raw);
    const userId = checkId(u);
    if (failed(userId)) return invalid.report('bad-user-id', file, line, `${names[0]} ${quoteValue(u)} ${userId.why}`, raw);
    const movieId = checkId(m);
    if (failed(movieId)) return invalid.report('bad-movie-id', file, line, `${names[1]} ${quoteValue(m)} ${movieId.why}`, raw);
    if (tag.length > MAX_TAG_LENGTH)
      return invalid.report(
        'tag-too-long',
        file,
        line,
        `${names[2]} of ${tag.length} characters (at most ${MAX_TAG_LENGTH}; MovieLens' longest are under 300)`,
        raw,
      );
    const timestamp = checkTimestamp(ts);
    if (failed(timestamp)) return invalid.report('bad-timestamp', file, line, `${names[3]} ${quoteValue(ts)} ${timestamp.why}`, raw);
    let t = this.interned.get(tag);
    if (t === undefined) {
      t = tag;
      this.interned.set(tag, tag);
    }
    this.cols.userId.push(userId);
    this.cols.movieId.push(movieId);
    this.cols.tag.push(t);
    this.cols.timestamp.push(timestamp);
  }
}

// ---- CSV layout (ml-latest, ml-latest-small, ml-20m, ml-25m, ml-32m) -----------------

export function moviesReader(file: string, invalid: InvalidRows) {
  const c = new MovieCollector(file, invalid, { id: 'movieId', title: 'title', genres: 'genres' });
  const t = tableReader(file, MOVIES_HEADER, invalid, (rec) => c.add(rec.line, rec.raw(), rec.fields[0], rec.fields[1], rec.fields[2]));
  return { reader: t.reader as RowReader, end: t.end, rows: c.rows };
}

/** Optional integer id (links.csv leaves some tmdbIds empty); IMDb ids keep leading zeros in the file. */
function optionalId(s: string): number | null | { why: string } {
  if (s === '') return null;
  return checkId(s);
}

export function linksReader(file: string, invalid: InvalidRows) {
  const rows: LinkRow[] = [];
  const seen = new Set<number>();
  const t = tableReader(file, LINKS_HEADER, invalid, (rec) => {
    const [id, imdb, tmdb] = rec.fields;
    const movieId = checkId(id);
    if (failed(movieId)) return invalid.report('bad-movie-id', file, rec.line, `movieId ${quoteValue(id)} ${movieId.why}`, rec.raw());
    const imdbId = optionalId(imdb);
    if (imdbId !== null && failed(imdbId))
      return invalid.report('bad-imdb-id', file, rec.line, `imdbId ${quoteValue(imdb)} ${imdbId.why} (or empty)`, rec.raw());
    const tmdbId = optionalId(tmdb);
    if (tmdbId !== null && failed(tmdbId))
      return invalid.report('bad-tmdb-id', file, rec.line, `tmdbId ${quoteValue(tmdb)} ${tmdbId.why} (or empty)`, rec.raw());
    if (seen.has(movieId))
      return invalid.report('duplicate-movie-id', file, rec.line, `movieId ${movieId} has a second line in links.csv`, rec.raw());
    seen.add(movieId);
    rows.push({ movieId, imdbId, tmdbId });
  });
  return { reader: t.reader as RowReader, end: t.end, rows };
}

export function tagsReader(file: string, invalid: InvalidRows) {
  const c = new TagCollector(file, invalid, TAGS_HEADER);
  const t = tableReader(file, TAGS_HEADER, invalid, (rec) =>
    c.add(rec.line, rec.raw(), rec.fields[0], rec.fields[1], rec.fields[2], rec.fields[3]),
  );
  return { reader: t.reader as RowReader, end: t.end, cols: c.cols };
}

// ---- "::" layout (ml-1m, ml-10m) ------------------------------------------------------

/** Genre names of the older dumps → today's (the domain's MOVIELENS_GENRES). */
const OLD_GENRE_NAMES: Record<string, string> = { "Children's": 'Children' };

function modernGenres(field: string): string {
  if (field === '' || field === NO_GENRES_LISTED) return field;
  return field
    .split('|')
    .map((g) => OLD_GENRE_NAMES[g] ?? g)
    .join('|');
}

/** Splits "a::b::c::d" into `n` fields: the first n-2 at the first separators, the last at the last one, the rest (a title or a tag may hold "::") in between. */
function splitDat(text: string, n: number): string[] | null {
  const out: string[] = [];
  let p = 0;
  for (let k = 0; k < n - 2; k++) {
    const q = text.indexOf('::', p);
    if (q < 0) return null;
    out.push(text.slice(p, q));
    p = q + 2;
  }
  const last = text.lastIndexOf('::');
  if (last < p) return null;
  out.push(text.slice(p, last), text.slice(last + 2));
  return out;
}

function countDatFields(text: string): number {
  return text.split('::').length;
}

export function datMoviesReader(file: string, encoding: TextEncoding, invalid: InvalidRows) {
  const names = ['MovieID', 'Title', 'Genres'];
  const c = new MovieCollector(file, invalid, { id: 'MovieID', title: 'Title', genres: 'Genres' });
  const reader = new LineReader(file, encoding, invalid, (text, line) => {
    const f = splitDat(text, 3);
    if (!f)
      return invalid.report('column-count', file, line, `expected 3 fields (MovieID::Title::Genres), found ${countDatFields(text)}`, text);
    const nul = nulField(f, names);
    if (nul) return invalid.report('nul-byte', file, line, `${nul} ${NUL_WHY}`, text);
    // Count genres before renaming them, so a row of 100k genres costs one pass.
    const gp = genresProblem(f[2]);
    c.add(line, text, f[0], f[1], gp ? f[2] : modernGenres(f[2]));
  });
  return { reader: reader as RowReader, end: () => reader.end(), rows: c.rows };
}

export function datTagsReader(file: string, encoding: TextEncoding, invalid: InvalidRows) {
  const c = new TagCollector(file, invalid, ['UserID', 'MovieID', 'Tag', 'Timestamp']);
  const reader = new LineReader(file, encoding, invalid, (text, line) => {
    const f = splitDat(text, 4);
    if (!f)
      return invalid.report(
        'column-count',
        file,
        line,
        `expected 4 fields (UserID::MovieID::Tag::Timestamp), found ${countDatFields(text)}`,
        text,
      );
    c.add(line, text, f[0], f[1], f[2], f[3]);
  });
  return { reader: reader as RowReader, end: () => reader.end(), cols: c.cols };
}

// ---- ml-100k layout --------------------------------------------------------------------

/** u.genre of ml-100k, in its order: the names of u.item's 19 one-hot columns. */
export const U_GENRES = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
] as const;

/** Reads u.genre ("Action|1"): the genre of each one-hot column of u.item, in column order. */
export function uGenreReader(file: string, encoding: TextEncoding, invalid: InvalidRows) {
  const names: string[] = [];
  const reader = new LineReader(file, encoding, invalid, (text, line) => {
    const f = text.split('|');
    const fix = 'u.genre lists one genre per line as "name|index", indexes 0, 1, 2, … in order; u.item\'s genre columns follow it.';
    if (f.length !== 2)
      throw new IngestError(
        `${file}:${line}: expected 2 fields (name|index), found ${f.length}\n  row: ${JSON.stringify(text.slice(0, 120))}`,
        fix,
      );
    if (f[1] !== String(names.length))
      throw new IngestError(`${file}:${line}: genre ${quoteValue(f[0])} has index ${quoteValue(f[1])}; expected ${names.length}`, fix);
    if (f[0] === '' || f[0].includes('\0'))
      throw new IngestError(`${file}:${line}: genre name ${quoteValue(f[0])} is empty or holds a NUL byte`, fix);
    names.push(f[0]);
  });
  return {
    reader: reader as RowReader,
    end: () => {
      reader.end();
      if (!names.length)
        throw new IngestError(
          `${file} lists no genres`,
          "Check that the file was extracted completely, or remove it: ingest then uses ml-100k's own 19 genres.",
        );
    },
    names,
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "01-Jan-1995" (or "4-Feb-1971": the real u.item has one such day) → the year; "" → null; anything else → undefined. */
export function releaseYearOf(s: string): number | null | undefined {
  if (s === '') return null;
  const m = /^(\d{1,2})-([A-Z][a-z]{2})-(\d{4})$/.exec(s);
  if (!m || !MONTHS.includes(m[2])) return undefined;
  const day = Number(m[1]);
  return day >= 1 && day <= 31 ? Number(m[3]) : undefined;
}

/**
 * u.item: movie id | movie title | release date | video release date | IMDb URL | one
 * 0/1 column per genre (u.genre's order). "unknown" is no genre; "Children's" is today's
 * "Children". The IMDb URL is a search link, not an id: links stay empty.
 */
export function uItemReader(file: string, encoding: TextEncoding, invalid: InvalidRows, genreNames: readonly string[] = U_GENRES) {
  const fixed = ['movie id', 'movie title', 'release date', 'video release date', 'IMDb URL'];
  const names = [...fixed, ...genreNames];
  const c = new MovieCollector(file, invalid, { id: 'movie id', title: 'movie title', genres: 'genres' });
  const reader = new LineReader(file, encoding, invalid, (text, line) => {
    const f = text.split('|');
    if (f.length !== names.length) {
      return invalid.report(
        'column-count',
        file,
        line,
        `expected ${names.length} fields (movie id | movie title | release date | video release date | IMDb URL | ${genreNames.length} genre columns), found ${f.length}`,
        text,
      );
    }
    const nul = nulField(f, names);
    if (nul) return invalid.report('nul-byte', file, line, `${nul} ${NUL_WHY}`, text);
    const year = releaseYearOf(f[2]);
    if (year === undefined)
      return invalid.report(
        'bad-release-date',
        file,
        line,
        `release date ${quoteValue(f[2])} is not a date like 01-Jan-1995 (or empty)`,
        text,
      );
    const genres: string[] = [];
    for (let k = 0; k < genreNames.length; k++) {
      const v = f[fixed.length + k];
      if (v !== '0' && v !== '1')
        return invalid.report('bad-genre-flag', file, line, `genre column ${genreNames[k]} is ${quoteValue(v)}; expected 0 or 1`, text);
      if (v === '1' && genreNames[k] !== 'unknown') genres.push(OLD_GENRE_NAMES[genreNames[k]] ?? genreNames[k]);
    }
    c.add(line, text, f[0], f[1], formatGenres(genres), year ?? undefined);
  });
  return { reader: reader as RowReader, end: () => reader.end(), rows: c.rows };
}
