// Encodes the parsed dump as the CSV that COPY reads, in chunks of ~1 MB, without
// per-row Date objects: a timestamp's text is its day's text (cached; a dump spans
// ~10k days) plus its second-of-day's text (cached).
import { csvField, pgArrayLiteral } from '@cinemap/db';
import type { Dump } from '../movielens/dump';
import type { RatingColumns } from '../movielens/ratings';
import type { DumpStats } from '../curate/curate';
import { genresOf, titleParts } from '../movielens/titles';

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
      const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), x = s % 60;
      sodText[s] = `${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${x < 10 ? '0' : ''}${x}+00`;
    }
  }
  return `${d} ${sodText[sod]}`;
}

export function* ratingsCsv(r: RatingColumns): Generator<string> {
  const { userId: U, movieId: M, halfStars: H, timestamp: T } = r;
  for (let i0 = 0; i0 < r.length; i0 += ROWS_PER_CHUNK) {
    const end = Math.min(r.length, i0 + ROWS_PER_CHUNK);
    let s = '';
    for (let i = i0; i < end; i++) s += `${U[i]},${M[i]},${RATING_TEXT[H[i]]},${timestampText(T[i])}\n`;
    yield s;
  }
}

export function* curatedCsv(datasetId: number, r: RatingColumns, keep: Uint8Array): Generator<string> {
  const { userId: U, movieId: M, halfStars: H } = r;
  const prefix = `${datasetId},`;
  for (let i0 = 0; i0 < r.length; i0 += ROWS_PER_CHUNK) {
    const end = Math.min(r.length, i0 + ROWS_PER_CHUNK);
    let s = '';
    for (let i = i0; i < end; i++) if (keep[i]) s += `${prefix}${U[i]},${M[i]},${RATING_TEXT[H[i]]}\n`;
    if (s) yield s;
  }
}

export function* tagsCsv(d: Dump): Generator<string> {
  const t = d.tags;
  for (let i0 = 0; i0 < t.userId.length; i0 += ROWS_PER_CHUNK) {
    const end = Math.min(t.userId.length, i0 + ROWS_PER_CHUNK);
    let s = '';
    // A tag may hold a NUL byte, which PostgreSQL text cannot store: dropped.
    for (let i = i0; i < end; i++) s += `${t.userId[i]},${t.movieId[i]},${csvField(t.tag[i].replace(/\0/g, ''))},${timestampText(t.timestamp[i])}\n`;
    yield s;
  }
}

export function* linksCsv(d: Dump): Generator<string> {
  let s = '';
  for (const l of d.links) s += `${l.movieId},${csvField(l.imdbId)},${csvField(l.tmdbId)}\n`;
  if (s) yield s;
}

/** movies rows: parsed title parts, genres, ids from links.csv and totals over the whole dump. */
export function* moviesCsv(d: Dump, stats: DumpStats): Generator<string> {
  const links = new Map(d.links.map((l) => [l.movieId, l]));
  let s = '';
  let n = 0;
  for (const m of d.movies) {
    const parts = titleParts(m.title);
    const l = links.get(m.movieId);
    const count = stats.movieCount[m.movieId] ?? 0;
    const avg = count ? stats.movieHalfSum[m.movieId] / count / 2 : 0;
    s += [m.movieId, csvField(m.title.replace(/\0/g, '')), csvField(parts.displayTitle), csvField(parts.year), csvField(pgArrayLiteral(genresOf(m.genres))), csvField(l?.imdbId ?? null), csvField(l?.tmdbId ?? null), count, avg, csvField(pgArrayLiteral(parts.keys))].join(',') + '\n';
    if (++n % 8192 === 0) {
      yield s;
      s = '';
    }
  }
  if (s) yield s;
}
