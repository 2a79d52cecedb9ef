// The rules every field of every layout is held to, in one place, so a bad value gets
// the same reason and message whichever file it comes from. Each check returns the
// parsed value or the words that follow the quoted value in the message ("is larger
// than 2147483647, …"): a bound that is broken is always named.
import { titleTextProblem } from '@cinemap/domain';

/** Ids are PostgreSQL integers (32-bit). */
export const MAX_ID = 2147483647;
/** 9999-12-31T23:59:59Z: the last second PostgreSQL's timestamptz prints with four digits. */
export const MAX_TIMESTAMP = 253402300799;
/**
 * Longest title accepted. MovieLens' longest are ~200 characters; a longer one is a
 * broken file (a lost quote swallowing lines), and no user could type it.
 */
export const MAX_TITLE_LENGTH = 1000;
/** Most genres one movie may list (MovieLens has 20 in all); keeps per-row work bounded. */
export const MAX_GENRES = 64;
/** Longest tag accepted (MovieLens' longest are under 300 characters). */
export const MAX_TAG_LENGTH = 1000;
/**
 * Longest row, in bytes, of any file. Real rows are under 1 KB; a longer one is a lost
 * line break or quote. Bounds the memory and work of one row whatever the input.
 */
export const MAX_ROW_BYTES = 64 * 1024;

export type Checked<T> = T | { why: string };
export const failed = <T>(c: Checked<T>): c is { why: string } => typeof c === 'object' && c !== null && 'why' in c;

/** A positive 32-bit integer written as decimal digits. */
export function checkId(s: string): Checked<number> {
  if (!/^[0-9]+$/.test(s)) return { why: 'is not a positive integer' };
  const d = s.replace(/^0+(?=[0-9])/, '');
  if (d.length > 10 || Number(d) > MAX_ID) return { why: `is larger than ${MAX_ID}, the largest id (ids are 32-bit integers)` };
  const v = Number(d);
  return v >= 1 ? v : { why: 'is not a positive integer' };
}

/** A positive int32, or null (the old API, kept for callers that only need yes/no). */
export function parseId(s: string): number | null {
  const r = checkId(s);
  return failed(r) ? null : r;
}

/** "4", "4.0", "4.5", "4.50" → 8, 8, 9, 9 half-stars; anything else (or outside 0.5..5.0) → null. */
export function parseHalfStars(s: string): number | null {
  const m = /^([0-9]{1,3})(?:\.([05])0*)?$/.exec(s);
  if (!m) return null;
  const h = Number(m[1]) * 2 + (m[2] === '5' ? 1 : 0);
  return h >= 1 && h <= 10 ? h : null;
}

export const RATING_WHY = 'is not one of 0.5, 1.0, ..., 5.0 (0.5 to 5.0 in steps of 0.5)';

/** Whole seconds since 1970, up to MAX_TIMESTAMP. */
export function checkTimestamp(s: string): Checked<number> {
  if (!/^[0-9]+$/.test(s)) return { why: 'is not a whole number of seconds since 1970 (a non-negative integer)' };
  const d = s.replace(/^0+(?=[0-9])/, '');
  if (d.length > 12 || Number(d) > MAX_TIMESTAMP) {
    return {
      why: `is after 9999-12-31 23:59:59 UTC, the latest time PostgreSQL stores with a four-digit year (at most ${MAX_TIMESTAMP} seconds since 1970)`,
    };
  }
  return Number(d);
}

export function parseTimestamp(s: string): number | null {
  const r = checkTimestamp(s);
  return failed(r) ? null : r;
}

/** Why a title is refused, or null. */
export function titleProblem(title: string): { reason: 'empty-title' | 'title-too-long' | 'title-characters'; why: string } | null {
  if (title.trim() === '') return { reason: 'empty-title', why: 'has an empty title' };
  if (title.length > MAX_TITLE_LENGTH)
    return {
      reason: 'title-too-long',
      why: `has a title of ${title.length} characters (at most ${MAX_TITLE_LENGTH}; MovieLens' longest is about 200)`,
    };
  // The one character rule the gateway applies to typed titles: a title it would refuse
  // as input could never be asked about, so the catalogue never holds one.
  const chars = titleTextProblem(title, 'title');
  if (chars)
    return {
      reason: 'title-characters',
      why: `has a ${chars.replace(/^title /, 'title that ').replace(/; remove it$/, '')} (a title must be typeable back)`,
    };
  return null;
}

/** Number of "|"-separated parts of a genres field (linear, no split). */
export function genreCount(field: string): number {
  let n = 1;
  for (let i = 0; i < field.length; i++) if (field.charCodeAt(i) === 124) n++;
  return n;
}

/** Why a genres field is refused, or null. */
export function genresProblem(field: string): string | null {
  const n = genreCount(field);
  return n > MAX_GENRES ? `lists ${n} genres (at most ${MAX_GENRES}; MovieLens has 20 in all)` : null;
}

/** The name of the first field holding a NUL character (PostgreSQL text cannot store U+0000), or null. */
export function nulField(fields: readonly string[], names: readonly string[]): string | null {
  for (let i = 0; i < fields.length; i++) if (fields[i].includes('\0')) return names[i] ?? `field ${i + 1}`;
  return null;
}

export const NUL_WHY =
  'contains a NUL byte (U+0000), which PostgreSQL cannot store in text: a damaged file, or a binary file saved under this name';

export const ROW_TOO_LONG_WHY = `the row is longer than ${MAX_ROW_BYTES} bytes (real MovieLens rows are under 1,000 bytes): a missing line break or an unclosed quote?`;
