// Encodes the parsed dump as the CSV that COPY reads, in chunks of ~1 MB, without
// per-row Date objects or strings for ratings: a timestamp's text is its day's text
// (cached; a dump spans ~10k days) plus its second-of-day's text (a table).
import { csvField, pgArrayLiteral } from '@cinemap/db';
import type { Dump, RatingColumns } from '@cinemap/movielens';
import type { DumpStats } from '../curate/curate';
import { genresOf, titleParts } from './titles';

const ROWS_PER_CHUNK = 32_768;
const RATING_TEXT = ['', '0.5', '1', '1.5', '2', '2.5', '3', '3.5', '4', '4.5', '5'];

const dayText = new Map<number, string>();
let sodText: string[] | null = null;

/** 964982703 → "2000-07-30 18:45:03+00" (what timestamptz reads as UTC). */
export function timestampText(t: number): string {
  const day = Math.floor(t / 86400);
  const sod = t - day * 86400;
  let d = dayText.get(day);
  if (d === undefined) {
    d = new Date(day * 86400000).toISOString().slice(0, 10);
    dayText.set(day, d);
  }
  if (!sodText) {
    sodText = new Array(86400);
    for (let s = 0; s < 86400; s++) {
      const h = Math.floor(s / 3600),
        m = Math.floor((s % 3600) / 60),
        x = s % 60;
      sodText[s] = `${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${x < 10 ? '0' : ''}${x}+00`;
    }
  }
  return `${d} ${sodText[sod]}`;
}

const CHUNK_BYTES = 1 << 20;
const RATING_BYTES = RATING_TEXT.map((t) => Buffer.from(t));
const dayBytes = new Map<number, Buffer>();
let sodBytes: Buffer | null = null;

/** Writes a non-negative integer's digits at `p`; returns the new end. */
function writeUint(buf: Buffer, p: number, v: number): number {
  let digits = 1;
  for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
  let q = p + digits;
  for (let x = v; q > p; x = Math.floor(x / 10)) buf[--q] = 48 + (x % 10);
  return p + digits;
}

/**
 * Writes a timestamp as "YYYY-MM-DD HH:MM:SS+00" at `p`. Byte-level twin of
 * timestampText: ratings are the hot path of the load (34M rows), where building a
 * string per row costs more than PostgreSQL's COPY itself.
 */
function writeTimestamp(buf: Buffer, p: number, t: number): number {
  const day = Math.floor(t / 86400);
  const sod = t - day * 86400;
  let d = dayBytes.get(day);
  if (d === undefined) {
    d = Buffer.from(new Date(day * 86400000).toISOString().slice(0, 10));
    dayBytes.set(day, d);
  }
  if (!sodBytes) sodBytes = Buffer.from(Array.from({ length: 86400 }, (_, s) => timestampText(s).slice(11)).join(''));
  for (let k = 0; k < d.length; k++) buf[p++] = d[k];
  buf[p++] = 32;
  const o = sod * 11;
  for (let k = 0; k < 11; k++) buf[p++] = sodBytes[o + k];
  return p;
}

/** ratings rows (user_id, movie_id, rating, rated_at) as CSV bytes, ~1 MB per chunk. */
export function* ratingsCsv(r: RatingColumns): Generator<Buffer> {
  const { userId: U, movieId: M, halfStars: H, timestamp: T } = r;
  let buf = Buffer.allocUnsafe(CHUNK_BYTES + 128);
  let p = 0;
  for (let i = 0; i < r.length; i++) {
    if (p >= CHUNK_BYTES) {
      yield buf.subarray(0, p);
      buf = Buffer.allocUnsafe(CHUNK_BYTES + 128);
      p = 0;
    }
    p = writeUint(buf, p, U[i]);
    buf[p++] = 44;
    p = writeUint(buf, p, M[i]);
    buf[p++] = 44;
    const rb = RATING_BYTES[H[i]];
    for (let k = 0; k < rb.length; k++) buf[p++] = rb[k];
    buf[p++] = 44;
    p = writeTimestamp(buf, p, T[i]);
    buf[p++] = 10;
  }
  if (p) yield buf.subarray(0, p);
}

/** curated_ratings rows (dataset_id, user_id, movie_id, rating) of the kept ratings. */
export function* curatedCsv(datasetId: number, r: RatingColumns, keep: Uint8Array): Generator<Buffer> {
  const { userId: U, movieId: M, halfStars: H } = r;
  let buf = Buffer.allocUnsafe(CHUNK_BYTES + 128);
  let p = 0;
  for (let i = 0; i < r.length; i++) {
    if (!keep[i]) continue;
    if (p >= CHUNK_BYTES) {
      yield buf.subarray(0, p);
      buf = Buffer.allocUnsafe(CHUNK_BYTES + 128);
      p = 0;
    }
    p = writeUint(buf, p, datasetId);
    buf[p++] = 44;
    p = writeUint(buf, p, U[i]);
    buf[p++] = 44;
    p = writeUint(buf, p, M[i]);
    buf[p++] = 44;
    const rb = RATING_BYTES[H[i]];
    for (let k = 0; k < rb.length; k++) buf[p++] = rb[k];
    buf[p++] = 10;
  }
  if (p) yield buf.subarray(0, p);
}

export function* tagsCsv(d: Dump): Generator<string> {
  const t = d.tags;
  for (let i0 = 0; i0 < t.userId.length; i0 += ROWS_PER_CHUNK) {
    const end = Math.min(t.userId.length, i0 + ROWS_PER_CHUNK);
    let s = '';
    // NUL bytes never get here: every reader refuses them at parse time, naming file:line.
    for (let i = i0; i < end; i++) s += `${t.userId[i]},${t.movieId[i]},${csvField(t.tag[i])},${timestampText(t.timestamp[i])}\n`;
    yield s;
  }
}

export function* linksCsv(d: Dump): Generator<string> {
  let s = '';
  for (const l of d.links) s += `${l.movieId},${csvField(l.imdbId)},${csvField(l.tmdbId)}\n`;
  if (s) yield s;
}

/**
 * movies rows: parsed title parts (the year from ml-100k's release date when the title has none), genres, ids from links.csv,
 * totals over the whole dump and why curation left the movie out (`excludedBy[movieId]`; a movie no rating names is NO_RATINGS).
 */
export function* moviesCsv(d: Dump, stats: DumpStats, excludedBy: readonly (string | undefined)[] = []): Generator<string> {
  const links = new Map(d.links.map((l) => [l.movieId, l]));
  let s = '';
  let n = 0;
  for (const m of d.movies) {
    const parts = titleParts(m.title);
    const l = links.get(m.movieId);
    const count = stats.movieCount[m.movieId] ?? 0;
    const avg = count ? stats.movieHalfSum[m.movieId] / count / 2 : 0;
    s +=
      [
        m.movieId,
        csvField(m.title),
        csvField(parts.displayTitle),
        csvField(parts.year ?? m.releaseYear ?? null),
        csvField(pgArrayLiteral(genresOf(m.genres))),
        csvField(l?.imdbId ?? null),
        csvField(l?.tmdbId ?? null),
        count,
        avg,
        csvField(pgArrayLiteral(parts.keys)),
        csvField(count ? (excludedBy[m.movieId] ?? null) : 'NO_RATINGS'),
      ].join(',') + '\n';
    if (++n % 8192 === 0) {
      yield s;
      s = '';
    }
  }
  if (s) yield s;
}
