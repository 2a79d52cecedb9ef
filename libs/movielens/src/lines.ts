// A streaming line reader for the files without quoting (movies.dat, tags.dat, u.item,
// u.genre): LF or CRLF, a BOM stripped, blank lines skipped, each line decoded in the
// layout's encoding (UTF-8, where invalid bytes are an `invalid-utf8` row, or Latin-1,
// where every byte is a character) and handed on with its line number. Rows longer
// than MAX_ROW_BYTES are refused and skipped without being kept.
import { ChunkJoiner } from './csv';
import { InvalidRows } from './errors';
import { MAX_ROW_BYTES, ROW_TOO_LONG_WHY } from './fields';
import type { TextEncoding } from './layouts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class LineReader {
  private readonly chunks = new ChunkJoiner();
  private line = 1;
  get bytes(): number {
    return this.chunks.bytes;
  }

  constructor(
    private readonly file: string,
    private readonly encoding: TextEncoding,
    private readonly invalid: InvalidRows,
    private readonly onLine: (text: string, line: number) => void,
  ) {}

  push(chunk: Uint8Array | string): void {
    this.chunks.pushLines(
      chunk,
      () => this.line++,
      (buf, upTo) => this.parse(buf, upTo),
    );
    if (this.chunks.pending > MAX_ROW_BYTES) {
      const raw = this.chunks.head().toString('latin1');
      this.chunks.discardLine();
      this.invalid.report('row-too-long', this.file, this.line, ROW_TOO_LONG_WHY, raw);
    }
  }

  end(): void {
    const rest = this.chunks.rest();
    if (rest) this.parse(rest, rest.length);
  }

  private parse(buf: Buffer, end: number): void {
    let i = 0;
    while (i < end) {
      let e = buf.indexOf(10, i);
      if (e < 0 || e >= end) e = end;
      const next = e < end ? e + 1 : end;
      let le = e;
      if (le > i && buf[le - 1] === 13) le--;
      const line = this.line++;
      const s = i;
      i = next;
      if (le - s > MAX_ROW_BYTES) {
        this.invalid.report('row-too-long', this.file, line, ROW_TOO_LONG_WHY, buf.toString('latin1', s, s + 200));
        continue;
      }
      let text: string;
      if (this.encoding === 'latin1') text = buf.toString('latin1', s, le);
      else {
        let high = false;
        for (let j = s; j < le; j++)
          if (buf[j] >= 0x80) {
            high = true;
            break;
          }
        if (!high) text = buf.toString('latin1', s, le);
        else {
          try {
            text = utf8.decode(buf.subarray(s, le));
          } catch {
            this.invalid.report(
              'invalid-utf8',
              this.file,
              line,
              `the row is not valid UTF-8 (this file is UTF-8; re-save it as UTF-8)`,
              buf.toString('latin1', s, le),
            );
            continue;
          }
        }
      }
      if (text.trim() === '') continue;
      this.onLine(text, line);
    }
  }
}
