// Worker thread computing exact neighbour lists (bundled to
// dist/apps/trainer/neighbours-worker.js; tests load this source through tsx). It gets
// the unit-length matrix once (a SharedArrayBuffer; the kernel lays it out once), then one
// range of rows per message, and answers each with that range's lists (transferred, not copied).
import { parentPort } from 'node:worker_threads';
import { loadNeighbourListKernel, neighbourListsByScan, type PreparedMatrix } from '@cinemap/math';
import type { ListsInit, ListsRange } from '../neighbours/neighbour-pool';

let init: ListsInit | undefined;
let matrix: Float32Array | undefined;
let prepared: PreparedMatrix | null = null;

parentPort?.on('message', async (msg: ListsInit | ListsRange) => {
  if (msg.type === 'init') {
    init = msg;
    matrix = new Float32Array(msg.matrix);
    const kernel = await loadNeighbourListKernel().catch(() => null);
    prepared = kernel?.prepare(matrix, msg.rows, msg.dim) ?? null;
    parentPort?.postMessage({ type: 'ready', simd: kernel !== null });
    return;
  }
  if (!init || !matrix) throw new Error('neighbours-worker: range before init');
  const o = { from: msg.from, to: msg.to };
  const lists = prepared ? prepared.lists(init.n, o) : neighbourListsByScan(matrix, init.rows, init.dim, init.n, o);
  parentPort?.postMessage({ type: 'lists', from: msg.from, to: msg.to, ids: lists.ids, scores: lists.scores }, [
    lists.ids.buffer as ArrayBuffer,
    lists.scores.buffer as ArrayBuffer,
  ]);
});
