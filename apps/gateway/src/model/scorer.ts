// The active run's ONNX scorer (EmbeddingDotBias exported by the trainer), run in
// onnxruntime-node: user id + movie id → predicted rating. Index maps come from the
// model's own metadata (ONNX_METADATA of @cinemap/model, the exporter), so the file is
// self-describing and the gateway needs no other table to use it.
//
// A run's scorer is loaded when first asked for (ScorerSlot), not with the snapshot: an
// ONNX Runtime session holds its library's code and the model's weights two or three times
// over (61 MB for the bench's 18 MB model), ~90 MB of a serving process that answers no
// predictRating (docs/graphql.md, "predictRating and the ONNX scorer").
import type { Logger } from 'pino';
import type { InferenceSession } from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { ONNX_METADATA } from '@cinemap/model';
import { IdIndex } from './id-index';

export class RatingScorer {
  private constructor(
    private readonly session: InferenceSession,
    private readonly userIndex: IdIndex,
    private readonly movieIndex: IdIndex,
    readonly yRange: readonly [number, number],
    readonly runId: number | null,
  ) {}

  static async load(bytes: Uint8Array): Promise<RatingScorer> {
    const model = onnx.ModelProto.decode(bytes);
    const meta = new Map(model.metadataProps.map((p) => [p.key ?? '', p.value ?? '']));
    const ids = (key: string): IdIndex => {
      const raw = meta.get(key);
      if (!raw)
        throw new Error(`ONNX scorer has no metadata "${key}" (the trainer writes it); re-export the model with the current trainer`);
      const list = JSON.parse(raw) as number[];
      // id → its index in the model (typed arrays: a Map of 330k users held ~15 MB).
      return new IdIndex(Float64Array.from(list, (id) => Number(id)));
    };
    const yRange = JSON.parse(meta.get(ONNX_METADATA.yRange) ?? '[0,5.5]') as [number, number];
    const runId = meta.has(ONNX_METADATA.runId) ? Number(meta.get(ONNX_METADATA.runId)) : null;
    const { InferenceSession } = await import('onnxruntime-node');
    const session = await InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    return new RatingScorer(session, ids(ONNX_METADATA.userIds), ids(ONNX_METADATA.movieIds), yRange, runId);
  }

  hasUser(userId: number): boolean {
    return this.userIndex.has(userId);
  }

  hasMovie(movieId: number): boolean {
    return this.movieIndex.has(movieId);
  }

  get userCount(): number {
    return this.userIndex.size;
  }

  /** Predicted ratings for aligned (user, movie) pairs; every id must be known (hasUser/hasMovie). */
  async predict(userIds: readonly number[], movieIds: readonly number[]): Promise<number[]> {
    const { Tensor } = await import('onnxruntime-node');
    const n = userIds.length;
    const u = new BigInt64Array(n),
      m = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      u[i] = BigInt(this.userIndex.get(userIds[i])!);
      m[i] = BigInt(this.movieIndex.get(movieIds[i])!);
    }
    const out = await this.session.run({ user_idx: new Tensor('int64', u, [n]), movie_idx: new Tensor('int64', m, [n]) });
    const rating = out.rating ?? out[this.session.outputNames[0]];
    return Array.from(rating.data as Float32Array);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** When a run's scorer is loaded: at its first predictRating (default), or with the snapshot (CINEMAP_SCORER_LOAD). */
export type ScorerLoad = 'lazy' | 'eager';

/** How long a refused model (or a run with no artifact) is answered from memory before the next predictRating tries again, ms. */
export const SCORER_RETRY_MS = 30_000;
/**
 * The same after a failed read of the artifact from the database (a statement timeout, a
 * dropped connection: usually over by the next request), ms.
 */
export const SCORER_READ_RETRY_MS = 2_000;

/** Why predictRating cannot use a run's scorer now (the resolver's SCORER_UNAVAILABLE). */
export class ScorerUnavailable extends Error {}

export interface ScorerSlotOptions {
  /** After the model was refused or the artifact is gone (default SCORER_RETRY_MS). */
  retryMs?: number;
  /** After the database failed to return the artifact (default SCORER_READ_RETRY_MS). */
  readRetryMs?: number;
  /** The clock, ms (tests move it). */
  now?: () => number;
}

/**
 * One run's ONNX scorer, loaded once on first use and shared: requests that ask while it
 * loads wait for that one load. A failed load is logged and answered as ScorerUnavailable
 * for a while, then tried again by the next request: 2 s when the database failed to return
 * the artifact (a passing fault, and the artifact is read again), 30 s when ONNX Runtime
 * refused the model or the artifact is gone (a re-export or a new run fixes those, not a
 * retry; reading a large artifact on every request would only add load). Released with its
 * snapshot; a request still holding a released slot is told to ask again (the next snapshot
 * has its own).
 */
export class ScorerSlot {
  private loading: Promise<RatingScorer> | null = null;
  /** When the last load failed, and how long that failure is answered from memory. */
  private failed: { at: number; forMs: number } | null = null;
  private released = false;
  private session: RatingScorer | null = null;
  private readonly retryMs: number;
  private readonly readRetryMs: number;
  private readonly now: () => number;
  /** Loads begun (the spec's count: one per slot unless a load failed). */
  loads = 0;

  constructor(
    readonly runId: number,
    /** The artifact's bytes (null: gone from the database). */
    private readonly read: () => Promise<Uint8Array | null>,
    private readonly log: Logger,
    opts: ScorerSlotOptions = {},
  ) {
    this.retryMs = opts.retryMs ?? SCORER_RETRY_MS;
    this.readRetryMs = opts.readRetryMs ?? SCORER_READ_RETRY_MS;
    this.now = opts.now ?? Date.now;
  }

  /** Whether a session is up (loaded and not released). */
  get loaded(): boolean {
    return this.session !== null;
  }

  /** The scorer, loading it if this is the first ask (or the last load failed longer ago than its retry window). */
  get(): Promise<RatingScorer> {
    if (this.released) return Promise.reject(new ScorerUnavailable(`run ${this.runId} was swapped out while this request ran; ask again`));
    if (this.failed !== null && this.now() - this.failed.at >= this.failed.forMs) this.loading = null;
    return (this.loading ??= this.load());
  }

  private async load(): Promise<RatingScorer> {
    this.failed = null;
    this.loads++;
    const t0 = Date.now();
    let bytes: Uint8Array | null;
    try {
      bytes = await this.read();
    } catch (e) {
      throw this.failure(e, this.readRetryMs, 'could not be read from the database');
    }
    try {
      if (!bytes) throw new Error(`run ${this.runId} has no onnx-scorer artifact any more`);
      const scorer = await RatingScorer.load(bytes);
      if (this.released) {
        await scorer.release();
        throw new ScorerUnavailable(`run ${this.runId} was swapped out while its scorer loaded; ask again`);
      }
      this.session = scorer;
      this.log.info({ runId: this.runId, bytes: bytes.length, users: scorer.userCount, ms: Date.now() - t0 }, 'ONNX scorer loaded');
      return scorer;
    } catch (e) {
      if (e instanceof ScorerUnavailable) throw e;
      throw this.failure(e, this.retryMs, 'could not be loaded');
    }
  }

  /** Records a failed load (answered from memory for `forMs`), logs it, and says why to the request. */
  private failure(e: unknown, forMs: number, what: string): ScorerUnavailable {
    this.failed = { at: this.now(), forMs };
    this.log.error(
      { err: e, runId: this.runId, retryAfterMs: forMs },
      'ONNX scorer failed to load; predictRating answers SCORER_UNAVAILABLE until a later try loads it',
    );
    const after = forMs >= 1000 ? `${Math.round(forMs / 1000)} s` : `${forMs} ms`;
    return new ScorerUnavailable(
      `the ONNX scorer of run ${this.runId} ${what} (${(e as Error).message}); it is tried again ${after} after the failure`,
    );
  }

  /** Frees the session (now, or when a load under way ends); later asks are refused. */
  async release(): Promise<void> {
    this.released = true;
    await this.loading?.catch(() => null);
    const s = this.session;
    this.session = null;
    await s?.release();
  }
}
