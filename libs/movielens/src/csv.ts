// A streaming, byte-level RFC 4180 reader for the MovieLens CSVs: quoted fields with
// commas, doubled quotes and line breaks; UTF-8 with or without a BOM; LF or CRLF.
// Records are handed to a callback with the line they start on, so every error can
// name file:line. Fields are decoded only once a record is complete; ASCII fields
// skip the UTF-8 decoder, others go through a fatal one (invalid UTF-8 is an error).
import { InvalidRows } from './errors';
import { MAX_ROW_BYTES, ROW_TOO_LONG_WHY } from './fields';

const QUOTE = 34,
  COMMA = 44,
  LF = 10,
  CR = 13;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface CsvRecord {
  fields: string[];
  /** 1-based line the record starts on. */
  line: number;
  /** The record's text as in the file (for messages). */
  raw(): string;
}

/** Thrown inside field decoding; becomes an `invalid-utf8` row. */
class BadUtf8 extends Error {}

function decode(buf: Buffer, s: number, e: number, high: boolean): string {
  if (!high) return buf.toString('latin1', s, e);
  try {
    return utf8.decode(buf.subarray(s, e));
  } catch {
    throw new BadUtf8();
  }
}

/** Strips a UTF-8 byte order mark from the first chunk of a file. */
export function stripBom(first: Buffer): Buffer {
  return first.length >= 3 && first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf ? first.subarray(3) : first;
}

export function asBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Reassembles a file from pushed chunks for a reader that consumes whole records:
 * joins the unconsumed tail of the last chunk to the next one and strips a UTF-8 BOM
 * (which may itself arrive split over chunks). Shared by every reader. A reader whose
 * pending record grows past MAX_ROW_BYTES reports it and calls `discardLine()`: the
 * bytes up to the next line break are then dropped as they arrive (nothing is kept, so
 * memory stays bounded whatever the input) and `resumed` says a line break was passed.
 */
export class ChunkJoiner {
  private carry: Buffer | null = null;
  /** Chunks without a line break, waiting for one (joined once, so a long row costs linear time). */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private first = true;
  private discarding = false;
  /** Set when discarding ended at a line break (the reader counts that line once: takeResumed). */
  private resumed = false;
  /** Bytes pushed so far (progress). */
  bytes = 0;

  /** The bytes to parse now, or null while nothing new can complete a record. */
  join(chunk: Uint8Array | string): Buffer | null {
    let buf = asBuffer(chunk);
    this.bytes += buf.length;
    if (this.discarding) {
      const lf = buf.indexOf(10);
      if (lf < 0) return null;
      this.discarding = false;
      this.resumed = true;
      buf = buf.subarray(lf + 1);
      if (!buf.length) return null;
    }
    if (!this.first && buf.indexOf(10) < 0 && buf.indexOf(13) < 0) {
      // No record can end in this chunk: keep it aside instead of re-joining and re-parsing.
      this.parts.push(buf);
      this.partsBytes += buf.length;
      return null;
    }
    if (this.carry || this.parts.length) {
      buf = Buffer.concat([...(this.carry ? [this.carry] : []), ...this.parts, buf]);
      this.parts = [];
      this.partsBytes = 0;
    }
    this.carry = null;
    if (this.first) {
      if (buf.length < 3) {
        this.carry = buf;
        return null;
      }
      buf = stripBom(buf);
      this.first = false;
    }
    return buf;
  }

  /** 1 when a discarded row ended at a line break since the last call (the reader counts that line), else 0. */
  takeResumed(): number {
    const n = this.resumed ? 1 : 0;
    this.resumed = false;
    return n;
  }

  /**
   * For readers of one record per line: joins `chunk`, counts a discarded row's line
   * (`countLine`, before any parsing), hands the whole lines to `parse(buf, upTo)` and
   * keeps the partial last line for the next chunk.
   */
  pushLines(chunk: Uint8Array | string, countLine: () => void, parse: (buf: Buffer, upTo: number) => void): void {
    const buf = this.join(chunk);
    if (this.takeResumed()) countLine();
    if (!buf) return;
    const upTo = buf.lastIndexOf(10) + 1;
    if (upTo > 0) parse(buf, upTo);
    this.keep(buf, upTo);
  }

  /** Keeps buf[from..] to be joined to the next chunk. */
  keep(buf: Buffer, from: number): void {
    this.carry = from < buf.length ? Buffer.from(buf.subarray(from)) : null;
  }

  /** Bytes waiting for the rest of their record. */
  get pending(): number {
    return (this.carry?.length ?? 0) + this.partsBytes;
  }

  /** The first bytes waiting (for a message). */
  head(n = 200): Buffer {
    const all = [...(this.carry ? [this.carry] : []), ...this.parts];
    const out: Buffer[] = [];
    let have = 0;
    for (const b of all) {
      if (have >= n) break;
      out.push(b.subarray(0, n - have));
      have += Math.min(b.length, n - have);
    }
    return Buffer.concat(out);
  }

  /** Line breaks among the bytes waiting (a quoted field may hold some). */
  pendingLines(): number {
    let n = 0;
    for (const b of [...(this.carry ? [this.carry] : []), ...this.parts]) n += countLf(b, 0, b.length);
    return n;
  }

  /** Drops what is pending and every byte up to the next line break. */
  discardLine(): void {
    this.carry = null;
    this.parts = [];
    this.partsBytes = 0;
    this.discarding = true;
  }

  /** What is left at the end of the file (the last record without a newline), once. */
  rest(): Buffer | null {
    const c = this.carry || this.parts.length ? Buffer.concat([...(this.carry ? [this.carry] : []), ...this.parts]) : null;
    this.carry = null;
    this.parts = [];
    this.partsBytes = 0;
    return c && c.length ? c : null;
  }
}

/** Line breaks in buf[from, to). */
export function countLf(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(10, from); i >= 0 && i < to; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * Push-style CSV reader: `push` chunks, then `end`. Complete records go to `onRecord`;
 * malformed ones (unterminated quote, text after a closing quote, invalid UTF-8) go to
 * `invalid` (which throws under --on-invalid fail).
 */
export class CsvReader {
  private readonly chunks = new ChunkJoiner();
  private line = 1;
  /** Bytes consumed so far (for progress). */
  get bytes(): number {
    return this.chunks.bytes;
  }

  constructor(
    private readonly file: string,
    private readonly invalid: InvalidRows,
    private readonly onRecord: (rec: CsvRecord) => void,
  ) {}

  push(chunk: Uint8Array | string): void {
    const buf = this.chunks.join(chunk);
    this.line += this.chunks.takeResumed();
    if (buf) this.chunks.keep(buf, this.parse(buf, false));
    if (this.chunks.pending > MAX_ROW_BYTES) {
      // A record still open after MAX_ROW_BYTES: report it, then skip to the next line.
      const line = this.line;
      const head = this.chunks.head().toString('utf8');
      this.line += this.chunks.pendingLines();
      this.chunks.discardLine();
      this.invalid.report('row-too-long', this.file, line, ROW_TOO_LONG_WHY, head);
    }
  }

  end(): void {
    const rest = this.chunks.rest();
    if (rest) this.parse(rest, true);
  }

  /** Parses whole records from `buf`; returns the offset of the first unconsumed byte. */
  // eslint-disable-next-line max-lines-per-function -- the RFC 4180 byte loop: its state stays in locals (docs/ingest.md: MB/s figures)
  private parse(buf: Buffer, eof: boolean): number {
    const n = buf.length;
    let p = 0;
    while (p < n) {
      const start = p;
      const startLine = this.line;
      let lines = 0;
      const fields: string[] = [];
      let ok = true;
      let problem: 'unterminated-quote' | 'bad-quote' | null = null;
      let badUtf8 = false;
      // One record.
      for (;;) {
        if (p < n && buf[p] === QUOTE) {
          // Quoted field: segments between doubled quotes.
          let q = p + 1;
          let text = '';
          let closed = false;
          for (;;) {
            const k = buf.indexOf(QUOTE, q);
            if (k < 0) break;
            if (k + 1 >= n && !eof) break; // is it "" or the end? need the next byte
            for (let j = q; j < k; j++) if (buf[j] === LF) lines++;
            let high = false;
            for (let j = q; j < k; j++)
              if (buf[j] >= 0x80) {
                high = true;
                break;
              }
            try {
              text += decode(buf, q, k, high);
            } catch {
              badUtf8 = true;
            }
            if (buf[k + 1] === QUOTE) {
              text += '"';
              q = k + 2;
              continue;
            }
            p = k + 1;
            closed = true;
            break;
          }
          if (!closed) {
            if (!eof) return start; // wait for more bytes
            problem = 'unterminated-quote';
            p = n;
            ok = false;
            break;
          }
          fields.push(text);
          if (p < n && buf[p] !== COMMA && buf[p] !== LF && !(buf[p] === CR && (p + 1 >= n || buf[p + 1] === LF))) {
            // Text after the closing quote: skip to the end of the line.
            problem = 'bad-quote';
            ok = false;
            while (p < n && buf[p] !== LF) p++;
            if (p >= n && !eof) return start;
            break;
          }
        } else {
          const s = p;
          let hi = 0;
          while (p < n) {
            const c = buf[p];
            if (c === COMMA || c === LF || c === CR) break;
            hi |= c;
            p++;
          }
          if (p >= n && !eof) return start;
          let e = p;
          if (p < n && buf[p] === CR && p + 1 < n && buf[p + 1] !== LF) {
            // A lone CR inside a field: keep it, go on to the real end of the field.
            p++;
            while (p < n && buf[p] !== COMMA && buf[p] !== LF) {
              hi |= buf[p];
              p++;
            }
            if (p >= n && !eof) return start;
            e = p > s && buf[p - 1] === CR && buf[p] === LF ? p - 1 : p;
          }
          try {
            fields.push(decode(buf, s, e, hi >= 0x80));
          } catch {
            badUtf8 = true;
            fields.push('');
          }
        }
        // After a field: comma → next field; CR LF / LF / EOF → end of record.
        if (p >= n) {
          if (!eof) return start;
          break;
        }
        const c = buf[p];
        if (c === COMMA) {
          p++;
          if (p >= n && !eof) return start;
          if (p >= n) {
            fields.push('');
            break;
          }
          continue;
        }
        if (c === CR) {
          if (p + 1 >= n && !eof) return start;
          p += p + 1 < n && buf[p + 1] === LF ? 2 : 1;
          break;
        }
        if (c === LF) {
          p++;
          break;
        }
      }
      // Count the record's own line break(s).
      this.line += lines + (p > start && buf[p - 1] === LF ? 1 : 0);
      if (p - start === 0) break;
      const end = p;
      const raw = () => buf.toString('utf8', start, Math.min(end, start + 1000)).replace(/\r?\n$/, '');
      if (end - start > MAX_ROW_BYTES) {
        this.invalid.report('row-too-long', this.file, startLine, ROW_TOO_LONG_WHY, raw());
        continue;
      }
      if (!ok && problem) {
        this.invalid.report(
          'unterminated-quote',
          this.file,
          startLine,
          problem === 'unterminated-quote'
            ? 'a quoted field is never closed (a " without its closing ")'
            : 'text follows a closing quote; inside a quoted field, write a quote as ""',
          raw(),
        );
        continue;
      }
      if (badUtf8) {
        this.invalid.report(
          'invalid-utf8',
          this.file,
          startLine,
          'the row is not valid UTF-8 (MovieLens files are UTF-8; re-save the file as UTF-8)',
          raw(),
        );
        continue;
      }
      this.onRecord({ fields, line: startLine, raw });
    }
    return p;
  }
}

/** Splits one line of CSV (no line breaks inside) into fields; null when its quotes are malformed. */
export function splitCsvLine(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    if (line[i] === '"') {
      let s = '';
      i++;
      for (;;) {
        const k = line.indexOf('"', i);
        if (k < 0) return null;
        s += line.slice(i, k);
        if (line[k + 1] === '"') {
          s += '"';
          i = k + 2;
          continue;
        }
        i = k + 1;
        break;
      }
      out.push(s);
      if (i < n && line[i] !== ',') return null;
    } else {
      const k = line.indexOf(',', i);
      const e = k < 0 ? n : k;
      out.push(line.slice(i, e));
      i = e;
    }
    if (i >= n) return out;
    i++; // the comma
    if (i >= n) {
      out.push('');
      return out;
    }
  }
}
