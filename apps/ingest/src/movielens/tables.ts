// movies.csv, links.csv and tags.csv: small enough (≤ ~2M rows) to read record by
// record through the general CSV reader, each row validated and kept in columns.
import { CsvReader, CsvRecord } from './csv';
import { IngestError, InvalidRows, quoteValue } from './errors';
import { checkHeader, parseId, parseTimestamp } from './ratings';

export const MOVIES_HEADER = ['movieId', 'title', 'genres'] as const;
export const LINKS_HEADER = ['movieId', 'imdbId', 'tmdbId'] as const;
export const TAGS_HEADER = ['userId', 'movieId', 'tag', 'timestamp'] as const;

export interface MovieRow {
  movieId: number;
  title: string;
  genres: string;
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
      invalid.report('column-count', file, rec.line, `expected ${header.length} columns (${header.join(',')}), found ${rec.fields.length}`, rec.raw());
      return;
    }
    onRow(rec);
  });
  return {
    reader,
    push: (c: Uint8Array) => reader.push(c),
    end: () => {
      reader.end();
      if (!sawHeader) throw new IngestError(`${file} is empty; expected the header "${header.join(',')}"`, 'Check that the file was copied completely.');
    },
  };
}

/**
 * Longest title accepted. MovieLens' longest are ~200 characters; a longer one is a
 * broken file (a lost quote swallowing lines), and no user could type it.
 */
export const MAX_TITLE_LENGTH = 1000;

export function moviesReader(file: string, invalid: InvalidRows) {
  const rows: MovieRow[] = [];
  const seen = new Map<number, number>();
  const t = tableReader(file, MOVIES_HEADER, invalid, (rec) => {
    const [id, title, genres] = rec.fields;
    const movieId = parseId(id);
    if (movieId === null) return invalid.report('bad-movie-id', file, rec.line, `movieId ${quoteValue(id)} is not a positive integer`, rec.raw());
    if (title.trim() === '') return invalid.report('empty-title', file, rec.line, `movie ${movieId} has an empty title`, rec.raw());
    if (title.length > MAX_TITLE_LENGTH)
      return invalid.report('title-too-long', file, rec.line, `movie ${movieId} has a title of ${title.length} characters (at most ${MAX_TITLE_LENGTH}; MovieLens' longest is about 200)`, rec.raw());
    const prev = seen.get(movieId);
    if (prev !== undefined) return invalid.report('duplicate-movie-id', file, rec.line, `movieId ${movieId} already appeared on line ${prev}`, rec.raw());
    seen.set(movieId, rec.line);
    rows.push({ movieId, title, genres });
  });
  return { ...t, rows, get bytes() { return t.reader.bytes; } };
}

/** Optional integer id (links.csv leaves some tmdbIds empty); IMDb ids keep leading zeros in the file. */
function optionalId(s: string): number | null | undefined {
  if (s === '') return null;
  return parseId(s) ?? undefined;
}

export function linksReader(file: string, invalid: InvalidRows) {
  const rows: LinkRow[] = [];
  const seen = new Set<number>();
  const t = tableReader(file, LINKS_HEADER, invalid, (rec) => {
    const [id, imdb, tmdb] = rec.fields;
    const movieId = parseId(id);
    if (movieId === null) return invalid.report('bad-movie-id', file, rec.line, `movieId ${quoteValue(id)} is not a positive integer`, rec.raw());
    const imdbId = optionalId(imdb);
    if (imdbId === undefined) return invalid.report('bad-imdb-id', file, rec.line, `imdbId ${quoteValue(imdb)} is not a positive integer (or empty)`, rec.raw());
    const tmdbId = optionalId(tmdb);
    if (tmdbId === undefined) return invalid.report('bad-tmdb-id', file, rec.line, `tmdbId ${quoteValue(tmdb)} is not a positive integer (or empty)`, rec.raw());
    if (seen.has(movieId)) return invalid.report('duplicate-movie-id', file, rec.line, `movieId ${movieId} has a second line in links.csv`, rec.raw());
    seen.add(movieId);
    rows.push({ movieId, imdbId, tmdbId });
  });
  return { ...t, rows, get bytes() { return t.reader.bytes; } };
}

export function tagsReader(file: string, invalid: InvalidRows) {
  const cols: TagColumns = { userId: [], movieId: [], tag: [], timestamp: [] };
  const t = tableReader(file, TAGS_HEADER, invalid, (rec) => {
    const [u, m, tag, ts] = rec.fields;
    const userId = parseId(u);
    if (userId === null) return invalid.report('bad-user-id', file, rec.line, `userId ${quoteValue(u)} is not a positive integer`, rec.raw());
    const movieId = parseId(m);
    if (movieId === null) return invalid.report('bad-movie-id', file, rec.line, `movieId ${quoteValue(m)} is not a positive integer`, rec.raw());
    const timestamp = parseTimestamp(ts);
    if (timestamp === null) return invalid.report('bad-timestamp', file, rec.line, `timestamp ${quoteValue(ts)} is not a whole number of seconds since 1970 (a non-negative integer)`, rec.raw());
    cols.userId.push(userId);
    cols.movieId.push(movieId);
    cols.tag.push(tag);
    cols.timestamp.push(timestamp);
  });
  return { ...t, cols, get bytes() { return t.reader.bytes; } };
}
