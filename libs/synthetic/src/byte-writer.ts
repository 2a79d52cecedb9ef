// A small buffered writer for the generator's hot loop: ASCII digits are
// written straight into a Buffer and flushed with synchronous writes, which is
// several times faster than building a string per CSV line (ratings.csv at
// `latest` is ~34M lines). Sync writes keep the output deterministic and the
// memory bounded by one chunk.
import { closeSync, openSync, writeSync } from 'node:fs';

const CHUNK = 1 << 20;

export class ByteWriter {
  private readonly fd: number;
  private buf = Buffer.allocUnsafe(CHUNK);
  private pos = 0;
  /** Bytes written so far (flushed or not). */
  bytes = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  private ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  flush(): void {
    let off = 0;
    while (off < this.pos) off += writeSync(this.fd, this.buf, off, this.pos - off);
    this.bytes += this.pos;
    this.pos = 0;
  }

  /** Any string, UTF-8 encoded. */
  text(s: string): void {
    const n = Buffer.byteLength(s);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos);
  }

  /** A non-negative integer in decimal. */
  uint(n: number): void {
    this.ensure(11);
    const b = this.buf;
    if (n < 10) {
      b[this.pos++] = 48 + n;
      return;
    }
    let digits = 0;
    for (let x = n; x > 0; x = Math.floor(x / 10)) digits++;
    let p = this.pos + digits - 1;
    for (let x = n; x > 0; x = Math.floor(x / 10)) b[p--] = 48 + (x % 10);
    this.pos += digits;
  }

  /** One byte (an ASCII character code). */
  byte(c: number): void {
    this.ensure(1);
    this.buf[this.pos++] = c;
  }

  /** Raw bytes (pre-encoded constants). */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  /** Closes without caring about errors (used when aborting). */
  abandon(): void {
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}
