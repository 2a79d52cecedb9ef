// Worker thread of the native engine (bundled to dist/apps/trainer/native-worker.js;
// tests load this source through tsx). It shares the model with the main thread
// through SharedArrayBuffers and trains the chunks it is given, one epoch per message.
import { parentPort } from 'node:worker_threads';
import {
  epochViews,
  rangeTrainer,
  runWorkerEpoch,
  stateFromInit,
  type EpochViews,
  type RangeTrainer,
  type WorkerEpoch,
  type WorkerInit,
} from '../engines/native/kernel';

let init: WorkerInit | undefined;
let train: RangeTrainer | undefined;
let views: EpochViews | undefined;

parentPort?.on('message', (msg: WorkerInit | WorkerEpoch) => {
  if (msg.type === 'init') {
    init = msg;
    train = rangeTrainer(msg, stateFromInit(msg));
    views = epochViews(msg);
    parentPort?.postMessage({ type: 'ready' });
    return;
  }
  if (!init || !train || !views) throw new Error('native-worker: epoch before init');
  parentPort?.postMessage(runWorkerEpoch(init, train, views, msg.epoch));
});
