// The ratings file of every layout, the hot loop: ~34M rows / ~900 MB in the full dump.
// ratings.csv (","), ratings.dat ("::") and u.data (tab) differ only in their separator
// and header. Rows are parsed straight from the bytes into typed columns (no per-row
// strings or objects); a row the fast path does not recognise (quotes, a bad value, a
// stray character) goes to a slow path that re-reads it as text and either accepts it
// or says exactly what is wrong with it. Each row is one line: no ratings field can
// contain a line break.
import { createReadStream, statSync } from 'node:fs';
import { ChunkJoiner, splitCsvLine } from './csv';
import { IngestError, InvalidRows, quoteValue } from './errors';
import {
  MAX_ID,
  MAX_ROW_BYTES,
  MAX_TIMESTAMP,
  NUL_WHY,
  RATING_WHY,
  ROW_TOO_LONG_WHY,
  checkId,
  checkTimestamp,
  failed,
  nulField,
  parseHalfStars,
  parseId,
  parseTimestamp,
} from './fields';

export const RATINGS_HEADER = ['userId', 'movieId', 'rating', 'timestamp'] as const;

/** How a layout writes its ratings file. */
export interface RatingsFormat {
  /** Field separator: "," (CSV: quotes allowed, a header line), "::" (ml-1m, ml-10m) or a tab (ml-100k). */
  sep: ',' | '::' | '\t';
  /** The header line the file must start with, or null when it has none. */
  header: readonly string[] | null;
  /** The four columns as the dataset's README names them (messages). */
  names: readonly [string, string, string, string];
  /** The movies file, for "is not in movies.csv". */
  moviesFile: string;
}

export const CSV_RATINGS: RatingsFormat = { sep: ',', header: RATINGS_HEADER, names: RATINGS_HEADER, moviesFile: 'movies.csv' };
export const DAT_RATINGS: RatingsFormat = {
  sep: '::',
  header: null,
  names: ['UserID', 'MovieID', 'Rating', 'Timestamp'],
  moviesFile: 'movies.dat',
};
export const U_RATINGS: RatingsFormat = {
  sep: '\t',
  header: null,
  names: ['user id', 'item id', 'rating', 'timestamp'],
  moviesFile: 'u.item',
};

/** "userId,movieId,rating,timestamp" / "UserID::MovieID::Rating::Timestamp" / "user id<TAB>item id<TAB>…". */
export function columnsText(names: readonly string[], sep: string): string {
  return names.join(sep === '\t' ? ' <tab> ' : sep);
}

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
  return {
    length: 0,
    userId: new Int32Array(capacity),
    movieId: new Int32Array(capacity),
    halfStars: new Uint8Array(capacity),
    timestamp: new Float64Array(capacity),
  };
}

/** Copies the first `length` rows into exactly-sized arrays. */
export function trimRatings(r: RatingColumns): RatingColumns {
  const n = r.length;
  return {
    length: n,
    userId: r.userId.slice(0, n),
    movieId: r.movieId.slice(0, n),
    halfStars: r.halfStars.slice(0, n),
    timestamp: r.timestamp.slice(0, n),
  };
}

export { MAX_TIMESTAMP, parseId, parseHalfStars, parseTimestamp };

/**
 * Validates one ratings row given as text fields (the slow path, and tests).
 * Returns [user, movie, halfStars, timestamp] or reports the row as invalid and returns null.
 */
export function validateRatingFields(
  f: string[],
  file: string,
  line: number,
  raw: string,
  invalid: InvalidRows,
  format: RatingsFormat = CSV_RATINGS,
): [number, number, number, number] | null {
  const [nu, nm, nr, nt] = format.names;
  if (f.length !== 4) {
    invalid.report(
      'column-count',
      file,
      line,
      `expected 4 ${format.sep === ',' ? 'columns' : 'fields'} (${columnsText(format.names, format.sep)}), found ${f.length}`,
      raw,
    );
    return null;
  }
  const nul = nulField(f, format.names);
  if (nul) {
    invalid.report('nul-byte', file, line, `${nul} ${NUL_WHY}`, raw);
    return null;
  }
  const user = checkId(f[0]);
  if (failed(user)) {
    invalid.report('bad-user-id', file, line, `${nu} ${quoteValue(f[0])} ${user.why}`, raw);
    return null;
  }
  const movie = checkId(f[1]);
  if (failed(movie)) {
    invalid.report('bad-movie-id', file, line, `${nm} ${quoteValue(f[1])} ${movie.why}`, raw);
    return null;
  }
  const h = parseHalfStars(f[2]);
  if (h === null) {
    invalid.report('bad-rating', file, line, `${nr} ${quoteValue(f[2])} ${RATING_WHY}`, raw);
    return null;
  }
  const t = checkTimestamp(f[3]);
  if (failed(t)) {
    invalid.report('bad-timestamp', file, line, `${nt} ${quoteValue(f[3])} ${t.why}`, raw);
    return null;
  }
  return [user, movie, h, t];
}

function checkHeader(file: string, fields: string[] | null, expected: readonly string[], raw: string): void {
  if (!fields || fields.length !== expected.length || fields.some((f, i) => f !== expected[i])) {
    throw new IngestError(
      `${file}:1: header is ${quoteValue(raw, 120)}; expected ${JSON.stringify(expected.join(','))}`,
      'A MovieLens CSV file starts with exactly this header. Is a column missing, renamed or moved?',
    );
  }
}
export { checkHeader };

/** Push-style parser for a ratings file (any layout): `push` chunks, `end`, then read `columns`. */
export class RatingsReader {
  columns: RatingColumns;
  private readonly chunks = new ChunkJoiner();
  private line = 1;
  private sawHeader: boolean;
  /** Separator bytes: S0 (and S1 for "::"), SL its length. */
  private readonly S0: number;
  private readonly S1: number;
  private readonly SL: number;
  /** Bytes pushed so far (progress). */
  get bytes(): number {
    return this.chunks.bytes;
  }

  constructor(
    private readonly file: string,
    private readonly invalid: InvalidRows,
    /** known[movieId] = 1 for the movies in the movies file; a rating of any other movie is an `unknown-movie` row. */
    private readonly known?: Uint8Array,
    capacityHint = 1 << 16,
    private readonly format: RatingsFormat = CSV_RATINGS,
  ) {
    this.columns = emptyRatings(capacityHint);
    this.sawHeader = format.header === null;
    this.S0 = format.sep.charCodeAt(0);
    this.S1 = format.sep.length > 1 ? format.sep.charCodeAt(1) : -1;
    this.SL = format.sep.length;
  }

  push(chunk: Uint8Array | string): void {
    // Whole lines now; the partial last line waits for the next chunk.
    this.chunks.pushLines(
      chunk,
      () => this.line++,
      (buf, upTo) => this.parse(buf, upTo),
    );
    if (this.chunks.pending > MAX_ROW_BYTES) {
      const raw = this.chunks.head().toString('utf8');
      if (!this.sawHeader) checkHeader(this.file, null, this.format.header!, raw);
      this.chunks.discardLine();
      this.invalid.report('row-too-long', this.file, this.line, ROW_TOO_LONG_WHY, raw);
    }
  }

  end(): RatingColumns {
    const rest = this.chunks.rest();
    if (rest) this.parse(rest, rest.length);
    if (this.format.header && !this.sawHeader) {
      throw new IngestError(
        `${this.file} is empty; expected the header "${this.format.header.join(',')}" and one rating per line`,
        'Check that the file was copied completely.',
      );
    }
    if (!this.format.header && this.chunks.bytes === 0) {
      throw new IngestError(
        `${this.file} is empty; expected one rating per line (${columnsText(this.format.names, this.format.sep)})`,
        'Check that the file was copied or extracted completely.',
      );
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
  // eslint-disable-next-line max-lines-per-function -- the ratings hot loop (~34M rows): its state stays in locals (docs/ingest.md: MB/s figures)
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
      checkHeader(this.file, splitCsvLine(raw), this.format.header!, raw);
      this.sawHeader = true;
      this.line = 2;
      i = next;
    }
    // Each row takes at least 7 bytes ("1\t1\t1\t1\n"): reserve room once per chunk.
    const need = this.columns.length + Math.ceil((end - i) / 7) + 1;
    if (need > this.columns.userId.length) this.grow(need);
    const cols = this.columns;
    const U = cols.userId,
      M = cols.movieId,
      H = cols.halfStars,
      T = cols.timestamp;
    const K = this.known ?? new Uint8Array(0);
    const checkKnown = this.known !== undefined;
    const S0 = this.S0,
      S1 = this.S1,
      SL = this.SL;
    let n = cols.length;
    let line = this.line;
    while (i < end) {
      const ls = i;
      let c = buf[i];
      // userId
      let u = 0;
      let s = i;
      while (c >= 48 && c <= 57) {
        u = u * 10 + (c - 48);
        c = buf[++i];
      }
      if (c === S0 && (SL === 1 || buf[i + 1] === S1) && i !== s && i - s <= 10 && u !== 0 && u <= MAX_ID) {
        // movieId
        i += SL;
        c = buf[i];
        s = i;
        let m = 0;
        while (c >= 48 && c <= 57) {
          m = m * 10 + (c - 48);
          c = buf[++i];
        }
        if (
          c === S0 &&
          (SL === 1 || buf[i + 1] === S1) &&
          i !== s &&
          i - s <= 10 &&
          m !== 0 &&
          m <= MAX_ID &&
          (!checkKnown || K[m] === 1)
        ) {
          // rating: digits [. (0|5) 0*]
          i += SL;
          c = buf[i];
          s = i;
          let r = 0;
          while (c >= 48 && c <= 57) {
            r = r * 10 + (c - 48);
            c = buf[++i];
          }
          let h = r * 2;
          let okR = i !== s && i - s <= 3;
          if (c === 46) {
            c = buf[++i];
            if (c === 53) h++;
            else if (c !== 48) okR = false;
            c = buf[++i];
            while (c === 48) c = buf[++i];
          }
          if (okR && c === S0 && (SL === 1 || buf[i + 1] === S1) && h >= 1 && h <= 10) {
            // timestamp
            i += SL;
            c = buf[i];
            s = i;
            let t = 0;
            while (c >= 48 && c <= 57) {
              t = t * 10 + (c - 48);
              c = buf[++i];
            }
            if (i !== s && i - s <= 11) {
              let ok = false;
              if (c === 10) {
                i++;
                ok = true;
              } else if (c === 13 && buf[i + 1] === 10) {
                i += 2;
                ok = true;
              } else if (i >= end) ok = true; // last line without a line break
              if (ok) {
                U[n] = u;
                M[n] = m;
                H[n] = h;
                T[n] = t;
                n++;
                line++;
                continue;
              }
            }
          }
        }
      }
      // Slow path: the whole line, split into fields and validated field by field.
      let e = buf.indexOf(10, ls);
      if (e < 0 || e >= end) e = end;
      i = e < end ? e + 1 : end;
      let le = e;
      if (le > ls && buf[le - 1] === 13) le--;
      cols.length = n;
      if (le - ls > MAX_ROW_BYTES) {
        this.invalid.report('row-too-long', this.file, line, ROW_TOO_LONG_WHY, buf.toString('utf8', ls, ls + 200));
        line++;
        continue;
      }
      const raw = buf.toString('utf8', ls, le);
      if (raw.trim() === '') {
        line++;
        continue;
      } // blank lines are ignored
      const fields = this.format.sep === ',' ? splitCsvLine(raw) : raw.split(this.format.sep);
      if (!fields) {
        this.invalid.report(
          'unterminated-quote',
          this.file,
          line,
          'malformed quotes (a ratings field may be quoted as a whole: "4.5")',
          raw,
        );
      } else {
        const v = validateRatingFields(fields, this.file, line, raw, this.invalid, this.format);
        if (v && checkKnown && K[v[1]] !== 1) {
          this.invalid.report('unknown-movie', this.file, line, `${this.format.names[1]} ${v[1]} is not in ${this.format.moviesFile}`, raw);
        } else if (v) {
          U[n] = v[0];
          M[n] = v[1];
          H[n] = v[2];
          T[n] = v[3];
          n++;
        }
      }
      line++;
    }
    cols.length = n;
    this.line = line;
  }
}

/**
 * A whole ratings file read into columns (every row checked; the first invalid row is an
 * IngestError naming file:line): what the calibration stats and the benchmarks read a
 * dump's ratings with, through the same parser the ingest uses.
 */
export async function readRatingsFile(file: string, format: RatingsFormat = CSV_RATINGS): Promise<RatingColumns> {
  const r = new RatingsReader(file, new InvalidRows('fail'), undefined, Math.ceil(statSync(file).size / 24), format);
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) r.push(c as Buffer);
  return r.end();
}
