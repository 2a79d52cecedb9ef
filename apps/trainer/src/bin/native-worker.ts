// Worker thread of the native engine (bundled to dist/apps/trainer/native-worker.js;
// tests load this source through tsx). It shares the model with the main thread
// through SharedArrayBuffers and trains the chunks it is given, one epoch per message.
import { parentPort } from 'node:worker_threads';
import { epochViews, runWorkerEpoch, stateFromInit, type EpochViews, type KernelState, type WorkerEpoch, type WorkerInit } from '../engines/native/kernel';

let init: WorkerInit | undefined;
let state: KernelState | undefined;
let views: EpochViews | undefined;

parentPort?.on('message', (msg: WorkerInit | WorkerEpoch) => {
  if (msg.type === 'init') {
    init = msg;
    state = stateFromInit(msg);
    views = epochViews(msg);
    parentPort?.postMessage({ type: 'ready' });
    return;
  }
  if (!init || !state || !views) throw new Error('native-worker: epoch before init');
  parentPort?.postMessage(runWorkerEpoch(init, state, views, msg.epoch));
});
