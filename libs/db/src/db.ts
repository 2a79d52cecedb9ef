// The one database API cinemap uses: the same typed surface over embedded PGlite
// (no server; a developer's laptop) and real PostgreSQL + pgvector (DATABASE_URL).
// Apps never write SQL themselves; they call the query modules in ./queries, which
// take a `Queryable` (the database itself, or a transaction).

export type Backend = 'pglite' | 'postgres';

export interface Queryable {
  readonly backend: Backend;
  /** Runs one parameterised statement and returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs one or more statements without parameters (migrations, DDL). */
  exec(sql: string): Promise<void>;
  /**
   * Bulk-loads CSV (RFC 4180, no header) into `table(columns)`. PostgreSQL streams it
   * through COPY FROM STDIN; PGlite copies from an in-process blob (COPY over the
   * wire protocol was broken in pglite-socket 0.1.x, the SQL server used before), chunk by chunk.
   */
  copyFrom(
    table: string,
    columns: readonly string[],
    csv: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  ): Promise<number>;
}

export interface Db extends Queryable {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Subscribes to NOTIFY on `channel`; returns an unsubscribe function. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /** Where the data lives, for messages: a URL without password, or the embedded folder. */
  readonly location: string;
}

export class DbError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(hint ? `${message}\n  ${hint}` : message);
    this.name = 'DbError';
  }
}

/** Escapes one CSV field for COPY ... (FORMAT csv): null → empty unquoted; strings quoted when needed. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return csvField(pgArrayLiteral(v));
  const s = String(v);
  return /[",\n\r]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The CSV text a COPY reads (copyFrom): `line(row, i)` for each row (its text, ending in
 * a newline), handed out about 1 MiB at a time so no load holds its whole input as one string.
 */
export function* csvChunks<T>(rows: Iterable<T>, line: (row: T, i: number) => string): Generator<string> {
  let buf = '',
    i = 0;
  for (const r of rows) {
    buf += line(r, i++);
    if (buf.length > 1 << 20) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

/** A PostgreSQL array literal for text[]/int[]: {"a","b"}. */
/**
 * A keyset-paged read, the one every paged loader uses: `page(after)` reads the rows whose
 * key (`keyOf`) is above `after`, in ascending key order, at most `pageSize` of them; `visit`
 * sees each row in turn. Returns how many rows it visited. So a load leaves one page, not
 * the whole table, to the garbage collector; and each page's rows are emptied once read —
 * left as the driver returns them, the rows of every page (pg 8) survived V8's
 * young-generation collections until the next full one: ~75% of what a paged read
 * allocated was promoted, and the paged loads of an 86k-film run left ~100 MB of
 * old-generation garbage (gateway RSS). Emptied, ~1% survives.
 */
export async function forEachKeyPage<R>(
  pageSize: number,
  page: (after: number) => Promise<R[]>,
  keyOf: (row: R) => number,
  visit: (row: R) => void,
): Promise<number> {
  let after = -2147483648,
    n = 0;
  for (;;) {
    const rows = await page(after);
    for (const r of rows) {
      visit(r);
      n++;
    }
    const last = rows.length < pageSize ? null : keyOf(rows[rows.length - 1]);
    rows.length = 0;
    if (last === null) return n;
    after = last;
  }
}

export function pgArrayLiteral(items: readonly unknown[]): string {
  return `{${items.map((x) => (typeof x === 'number' ? String(x) : `"${String(x).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`;
}

/** A pgvector literal: [1,2,3]. */
export function vectorLiteral(v: ArrayLike<number>): string {
  let s = '[';
  for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + v[i];
  return s + ']';
}

/** Parses a pgvector text value ("[1,2,3]") into a Float32Array. */
export function parseVector(text: string): Float32Array {
  const body = text.trim().replace(/^\[|\]$/g, '');
  if (!body) return new Float32Array(0);
  const parts = body.split(',');
  const out = new Float32Array(parts.length);
  for (let i = 0; i < parts.length; i++) out[i] = Number(parts[i]);
  return out;
}
