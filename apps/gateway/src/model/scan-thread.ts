// The gateway's scan thread: the exact scans that no precomputed list answers — moods
// (similarToMany) above all, each a screened pass over every film of the basis (0.3 ms at
// 86k x 100) — run on a worker thread, so the event loop only posts the query and goes on
// answering the other requests. The worker reads the very memory the snapshot holds (the
// scan kernel's shared WebAssembly memory, its own lane of scratch: DotScanKernel.attach),
// so nothing is copied and the answer is the same, bit for bit, as the scan run here.
//
// Whatever the thread cannot do is done here, at once and the same way: before it is up
// (it starts on the first scan, and that scan does not wait for it), after it failed to
// start or died (logged once; what it held is scanned again here, so no request is lost),
// for an index it was told to forget (a swapped-out snapshot's), and after close.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Logger } from 'pino';
import { resolveWorkerScript } from '@cinemap/cli';
import type { DotScanIndex, DotScanKernel, SharedDotScanIndex, TopKResult } from '@cinemap/math';

/** Main → worker: the compiled kernel, once. */
export interface ScanInit {
  type: 'init';
  scan: WebAssembly.Module;
  relaxed: WebAssembly.Module | null;
  /** Where the worker answers (its other end is read by the event loop, also synchronously: see `harvest`). */
  replies: MessagePort;
}
/** Main → worker: an index to read (lane 1 of its memory), under `id`. */
export interface ScanAttach {
  type: 'attach';
  id: number;
  shared: SharedDotScanIndex;
}
/** Main → worker: index `id` is no longer used (its snapshot was swapped out). */
export interface ScanForget {
  type: 'forget';
  id: number;
}
/** Main → worker: `topKOfRowsScreened(query, k, rows, { exclude })` on index `id`. */
export interface ScanAsk {
  type: 'scan';
  seq: number;
  id: number;
  query: Float64Array;
  k: number;
  /** Row numbers, ascending (a SharedArrayBuffer's view: posted without a copy). */
  rows: Int32Array;
  exclude: number[];
}
export type ScanMessage = ScanInit | ScanAttach | ScanForget | ScanAsk;
/** Worker → main. `unknown`: the index was forgotten (or never attached); the caller scans here. */
export type ScanReply =
  | { type: 'ready' }
  | { type: 'found'; seq: number; indices: Int32Array; scores: Float64Array }
  | { type: 'unknown'; seq: number }
  | { type: 'failed'; seq: number; message: string };

/** Where the scans ran (the bench's and the metrics' view of the thread). */
export interface ScanThreadUse {
  /** on the scan thread */
  thread: number;
  /** here, on the event loop (thread not up, failed, or the index forgotten) */
  here: number;
}

const FORGOTTEN = -1;

interface Pending {
  resolve: (r: TopKResult) => void;
  reject: (e: Error) => void;
  /** The same scan, here. */
  here: () => TopKResult;
}

export class ScanThread {
  private worker: Worker | null = null;
  private replies: MessagePort | null = null;
  private harvestQueued = false;
  private state: 'idle' | 'starting' | 'up' | 'down' | 'closed' = 'idle';
  /** Index → its id on the thread; FORGOTTEN once `forget` was called (its later scans run here). */
  private readonly ids = new WeakMap<DotScanIndex, number>();
  private nextId = 1;
  private nextSeq = 1;
  private readonly pending = new Map<number, Pending>();
  /** Settles when the thread leaves 'starting': true once up, false when it went down or was closed first. */
  private started: Promise<boolean> | null = null;
  private settleStarted: (up: boolean) => void = () => {};
  readonly use: ScanThreadUse = { thread: 0, here: 0 };

  constructor(
    private readonly kernel: DotScanKernel,
    private readonly log: Logger,
    /** Worker script (tests); default: the gateway's bin/scan-worker bundle or source. */
    private readonly script = () => resolveWorkerScript('apps/gateway', 'scan-worker'),
  ) {}

  /** Lanes an index needs to be scanned here and on the thread. */
  static readonly LANES = 2;

  /** Whether scans go to the thread now (false: starting, down or closed — they run here). */
  get up(): boolean {
    return this.state === 'up';
  }

  /** Resolves once the thread is up (or has failed to come up: then false). Starts it if idle. */
  ready(): Promise<boolean> {
    this.start();
    return this.started ?? Promise.resolve(this.state === 'up');
  }

  /**
   * `index.topKOfRowsScreened(query, k, rows, { exclude })`, on the thread when it is up,
   * else here, now. `index` must have `ScanThread.LANES` lanes and its screen prepared;
   * `rows` should be a SharedArrayBuffer's view (an ordinary one is copied on posting).
   */
  topK(index: DotScanIndex, query: Float64Array, k: number, rows: Int32Array, exclude: Set<number>): Promise<TopKResult> {
    const here = () => index.topKOfRowsScreened(query, k, rows, { exclude });
    let id = this.ids.get(index);
    if (this.state !== 'up' || id === FORGOTTEN) {
      this.start();
      this.use.here++;
      return Promise.resolve(here());
    }
    const worker = this.worker!;
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(index, id);
      worker.postMessage({ type: 'attach', id, shared: index.share() } satisfies ScanAttach);
    }
    const seq = this.nextSeq++;
    this.queueHarvest();
    return new Promise<TopKResult>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject, here });
      worker.postMessage({ type: 'scan', seq, id, query, k, rows, exclude: [...exclude] } satisfies ScanAsk);
    });
  }

  /** The thread drops `index` (a swapped-out snapshot's): later scans of it run here. */
  forget(index: DotScanIndex): void {
    const id = this.ids.get(index);
    this.ids.set(index, FORGOTTEN);
    if (id === undefined || id === FORGOTTEN) return;
    if (this.state === 'up') this.worker!.postMessage({ type: 'forget', id } satisfies ScanForget);
  }

  /**
   * Answers already waiting on the reply port, taken now rather than on the loop's next turn.
   * A reply posted while the event loop works through a batch of requests would otherwise
   * wait for the next poll, behind that batch's successors: under load a mood then took two
   * turns of the loop where a list answer takes one. Called once per loop turn in which a
   * scan was posted (the check phase, after that turn's I/O), so an idle loop never spins.
   */
  private harvest(): void {
    for (let m; this.replies && (m = receiveMessageOnPort(this.replies));) this.onReply(m.message as ScanReply);
  }

  private queueHarvest(): void {
    if (this.harvestQueued) return;
    this.harvestQueued = true;
    setImmediate(() => {
      this.harvestQueued = false;
      this.harvest();
    });
  }

  /** Stops the thread; scans still waiting are done here. */
  async close(): Promise<void> {
    await this.stop('closed');
  }

  private start(): void {
    if (this.state !== 'idle') return;
    this.state = 'starting';
    this.started = new Promise<boolean>((resolve) => (this.settleStarted = resolve));
    let worker: Worker;
    try {
      const script = this.script();
      // It allocates only a query's few small arrays and messages: a small heap keeps its RSS small.
      worker = new Worker(script.file, {
        execArgv: script.execArgv,
        resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 },
      });
    } catch (e) {
      this.down(e as Error);
      return;
    }
    worker.unref();
    this.worker = worker;
    const { port1, port2 } = new MessageChannel();
    this.replies = port1;
    port1.on('message', (m: ScanReply) => this.onReply(m));
    port1.unref();
    worker.on('error', (e) => this.down(e));
    worker.on('exit', (code) => {
      if (this.state !== 'closed') this.down(new Error(`scan thread exited with code ${code}`));
    });
    const { scan, relaxed } = this.kernel.modules;
    worker.postMessage({ type: 'init', scan, relaxed, replies: port2 } satisfies ScanInit, [port2]);
  }

  private onReply(m: ScanReply): void {
    if (m.type === 'ready') {
      if (this.state === 'starting') this.state = 'up';
      this.settleStarted(this.state === 'up');
      return;
    }
    const p = this.pending.get(m.seq);
    if (!p) return;
    this.pending.delete(m.seq);
    if (m.type === 'found') {
      this.use.thread++;
      p.resolve({ indices: m.indices, scores: m.scores });
    } else if (m.type === 'unknown') {
      this.runHere(p);
    } else {
      // The scan itself threw there (it would here too: the same code on the same memory).
      p.reject(new Error(m.message));
    }
  }

  /** The thread failed (to start, or later): logged once; everything from now on, and what it held, runs here. */
  private down(e: Error): void {
    if (this.state === 'closed' || this.state === 'down') return;
    this.log.warn({ err: e }, 'scan thread unavailable; mood scans run on the event loop (same answers, other requests wait for them)');
    void this.stop('down').catch(() => {});
  }

  /**
   * The one way the thread ends (closed, or down): no more scans go to it, `ready` settles
   * false if it was still starting, the reply port is closed, every scan it held is done
   * here, and the worker is terminated (the promise).
   */
  private stop(state: 'closed' | 'down'): Promise<number | undefined> {
    this.state = state;
    this.settleStarted(false);
    const worker = this.worker;
    this.worker = null;
    this.replies?.close();
    this.replies = null;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) this.runHere(p);
    return worker ? worker.terminate() : Promise.resolve(undefined);
  }

  private runHere(p: Pending): void {
    this.use.here++;
    try {
      p.resolve(p.here());
    } catch (e) {
      p.reject(e as Error);
    }
  }
}
