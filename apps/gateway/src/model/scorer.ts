// The active run's ONNX scorer (EmbeddingDotBias exported by the trainer), run in
// onnxruntime-node: user id + movie id → predicted rating. Index maps come from the
// model's own metadata (ONNX_METADATA of @cinemap/model, the exporter), so the file is
// self-describing and the gateway needs no other table to use it.
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
