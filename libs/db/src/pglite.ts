// Embedded backend: PGlite (Postgres 17 in WASM, pgvector + pg_trgm bundled) stored
// in a folder. One process at a time may open a folder: a lock file naming the owner
// (pid + process start time, store-lock.ts) turns a second opener into a clear error
// instead of a corrupted store.
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PGlite as PGliteT, Transaction } from '@electric-sql/pglite';
import { Db, DbError, Queryable } from './db';
import { acquireStoreLock, errorText, folderHint, fsProblem, prepareFolder } from './store-lock';
import { SessionArbiter } from './pglite-session';

const COPY_CHUNK_BYTES = 32 * 1024 * 1024;
// int8 and numeric come back as JS numbers on both backends (ids stay far below 2^53).
const parsers = { 20: (v: string) => Number(v), 1700: (v: string) => Number(v) };
/**
 * The embedded engine's buffer cache. PostgreSQL's default (128 MB) lives in PGlite's
 * WebAssembly heap, which never shrinks: once the gateway's snapshot load has read a run's
 * lists through it, all of it stays resident. The store's pages are files the OS caches,
 * and the gateway serves from its snapshot: at 32 MB the 86k serving process took 715 MB
 * instead of 818-830 (before the serving runtime, @cinemap/cli, took another ~120 MB off),
 * its lists load as fast (5.0 s against 4.7-5.4), while ad-hoc HNSW
 * queries in the embedded store take 6.9 ms instead of 4.5-4.8 and the bench's HNSW builds
 * ~7% longer (docs/BENCHMARKS.md, issue 19 ninth round). Analysts with big catalogues
 * belong on PostgreSQL, where shared_buffers is the server's own setting.
 */
export const PGLITE_SHARED_BUFFERS = '32MB';

export interface PgliteOptions {
  /** Folder for the data; `memory://` keeps it in memory (tests). */
  dataDir: string;
}

// eslint-disable-next-line max-lines-per-function -- builds one Db whose methods close over the embedded store and its session
export async function openPglite(opts: PgliteOptions): Promise<Db & { pglite: PGliteT; session: SessionArbiter }> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { vector } = await import('@electric-sql/pglite/vector');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const inMemory = opts.dataDir.startsWith('memory://');
  let release = () => {};
  let dataDir = opts.dataDir;
  let creating = false;
  if (!inMemory) {
    const home = resolve(opts.dataDir);
    prepareFolder(home);
    release = acquireStoreLock(join(home, 'pgdata.lock'), home);
    dataDir = join(home, 'pgdata');
    creating = !existsSync(dataDir);
  }
  let pg: PGliteT;
  try {
    pg = new PGlite(dataDir, {
      extensions: { vector, pg_trgm },
      parsers,
      startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
    });
    await pg.waitReady;
  } catch (e) {
    // A store that failed while being created (full disk, read-only) is half-written:
    // remove it, so the next run starts clean instead of finding a damaged folder.
    if (creating) rmSync(dataDir, { recursive: true, force: true });
    release();
    const p = fsProblem(e);
    throw new DbError(
      `Could not ${creating ? 'create' : 'open'} the embedded database in ${opts.dataDir}: ${errorText(e)}.`,
      p
        ? folderHint(p.code)
        : 'If the folder is damaged, move it away (or delete it) and run again; DATABASE_URL selects a real PostgreSQL instead.',
    );
  }
  // Every statement of this process takes its turn on the one session (psql clients served
  // on the SQL port take theirs: pglite-session.ts); statements inside a transaction
  // already run in the transaction's turn.
  const session = new SessionArbiter(pg);
  const wrap = (q: PGliteT | Transaction, turn: <T>(fn: () => Promise<T>) => Promise<T>): Queryable => ({
    backend: 'pglite',
    async query<T>(sql: string, params?: unknown[]) {
      return turn(async () => (await q.query<T>(sql, params as unknown[])).rows);
    },
    async exec(sql: string) {
      await turn(() => q.exec(sql));
    },
    copyFrom: (table, columns, csv) => turn(() => copyInto(q, table, columns, csv)),
  });
  // COPY from an in-process blob, in chunks cut at row boundaries.
  const copyInto = async (
    q: PGliteT | Transaction,
    table: string,
    columns: readonly string[],
    csv: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  ): Promise<number> => {
    const stmt = `COPY ${table} (${columns.join(', ')}) FROM '/dev/blob' WITH (FORMAT csv)`;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let total = 0;
    const enc = new TextEncoder();
    const flush = async (upTo: Uint8Array[]) => {
      if (!upTo.length) return;
      const r = await q.query(stmt, [], { blob: new Blob(upTo as BlobPart[]) });
      total += r.affectedRows ?? 0;
    };
    for await (const part of csv as AsyncIterable<Uint8Array | string>) {
      const bytes = typeof part === 'string' ? enc.encode(part) : part;
      if (!bytes.length) continue;
      pending.push(bytes);
      pendingBytes += bytes.length;
      if (pendingBytes >= COPY_CHUNK_BYTES) {
        // Cut at the last newline so no row is split between two COPY calls.
        const last = pending[pending.length - 1];
        const nl = last.lastIndexOf(10);
        if (nl < 0) continue;
        const head = [...pending.slice(0, -1), last.subarray(0, nl + 1)];
        const tail = last.subarray(nl + 1);
        await flush(head);
        pending = tail.length ? [tail] : [];
        pendingBytes = tail.length;
      }
    }
    await flush(pending);
    return total;
  };
  const inTurn = <T>(fn: () => Promise<T>) => session.app(fn);
  const inTransaction = <T>(fn: () => Promise<T>) => fn();
  const base = wrap(pg, inTurn);
  await session.init();
  return {
    ...base,
    pglite: pg,
    session,
    location: inMemory ? 'memory' : resolve(opts.dataDir),
    async transaction(fn) {
      return session.app(() => pg.transaction((tx) => fn(wrap(tx, inTransaction))));
    },
    async listen(channel, onNotify) {
      const unsub = await session.app(() => pg.listen(channel, onNotify));
      session.addAppListener(channel, onNotify);
      return async () => {
        session.removeAppListener(channel, onNotify);
        await session.app(() => unsub());
      };
    },
    async close() {
      try {
        if (!pg.closed) await pg.close();
      } finally {
        release();
      }
    },
  };
}
