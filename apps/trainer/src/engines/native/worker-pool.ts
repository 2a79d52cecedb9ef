// The native engine's worker threads: each is given the shared arena once (init), then
// trains the chunks dealt to it for one epoch per message and answers with its loss
// sums. The worker script is the bundle beside the running bundle, or the TypeScript
// source through tsx where tests run sources.
import { Worker } from 'node:worker_threads';
import { resolveWorkerScript } from '@cinemap/cli';
import type { WorkerDone, WorkerInit } from './kernel';

/** Threads training one model: started with the arena, one epoch at a time. */
export class WorkerPool {
  private constructor(private readonly workers: Worker[]) {}

  /** Starts `threads` workers and hands each the arena; rejects (all stopped) if one fails. */
  static async start(init: WorkerInit, threads: number): Promise<WorkerPool> {
    return new WorkerPool(await startWorkers(init, threads));
  }

  get size(): number {
    return this.workers.length;
  }

  /** Trains `epoch` on every worker (each its dealt chunks); `tick` runs every 200 ms meanwhile. */
  async runEpoch(epoch: number, tick: () => void): Promise<{ sumSq: number; count: number }> {
    const timer = setInterval(tick, 200);
    try {
      const done = await Promise.all(this.workers.map((w) => runEpochOn(w, epoch)));
      return { sumSq: done.reduce((a, d) => a + d.sumSq, 0), count: done.reduce((a, d) => a + d.count, 0) };
    } finally {
      clearInterval(timer);
    }
  }

  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

async function startWorkers(init: WorkerInit, threads: number): Promise<Worker[]> {
  const script = resolveWorkerScript('apps/trainer', 'native-worker');
  const workers: Worker[] = [];
  try {
    for (let w = 0; w < threads; w++) {
      const worker = new Worker(script.file, { execArgv: script.execArgv });
      workers.push(worker);
      await new Promise<void>((res, rej) => {
        const onMsg = (m: { type: string }) => {
          if (m.type === 'ready') {
            worker.off('error', rej);
            worker.off('message', onMsg);
            res();
          }
        };
        worker.on('message', onMsg);
        worker.once('error', rej);
        worker.postMessage({ ...init, workerIndex: w });
      });
    }
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw new Error(`native engine: could not start worker threads (${(e as Error).message}). Try --threads 1.`);
  }
  return workers;
}

function runEpochOn(worker: Worker, epoch: number): Promise<WorkerDone> {
  return new Promise((res, rej) => {
    const onMsg = (m: WorkerDone) => {
      if (m.type === 'done' && m.epoch === epoch) {
        worker.off('message', onMsg);
        worker.off('error', onErr);
        worker.off('exit', onExit);
        res(m);
      }
    };
    const onErr = (e: Error) => rej(e);
    const onExit = (code: number) => rej(new Error(`native worker exited (code ${code}) during epoch ${epoch + 1}`));
    worker.on('message', onMsg);
    worker.once('error', onErr);
    worker.once('exit', onExit);
    worker.postMessage({ type: 'epoch', epoch });
  });
}
