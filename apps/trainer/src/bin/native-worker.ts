// Worker thread of the native engine (bundled to dist/apps/trainer/native-worker.js;
// tests load this source through tsx). It shares the model with the main thread
// through SharedArrayBuffers and trains the chunks it is given, one epoch per message.
import { parentPort } from 'node:worker_threads';
import { runWorkerEpoch, stateFromInit, type KernelState, type WorkerEpoch, type WorkerInit } from '../engines/native/kernel';

let init: WorkerInit | undefined;
let state: KernelState | undefined;
let order: Int32Array | undefined;
let progress: Int32Array | undefined;

parentPort?.on('message', (msg: WorkerInit | WorkerEpoch) => {
  if (msg.type === 'init') {
    init = msg;
    state = stateFromInit(msg);
    order = new Int32Array(msg.buffers.chunkOrder);
    progress = new Int32Array(msg.buffers.progress);
    parentPort?.postMessage({ type: 'ready' });
    return;
  }
  if (!init || !state || !order || !progress) throw new Error('native-worker: epoch before init');
  parentPort?.postMessage(runWorkerEpoch(init, state, order, progress, msg.epoch));
});
