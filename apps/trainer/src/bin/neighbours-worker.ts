// Worker thread computing exact neighbour lists (bundled to
// dist/apps/trainer/neighbours-worker.js; tests load this source through tsx). It gets
// the unit-length matrix once (a SharedArrayBuffer), then one range of rows per message,
// and answers each with that range's lists (transferred, not copied).
import { parentPort } from 'node:worker_threads';
import { loadNeighbourListKernel, neighbourListsByScan, type NeighbourListKernel } from '@cinemap/math';
import type { ListsInit, ListsRange } from '../neighbours/neighbour-pool';

let init: ListsInit | undefined;
let kernel: NeighbourListKernel | null = null;

parentPort?.on('message', async (msg: ListsInit | ListsRange) => {
  if (msg.type === 'init') {
    init = msg;
    kernel = await loadNeighbourListKernel().catch(() => null);
    parentPort?.postMessage({ type: 'ready', simd: kernel !== null });
    return;
  }
  if (!init) throw new Error('neighbours-worker: range before init');
  const matrix = new Float32Array(init.matrix);
  const o = { from: msg.from, to: msg.to };
  const lists = kernel
    ? kernel.lists(matrix, init.rows, init.dim, init.n, o)
    : neighbourListsByScan(matrix, init.rows, init.dim, init.n, o);
  parentPort?.postMessage({ type: 'lists', from: msg.from, to: msg.to, ids: lists.ids, scores: lists.scores }, [
    lists.ids.buffer as ArrayBuffer,
    lists.scores.buffer as ArrayBuffer,
  ]);
});
