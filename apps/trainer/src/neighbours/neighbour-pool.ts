// Exact neighbour lists of a whole run over worker threads (one per core by default):
// the rows are dealt in chunks to whichever worker is free, so a core slowed by other
// work takes fewer. Each worker runs @cinemap/math's blocked kernel on its chunk; the
// result is the same as one thread's, row for row (the kernel is pure and exact).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { NeighbourLists } from '@cinemap/math';
import { resolveWorkerScript } from '@cinemap/cli';

export interface ListsInit {
  type: 'init';
  matrix: SharedArrayBuffer;
  rows: number;
  dim: number;
  n: number;
}
export interface ListsRange {
  type: 'range';
  from: number;
  to: number;
}
interface ListsDone {
  type: 'lists';
  from: number;
  to: number;
  ids: Int32Array;
  scores: Float64Array;
}

/** Rows per message: small enough to balance two busy cores, large enough that a message per chunk is noise (each worker lays the matrix out once, at init). */
const CHUNK = 2048;

export interface PoolOptions {
  threads?: number;
  /** Called after each chunk with the rows done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Lists for every row of a unit-length row-major matrix (ids are row indices; see @cinemap/math NeighbourLists). */
export async function neighbourListsThreaded(
  matrix: Float32Array,
  rows: number,
  dim: number,
  n: number,
  o: PoolOptions = {},
): Promise<NeighbourLists> {
  const threads = Math.max(1, Math.min(o.threads ?? availableParallelism(), Math.ceil(rows / CHUNK)));
  const shared = new SharedArrayBuffer(rows * dim * 4);
  new Float32Array(shared).set(matrix.subarray(0, rows * dim));
  const out: NeighbourLists = { n, from: 0, to: rows, ids: new Int32Array(rows * n), scores: new Float64Array(rows * n) };
  const script = resolveWorkerScript('apps/trainer', 'neighbours-worker');
  const workers = Array.from({ length: threads }, () => new Worker(script.file, { execArgv: script.execArgv }));
  let next = 0,
    done = 0;
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((ok, fail) => {
            const deal = () => {
              if (next >= rows) return ok();
              const range: ListsRange = { type: 'range', from: next, to: Math.min(rows, next + CHUNK) };
              next = range.to;
              w.postMessage(range);
            };
            w.on('message', (m: { type: string } & Partial<ListsDone>) => {
              if (m.type === 'lists') {
                out.ids.set(m.ids!, m.from! * n);
                out.scores.set(m.scores!, m.from! * n);
                done += m.to! - m.from!;
                o.onProgress?.(done, rows);
              }
              deal();
            });
            w.once('error', fail);
            w.once(
              'exit',
              (code) =>
                (next < rows || done < rows) &&
                fail(new Error(`neighbour lists: a worker exited (code ${code}) before the lists were done`)),
            );
            w.postMessage({ type: 'init', matrix: shared, rows, dim, n } satisfies ListsInit);
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return out;
}
