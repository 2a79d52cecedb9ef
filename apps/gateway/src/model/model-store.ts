// Keeps the current ModelSnapshot and replaces it when the trainer activates another
// run (LISTEN cinemap_model), without a restart. The new snapshot is built completely
// (matrix, lists) before one reference assignment makes it current; requests already
// holding the old one finish on it, and its ONNX session (loaded at the run's first
// predictRating unless CINEMAP_SCORER_LOAD=eager: ./scorer.ts) is released later.
// A snapshot is one consistent (dataset, run) pair: the run's embeddings with the
// catalogue it was trained with (run_movies), whatever `movies` holds now. An ingest
// of another dump (LISTEN cinemap_datasets) only marks the served run as not up to date
// (health, activeModel.upToDate, metrics) until a run trained on it is activated.
// Loading a run reads its whole catalogue under a longer statement timeout than
// requests get (loadTimeoutMs), a page at a time straight into the snapshot being built
// (SnapshotBuilder), so what it leaves to the garbage collector is a page, not the
// catalogue; a load that fails anyway is retried with backoff, and health and /metrics
// say the active run is not the one served until it loads.
import type { Logger } from 'pino';
import { TitleIndex } from '@cinemap/domain';
import { loadDotScanKernel, type DotScanKernel } from '@cinemap/math';
import {
  DATASET_CHANNEL,
  Db,
  getActiveDatasetId,
  getServedModelRun,
  loadModelArtifact,
  modelArtifactSize,
  countRunMovieVectors,
  forEachMovieNeighbours,
  forEachRunAudience,
  forEachRunMovie,
  forEachTitleKeys,
  NEIGHBOUR_BASES,
  MODEL_CHANNEL,
  withStatementTimeout,
} from '@cinemap/db';
import { SnapshotBuilder, type ModelSnapshot } from './snapshot';
import { ScorerSlot, type ScorerLoad } from './scorer';
import { ScanThread, type ScanThreadUse } from './scan-thread';

const RELEASE_OLD_AFTER_MS = 60_000;
/** Retries of a failed load wait 1 s, 2 s, 4 s, … up to this. */
const MAX_RETRY_DELAY_MS = 60_000;

export interface ModelStoreOptions {
  /** statement_timeout for the bulk reads of a run's load, ms (0: none). Default 300 s. */
  loadTimeoutMs?: number;
  /** First retry delay after a failed load, ms (doubles up to 60 s). Default 1 s. */
  retryDelayMs?: number;
  /** Moods' scans on a worker thread (./scan-thread.ts) rather than the event loop. Default true. */
  scanThread?: boolean;
  /** When a run's ONNX scorer loads: at its first predictRating ('lazy', default) or with the snapshot ('eager'). */
  scorerLoad?: ScorerLoad;
}

export class ModelStore {
  private snapshot: ModelSnapshot | null = null;
  private reloading: Promise<void> | null = null;
  private again = false;
  private unlisten: (() => Promise<void>) | null = null;
  private unlistenDatasets: (() => Promise<void>) | null = null;
  /** The dataset active in the database, as last read (null: none). */
  activeDatasetId: number | null = null;
  private closed = false;
  private kernelWarned = false;
  swaps = 0;
  lastError: string | null = null;
  /** The run the database marks active, as last read (null: none), whether or not it loaded. */
  activeRunId: number | null = null;
  /** Loads of an active run that failed since start. */
  loadFailures = 0;
  private failedInARow = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly loadTimeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly useScanThread: boolean;
  private readonly scorerLoad: ScorerLoad;
  private thread: ScanThread | null = null;
  onSwap: (s: ModelSnapshot) => void = () => {};

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    opts: ModelStoreOptions = {},
  ) {
    this.loadTimeoutMs = opts.loadTimeoutMs ?? 300_000;
    this.retryDelayMs = opts.retryDelayMs ?? 1000;
    this.useScanThread = opts.scanThread ?? true;
    this.scorerLoad = opts.scorerLoad ?? 'lazy';
  }

  /** Where the mood scans ran (null: no scan thread, every scan on the event loop). */
  get scanThreadUse(): ScanThreadUse | null {
    return this.thread?.use ?? null;
  }

  /** The scan thread, once a snapshot with the scan kernel was loaded (null: none; tests wait on its `ready`). */
  get scanThread(): ScanThread | null {
    return this.thread;
  }

  /** True when the database's active run is loaded (or none is active). */
  get servingActive(): boolean {
    return this.activeRunId === null || this.snapshot?.runId === this.activeRunId;
  }

  /** The snapshot requests use now (null while no run is active). */
  get current(): ModelSnapshot | null {
    return this.snapshot;
  }

  /** Loads the active run and starts listening for activations. */
  async start(): Promise<void> {
    this.unlisten = await this.db.listen(MODEL_CHANNEL, (payload) => {
      this.log.info({ payload }, 'model activation notified; reloading');
      void this.reload();
    });
    this.unlistenDatasets = await this.db.listen(DATASET_CHANNEL, (payload) => {
      void this.refreshDataset().then(() => {
        if (this.snapshot && !this.upToDate)
          this.log.warn(
            { runId: this.snapshot.runId, runDatasetId: this.snapshot.run.datasetId, activeDatasetId: this.activeDatasetId, payload },
            'a new dataset is active; still serving the run trained on the previous one (with its own catalogue) until a run on the new one is activated',
          );
      });
    });
    await this.reload();
  }

  /** Re-reads which dataset is active (after an ingest's NOTIFY). */
  async refreshDataset(): Promise<void> {
    try {
      this.activeDatasetId = await getActiveDatasetId(this.db);
    } catch (e) {
      this.log.warn({ err: e }, 'could not read the active dataset');
    }
  }

  /** False when the active dataset is not the one the served run was trained on (a newer dump awaits training). */
  get upToDate(): boolean {
    return !this.snapshot || this.snapshot.run.datasetId === this.activeDatasetId;
  }

  /**
   * Re-reads the active run; a no-op when it is the one already loaded. Concurrent
   * calls coalesce: one load at a time, and one more after it if asked meanwhile.
   */
  reload(): Promise<void> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.again = false;
        try {
          await this.loadActive();
          this.lastError = null;
          this.failedInARow = 0;
        } catch (e) {
          this.lastError = (e as Error).message;
          this.loadFailures++;
          this.scheduleRetry(e);
        }
      } while (this.again && !this.closed);
    })().finally(() => {
      this.reloading = null;
    });
    return this.reloading;
  }

  /** After a failed load: log it and try again later (1 s, 2 s, 4 s, … 60 s), until it loads or another run is activated. */
  private scheduleRetry(e: unknown): void {
    const delay = Math.min(MAX_RETRY_DELAY_MS, this.retryDelayMs * 2 ** this.failedInARow++);
    this.log.error(
      { err: e, activeRunId: this.activeRunId, servedRunId: this.snapshot?.runId ?? null, retryInMs: delay, attempt: this.failedInARow },
      this.snapshot
        ? 'could not load the active model run; still serving the previous one, retrying'
        : 'could not load the active model run; retrying',
    );
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.closed) void this.reload();
    }, delay);
    this.retryTimer.unref();
  }

  private async loadActive(): Promise<void> {
    const run = await getServedModelRun(this.db);
    this.activeRunId = run?.id ?? null;
    this.activeDatasetId = run ? run.activeDatasetId : await getActiveDatasetId(this.db);
    if (!run) {
      if (this.snapshot) this.log.warn('no model run is active any more; keeping the last one loaded');
      else this.log.warn('no model run is active yet: model queries answer NO_ACTIVE_MODEL until the trainer activates one');
      return;
    }
    if (this.snapshot?.runId === run.id) return;
    const t0 = Date.now();
    const kernel = await this.scanKernel();
    // Started by the first mood (which, like any scan before the thread is up, runs here).
    if (kernel && this.useScanThread) this.thread ??= new ScanThread(kernel, this.log);
    // Read a page at a time into the snapshot being built: no row outlives its page (rows
    // read whole and kept until the snapshot was built held ~150 MB of the gateway's heap).
    const { build, titles, scorerSize } = await withStatementTimeout(this.db, this.loadTimeoutMs, async (q) => {
      const size = await countRunMovieVectors(q, run.id);
      if (!size) {
        // A run activated before catalogues were kept per run, whose dataset is gone.
        throw new Error(
          `model run ${run.id} has no catalogue of its own (it was trained on dataset ${run.datasetId} before this version, and that dataset is no longer loaded): train a new run (npm run train)`,
        );
      }
      const build = new SnapshotBuilder(run, size, kernel, this.thread);
      await forEachRunMovie(q, run.id, (r) => build.addMovie(r));
      await forEachRunAudience(q, run.id, (movieId, v) => build.addAudience(movieId, v));
      build.buildBases();
      const titles = new TitleIndex();
      await forEachTitleKeys(q, run.id, (e) => titles.add(e));
      return { build, titles, scorerSize: await modelArtifactSize(q, run.id, 'onnx-scorer') };
    });
    let scorer: ScorerSlot | null = null;
    if (scorerSize !== null) {
      const read = () => withStatementTimeout(this.db, this.loadTimeoutMs, (q) => loadModelArtifact(q, run.id, 'onnx-scorer'));
      scorer = new ScorerSlot(run.id, read, this.log);
      // Eager: loaded (or its failure logged, and tried again on demand) before the swap.
      if (this.scorerLoad === 'eager') await scorer.get().catch(() => {});
    } else {
      this.log.warn({ runId: run.id }, 'run has no onnx-scorer artifact; predictRating is unavailable');
    }
    if (this.closed) {
      await scorer?.release();
      return;
    }
    const next = build.finish(scorer, titles, new Date());
    await this.attachLists(next);
    const old = this.snapshot;
    this.snapshot = next; // the swap: one reference assignment
    this.swaps++;
    this.onSwap(next);
    old?.forgetScans();
    this.log.info(
      { runId: run.id, movies: next.size, dim: next.dim, ms: Date.now() - t0, previousRunId: old?.runId ?? null },
      'model run loaded',
    );
    if (old?.scorer) setTimeout(() => void old.scorer!.release().catch(() => {}), RELEASE_OLD_AFTER_MS).unref();
  }

  /**
   * The run's precomputed neighbour lists (basis 'taste'), when it has them: similarMovies
   * then answers from them. A run without lists, or with lists that do not fit its
   * catalogue, is served by the exact scan (same answers, slower), with a log line.
   */
  private async attachLists(snap: ModelSnapshot): Promise<void> {
    for (const basis of NEIGHBOUR_BASES) {
      const t0 = Date.now();
      try {
        const lists = snap.neighbourListBuilder(basis);
        const films = await withStatementTimeout(this.db, this.loadTimeoutMs, (q) =>
          forEachMovieNeighbours(q, snap.runId, basis, (movieId, ids, length) => lists.add(movieId, ids, length)),
        );
        if (!films) {
          this.log.info({ runId: snap.runId, basis }, 'run has no neighbour lists for this basis; similarMovies scans in it');
          continue;
        }
        lists.finish();
        this.log.info({ runId: snap.runId, basis, n: snap.listLength(basis), ms: Date.now() - t0 }, 'neighbour lists loaded');
      } catch (e) {
        this.log.warn({ err: e, runId: snap.runId, basis }, 'neighbour lists not loaded; similarMovies scans in this basis');
      }
    }
  }

  /** The WASM scan kernel, or null (logged once) where it cannot be built: the TypeScript scan then answers, slower. */
  private async scanKernel(): Promise<DotScanKernel | null> {
    try {
      return await loadDotScanKernel();
    } catch (e) {
      if (!this.kernelWarned)
        this.log.warn({ err: e }, 'WASM SIMD scan unavailable; similarMovies uses the TypeScript scan (same answers, ~5x slower uncached)');
      this.kernelWarned = true;
      return null;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.unlisten?.().catch(() => {});
    await this.unlistenDatasets?.().catch(() => {});
    await this.reloading?.catch(() => {});
    await this.snapshot?.scorer?.release();
    await this.thread?.close();
  }
}
