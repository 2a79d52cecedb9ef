// The embedded store's folder: created with messages that say what is wrong with it
// (read-only, full, not a folder), and locked so one process at a time opens it.
//
// The lock file names its owner by pid AND process start time (Linux /proc/<pid>/stat,
// plus the boot id and host name), so a pid reused by another process — typically a
// restarted container, where every first process is pid 1 — is recognised as a stale
// lock instead of "already open in this process" or "in use". Within one process, the
// locks it holds are remembered here, so "already open in this process" is known, not
// guessed from a pid. A lock written on another host (another container sharing the
// volume) cannot be checked from here: it is refused with the command that removes it.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync, accessSync, constants } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { DbError } from './db';

export interface LockOwner {
  pid: number;
  /** Start time of the process in clock ticks since boot (/proc/<pid>/stat field 22), when known. */
  start: string | null;
  boot: string | null;
  host: string | null;
  since: string | null;
}

/** Lock files this process holds (absolute paths). */
const held = new Set<string>();

/** An errno (Node's code, or emscripten's number from PGlite's file system) in words. */
export function fsProblem(e: unknown): { code: string; words: string } | null {
  const err = e as { code?: unknown; errno?: unknown; name?: unknown } | null;
  // PGlite's WASM file system throws ErrnoError with emscripten's numbers and no message.
  const EMSCRIPTEN: Record<number, string> = {
    2: 'EACCES',
    19: 'EDQUOT',
    29: 'EIO',
    33: 'EMFILE',
    44: 'ENOENT',
    51: 'ENOSPC',
    54: 'ENOTDIR',
    63: 'EPERM',
    69: 'EROFS',
  };
  const code =
    typeof err?.code === 'string'
      ? err.code
      : err?.name === 'ErrnoError' && typeof err.errno === 'number'
        ? (EMSCRIPTEN[err.errno] ?? `errno ${err.errno}`)
        : null;
  if (!code) return null;
  const WORDS: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'the disk quota is exhausted',
    ENOTDIR: 'a part of the path is a file, not a folder',
    ENOENT: 'a folder on the path does not exist and cannot be created',
    EIO: 'an input/output error from the disk',
    EMFILE: 'too many open files',
    EEXIST: 'a file of that name is in the way',
  };
  return { code, words: WORDS[code] ?? code };
}

/** Text for any thrown value: its message, its errno in words, or its string form (never "undefined"). */
export function errorText(e: unknown): string {
  const p = fsProblem(e);
  const message = (e as { message?: unknown } | null)?.message;
  if (typeof message === 'string' && message) return p && !message.includes(p.code) ? `${message} (${p.words})` : message;
  if (p) return `${p.words} (${p.code})`;
  return String(e);
}

/** The hint for a file-system problem with the store folder. */
export function folderHint(code: string): string {
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return 'Free some space there (a new store needs about 50 MB, more once a dataset is loaded), set CINEMAP_HOME to a folder on another disk, or set DATABASE_URL to use PostgreSQL.';
  return 'Set CINEMAP_HOME to a folder this user can write (for example ~/.cinemap), or set DATABASE_URL to use PostgreSQL.';
}

/**
 * mkdir -p without Node's recursive mkdir (which loops forever where a folder can
 * never be created, e.g. under /proc), then a write check: every failure becomes one
 * message naming the folder, the reason and what to do.
 */
export function prepareFolder(folder: string): void {
  const target = resolve(folder);
  const missing: string[] = [];
  for (let p = target; !existsSync(p); p = dirname(p)) {
    missing.unshift(p);
    if (dirname(p) === p) break;
  }
  try {
    for (const p of missing) mkdirSync(p);
    if (!statSync(target).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    accessSync(target, constants.W_OK);
  } catch (e) {
    const p = fsProblem(e);
    // A read-only file system can also answer ENOENT for a folder it cannot create.
    throw new DbError(
      `Cannot use ${target} for the embedded database: ${p ? p.words : errorText(e)}${process.env.CINEMAP_HOME ? ` (CINEMAP_HOME=${process.env.CINEMAP_HOME})` : ''}.`,
      folderHint(p?.code ?? ''),
    );
  }
}

function readStat(pid: number): string | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is parenthesised and may hold spaces: count fields after the last ')'.
    const after = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return after[19] ?? null; // field 22, starttime
  } catch {
    return null;
  }
}

function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock file's owner: the JSON this module writes, or a bare pid (older cinemap versions). */
export function parseLockOwner(text: string): LockOwner | null {
  const t = text.trim();
  if (/^\d+$/.test(t)) return { pid: Number(t), start: null, boot: null, host: null, since: null };
  try {
    const j = JSON.parse(t) as Partial<LockOwner>;
    if (typeof j.pid === 'number' && Number.isInteger(j.pid) && j.pid > 0)
      return {
        pid: j.pid,
        start: typeof j.start === 'string' ? j.start : null,
        boot: typeof j.boot === 'string' ? j.boot : null,
        host: typeof j.host === 'string' ? j.host : null,
        since: typeof j.since === 'string' ? j.since : null,
      };
  } catch {
    /* not JSON */
  }
  return null;
}

type Verdict = 'stale' | 'held' | 'ours' | 'foreign';

function judge(lockPath: string, owner: LockOwner | null): Verdict {
  if (held.has(lockPath)) return 'ours';
  // Empty or garbled (a process killed while writing it): nobody can hold it.
  if (!owner) return 'stale';
  if (owner.host && owner.host !== hostname()) return 'foreign';
  const boot = bootId();
  if (owner.boot && boot && owner.boot !== boot) return 'stale'; // written before the last reboot
  // This process does not hold it (see `held`), so a lock naming our pid is a reused pid.
  if (owner.pid === process.pid) return 'stale';
  if (!isAlive(owner.pid)) return 'stale';
  const start = readStat(owner.pid);
  if (owner.start && start) return owner.start === start ? 'held' : 'stale';
  // A bare-pid lock (older versions): a process that started after the lock was written
  // cannot be the one that wrote it.
  const startedAt = start ? startedAtMs(start) : null;
  if (startedAt !== null && startedAt > mtimeMs(lockPath) + 2000) return 'stale';
  return 'held'; // alive, and nothing tells us it is another process: assume the owner
}

/** Wall-clock start of a process from its starttime ticks (USER_HZ is 100 on Linux). */
function startedAtMs(ticks: string): number | null {
  try {
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    return btime ? Number(btime[1]) * 1000 + Number(ticks) * 10 : null;
  } catch {
    return null;
  }
}

function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Infinity;
  }
}

function describeOwner(o: LockOwner): string {
  return `process ${o.pid}${o.host ? ` on host ${o.host}` : ''}${o.since ? ` (since ${o.since})` : ''}`;
}

/** Takes the lock on `home` (the store folder) or throws a DbError saying who holds it and what to do; returns release(). */
// eslint-disable-next-line max-lines-per-function -- the lock's acquire, stale-owner and race cases in one reading; split with the next change here
export function acquireStoreLock(lockPath: string, home: string): () => void {
  lockPath = resolve(lockPath);
  for (let attempt = 0; attempt < 3; attempt++) {
    const me: LockOwner = {
      pid: process.pid,
      start: readStat(process.pid),
      boot: bootId(),
      host: hostname(),
      since: new Date().toISOString(),
    };
    const text = JSON.stringify(me);
    let fd: number;
    try {
      fd = openSync(lockPath, 'wx');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        const p = fsProblem(e);
        throw new DbError(`Cannot create the lock file ${lockPath}: ${p ? p.words : errorText(e)}.`, folderHint(p?.code ?? ''));
      }
      let current: string;
      try {
        current = readFileSync(lockPath, 'utf8');
      } catch {
        continue; // removed meanwhile: try again
      }
      const owner = parseLockOwner(current);
      const verdict = judge(lockPath, owner);
      if (verdict === 'ours')
        throw new DbError(
          `The embedded database in ${home} is already open in this process.`,
          'Reuse the open Db instead of opening it twice.',
        );
      if (verdict === 'held')
        throw new DbError(
          `The embedded database in ${home} is in use by ${describeOwner(owner!)}.`,
          `Only one process can open it at a time. Stop that process (often a running gateway: its SQL port ${process.env.CINEMAP_SQL_PORT ?? 5433} serves psql), use another CINEMAP_HOME, or set DATABASE_URL to a PostgreSQL server.`,
        );
      if (verdict === 'foreign')
        throw new DbError(
          `The embedded database in ${home} is locked by ${describeOwner(owner!)}, which cannot be checked from host ${hostname()}.`,
          `If nothing on ${owner!.host} uses it any more (for example that container was removed), delete the lock and run again: rm ${lockPath}. Never open one store from two hosts or containers at once.`,
        );
      // Stale: remove it only if it is still the lock we judged (another opener may have replaced it).
      try {
        if (readFileSync(lockPath, 'utf8') === current) unlinkSync(lockPath);
      } catch {
        /* gone already */
      }
      continue;
    }
    try {
      writeSync(fd, text);
    } catch (e) {
      closeSync(fd);
      try {
        unlinkSync(lockPath);
      } catch {
        /* ignore */
      }
      const p = fsProblem(e);
      throw new DbError(`Cannot write the lock file ${lockPath}: ${p ? p.words : errorText(e)}.`, folderHint(p?.code ?? ''));
    }
    closeSync(fd);
    held.add(lockPath);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      held.delete(lockPath);
      process.off('exit', release);
      try {
        if (readFileSync(lockPath, 'utf8') === text) unlinkSync(lockPath);
      } catch {
        /* already gone */
      }
    };
    process.on('exit', release);
    return release;
  }
  throw new DbError(
    `Could not lock the embedded database in ${home}: the lock file ${lockPath} keeps changing.`,
    'Another process is opening it at the same time; stop it and run again.',
  );
}
