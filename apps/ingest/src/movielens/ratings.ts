// ratings.csv, the hot loop: ~34M rows / ~900 MB in the full dump. Rows are parsed
// straight from the bytes into typed columns (no per-row strings or objects); a row
// the fast path does not recognise (quotes, a bad value, a stray character) goes to a
// slow path that re-reads it as CSV and either accepts it or says exactly what is
// wrong with it. Each row is one line: no ratings field can contain a line break.
import { ChunkJoiner, splitCsvLine } from './csv';
import { IngestError, InvalidRows, quoteValue } from './errors';

export const RATINGS_HEADER = ['userId', 'movieId', 'rating', 'timestamp'] as const;

/** The ratings of a dump as columns; `halfStars` is rating*2 (1..10). Arrays may be longer than `length`. */
export interface RatingColumns {
  length: number;
  userId: Int32Array;
  movieId: Int32Array;
  halfStars: Uint8Array;
  /** Seconds since 1970-01-01 UTC. */
  timestamp: Float64Array;
}

export function emptyRatings(capacity = 0): RatingColumns {
  return { length: 0, userId: new Int32Array(capacity), movieId: new Int32Array(capacity), halfStars: new Uint8Array(capacity), timestamp: new Float64Array(capacity) };
}

/** Copies the first `length` rows into exactly-sized arrays. */
export function trimRatings(r: RatingColumns): RatingColumns {
  const n = r.length;
  return { length: n, userId: r.userId.slice(0, n), movieId: r.movieId.slice(0, n), halfStars: r.halfStars.slice(0, n), timestamp: r.timestamp.slice(0, n) };
}

const MAX_ID = 2147483647;
/** 9999-12-31T23:59:59Z: the last second PostgreSQL's timestamptz prints with four digits. */
export const MAX_TIMESTAMP = 253402300799;

/**
 * Validates one ratings row given as text fields (the slow path, and tests).
 * Returns [user, movie, halfStars, timestamp] or reports the row as invalid and returns null.
 */
export function validateRatingFields(f: string[], file: string, line: number, raw: string, invalid: InvalidRows): [number, number, number, number] | null {
  if (f.length !== 4) {
    invalid.report('column-count', file, line, `expected 4 columns (userId,movieId,rating,timestamp), found ${f.length}`, raw);
    return null;
  }
  const user = parseId(f[0]);
  if (user === null) {
    invalid.report('bad-user-id', file, line, `userId ${quoteValue(f[0])} is not a positive integer`, raw);
    return null;
  }
  const movie = parseId(f[1]);
  if (movie === null) {
    invalid.report('bad-movie-id', file, line, `movieId ${quoteValue(f[1])} is not a positive integer`, raw);
    return null;
  }
  const h = parseHalfStars(f[2]);
  if (h === null) {
    invalid.report('bad-rating', file, line, `rating ${quoteValue(f[2])} is not one of 0.5, 1.0, ..., 5.0 (0.5 to 5.0 in steps of 0.5)`, raw);
    return null;
  }
  const t = parseTimestamp(f[3]);
  if (t === null) {
    invalid.report('bad-timestamp', file, line, `timestamp ${quoteValue(f[3])} is not a whole number of seconds since 1970 (a non-negative integer)`, raw);
    return null;
  }
  return [user, movie, h, t];
}

/** A positive int32 written as decimal digits, or null. */
export function parseId(s: string): number | null {
  if (!/^[0-9]{1,10}$/.test(s)) return null;
  const v = Number(s);
  return v >= 1 && v <= MAX_ID ? v : null;
}

/** "4", "4.0", "4.5", "4.50" → 8, 8, 9, 9; anything else (or outside 0.5..5.0) → null. */
export function parseHalfStars(s: string): number | null {
  const m = /^([0-9]{1,3})(?:\.([05])0*)?$/.exec(s);
  if (!m) return null;
  const h = Number(m[1]) * 2 + (m[2] === '5' ? 1 : 0);
  return h >= 1 && h <= 10 ? h : null;
}

export function parseTimestamp(s: string): number | null {
  if (!/^[0-9]{1,12}$/.test(s)) return null;
  const v = Number(s);
  return v <= MAX_TIMESTAMP ? v : null;
}

function checkHeader(file: string, fields: string[] | null, expected: readonly string[], raw: string): void {
  if (!fields || fields.length !== expected.length || fields.some((f, i) => f !== expected[i])) {
    throw new IngestError(
      `${file}:1: header is ${quoteValue(raw, 120)}; expected ${JSON.stringify(expected.join(','))}`,
      'Is this a MovieLens "latest"-format dump (ml-latest, ml-latest-small)? The older ml-100k/ml-1m/ml-10m formats are not supported.',
    );
  }
}
export { checkHeader };

/** Push-style parser for ratings.csv: `push` chunks, `end`, then read `columns`. */
export class RatingsReader {
  columns: RatingColumns;
  private readonly chunks = new ChunkJoiner();
  private line = 1;
  private sawHeader = false;
  /** Bytes pushed so far (progress). */
  get bytes(): number {
    return this.chunks.bytes;
  }

  constructor(
    private readonly file: string,
    private readonly invalid: InvalidRows,
    /** known[movieId] = 1 for the movies in movies.csv; a rating of any other movie is an `unknown-movie` row. */
    private readonly known?: Uint8Array,
    capacityHint = 1 << 16,
  ) {
    this.columns = emptyRatings(capacityHint);
  }

  push(chunk: Uint8Array | string): void {
    const buf = this.chunks.join(chunk);
    if (!buf) return;
    // Whole lines now; the partial last line waits for the next chunk.
    const upTo = buf.lastIndexOf(10) + 1;
    if (upTo > 0) this.parse(buf, upTo);
    this.chunks.keep(buf, upTo);
  }

  end(): RatingColumns {
    const rest = this.chunks.rest();
    if (rest) this.parse(rest, rest.length);
    if (!this.sawHeader) {
      throw new IngestError(`${this.file} is empty; expected the header "${RATINGS_HEADER.join(',')}" and one rating per line`, 'Check that the file was copied completely.');
    }
    return this.columns;
  }

  private grow(min: number): void {
    const c = this.columns;
    let cap = Math.max(c.userId.length * 2, 1024);
    while (cap < min) cap *= 2;
    const next = emptyRatings(cap);
    next.userId.set(c.userId.subarray(0, c.length));
    next.movieId.set(c.movieId.subarray(0, c.length));
    next.halfStars.set(c.halfStars.subarray(0, c.length));
    next.timestamp.set(c.timestamp.subarray(0, c.length));
    next.length = c.length;
    this.columns = next;
  }

  /** Parses the complete lines in buf[0, end). */
  private parse(buf: Buffer, end: number): void {
    let i = 0;
    if (!this.sawHeader) {
      let e = buf.indexOf(10);
      if (e < 0 || e >= end) e = end;
      const next = e < end ? e + 1 : end;
      let le = e;
      if (le > 0 && buf[le - 1] === 13) le--;
      const raw = buf.toString('utf8', 0, le);
      if (raw === '' && next >= end) return; // an empty file: end() says so
      checkHeader(this.file, splitCsvLine(raw), RATINGS_HEADER, raw);
      this.sawHeader = true;
      this.line = 2;
      i = next;
    }
    // Each row takes at least 8 bytes ("1,1,1,1\n"): reserve room once per chunk.
    const need = this.columns.length + Math.ceil((end - i) / 8) + 1;
    if (need > this.columns.userId.length) this.grow(need);
    const cols = this.columns;
    const U = cols.userId, M = cols.movieId, H = cols.halfStars, T = cols.timestamp;
    const K = this.known ?? new Uint8Array(0);
    const checkKnown = this.known !== undefined;
    let n = cols.length;
    let line = this.line;
    while (i < end) {
      const ls = i;
      let c = buf[i];
      // userId
      let u = 0;
      let s = i;
      while (c >= 48 && c <= 57) { u = u * 10 + (c - 48); c = buf[++i]; }
      if (c === 44 && i !== s && i - s <= 10 && u !== 0 && u <= MAX_ID) {
        // movieId
        c = buf[++i];
        s = i;
        let m = 0;
        while (c >= 48 && c <= 57) { m = m * 10 + (c - 48); c = buf[++i]; }
        if (c === 44 && i !== s && i - s <= 10 && m !== 0 && m <= MAX_ID && (!checkKnown || K[m] === 1)) {
          // rating: digits [. (0|5) 0*]
          c = buf[++i];
          s = i;
          let r = 0;
          while (c >= 48 && c <= 57) { r = r * 10 + (c - 48); c = buf[++i]; }
          let h = r * 2;
          let okR = i !== s && i - s <= 3;
          if (c === 46) {
            c = buf[++i];
            if (c === 53) h++;
            else if (c !== 48) okR = false;
            c = buf[++i];
            while (c === 48) c = buf[++i];
          }
          if (okR && c === 44 && h >= 1 && h <= 10) {
            // timestamp
            c = buf[++i];
            s = i;
            let t = 0;
            while (c >= 48 && c <= 57) { t = t * 10 + (c - 48); c = buf[++i]; }
            if (i !== s && i - s <= 11) {
              let ok = false;
              if (c === 10) { i++; ok = true; }
              else if (c === 13 && buf[i + 1] === 10) { i += 2; ok = true; }
              else if (i >= end) ok = true; // last line without a line break
              if (ok) {
                U[n] = u; M[n] = m; H[n] = h; T[n] = t;
                n++;
                line++;
                continue;
              }
            }
          }
        }
      }
      // Slow path: the whole line, read as CSV and validated field by field.
      let e = buf.indexOf(10, ls);
      if (e < 0 || e >= end) e = end;
      i = e < end ? e + 1 : end;
      let le = e;
      if (le > ls && buf[le - 1] === 13) le--;
      const raw = buf.toString('utf8', ls, le);
      if (raw.trim() === '') { line++; continue; } // blank lines are ignored
      const fields = splitCsvLine(raw);
      cols.length = n;
      if (!fields) {
        this.invalid.report('unterminated-quote', this.file, line, 'malformed quotes (a ratings field may be quoted as a whole: "4.5")', raw);
      } else {
        const v = validateRatingFields(fields, this.file, line, raw, this.invalid);
        if (v && checkKnown && K[v[1]] !== 1) {
          this.invalid.report('unknown-movie', this.file, line, `movieId ${v[1]} is not in movies.csv`, raw);
        } else if (v) {
          U[n] = v[0]; M[n] = v[1]; H[n] = v[2]; T[n] = v[3];
          n++;
        }
      }
      line++;
    }
    cols.length = n;
    this.line = line;
  }
}
