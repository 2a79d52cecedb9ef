// Embedded backend: PGlite (Postgres 17 in WASM, pgvector + pg_trgm bundled) stored
// in a folder. One process at a time may open a folder: a lock file holding the
// owner's pid turns a second opener into a clear error instead of a corrupted store.
import { mkdirSync, openSync, closeSync, writeSync, readFileSync, unlinkSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PGlite as PGliteT, Transaction } from '@electric-sql/pglite';
import { Db, DbError, Queryable } from './db';

const COPY_CHUNK_BYTES = 32 * 1024 * 1024;
// int8 and numeric come back as JS numbers on both backends (ids stay far below 2^53).
const parsers = { 20: (v: string) => Number(v), 1700: (v: string) => Number(v) };

export interface PgliteOptions {
  /** Folder for the data; `memory://` keeps it in memory (tests). */
  dataDir: string;
}

export async function openPglite(opts: PgliteOptions): Promise<Db & { pglite: PGliteT }> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { vector } = await import('@electric-sql/pglite/vector');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const inMemory = opts.dataDir.startsWith('memory://');
  let release = () => {};
  let dataDir = opts.dataDir;
  if (!inMemory) {
    const home = resolve(opts.dataDir);
    mkdirSync(home, { recursive: true });
    release = acquireLock(join(home, 'pgdata.lock'), home);
    dataDir = join(home, 'pgdata');
  }
  let pg: PGliteT;
  try {
    pg = new PGlite(dataDir, { extensions: { vector, pg_trgm }, parsers });
    await pg.waitReady;
  } catch (e) {
    release();
    throw new DbError(`Could not open the embedded database in ${opts.dataDir}: ${(e as Error).message}`, 'If the folder is damaged, move it away (or delete it) and run again; DATABASE_URL selects a real PostgreSQL instead.');
  }
  const wrap = (q: PGliteT | Transaction): Queryable => ({
    backend: 'pglite',
    async query<T>(sql: string, params?: unknown[]) {
      return (await q.query<T>(sql, params as unknown[])).rows;
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
    async copyFrom(table, columns, csv) {
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
    },
  });
  const base = wrap(pg);
  return {
    ...base,
    pglite: pg,
    location: inMemory ? 'memory' : resolve(opts.dataDir),
    async transaction(fn) {
      return pg.transaction((tx) => fn(wrap(tx)));
    },
    async listen(channel, onNotify) {
      const unsub = await pg.listen(channel, onNotify);
      return async () => {
        await unsub();
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

function acquireLock(lockPath: string, home: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        try {
          if (readFileSync(lockPath, 'utf8') === String(process.pid)) unlinkSync(lockPath);
        } catch {
          /* already gone */
        }
      };
      process.on('exit', release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(readFileSync(lockPath, 'utf8').trim());
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new DbError(
          `The embedded database in ${home} is in use by process ${owner}.`,
          `Only one process can open it at a time. Stop that process (often a running gateway: its SQL port ${process.env.CINEMAP_SQL_PORT ?? 5433} serves psql), use another CINEMAP_HOME, or set DATABASE_URL to a PostgreSQL server.`,
        );
      }
      if (owner === process.pid) {
        throw new DbError(`The embedded database in ${home} is already open in this process.`, 'Reuse the open Db instead of opening it twice.');
      }
      // The owner died without cleaning up (SIGKILL): the lock is stale.
      if (existsSync(lockPath)) unlinkSync(lockPath);
    }
  }
  throw new DbError(`Could not lock the embedded database in ${home}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
