// activeModel: the run serving answers, as this gateway loaded it.
import { Ctx, Query, Resolver } from 'type-graphql';
import { ModelRun } from '../types/model-run.type';
import type { GatewayContext } from '../context';

type Rec = Record<string, unknown>;
const num = (o: Rec, ...keys: string[]): number | null => {
  for (const k of keys) if (typeof o[k] === 'number') return o[k] as number;
  return null;
};

@Resolver()
export class ModelResolver {
  @Query(() => ModelRun, { nullable: true, description: 'The active model run; null before the first training.' })
  activeModel(@Ctx() ctx: GatewayContext): ModelRun | null {
    const snap = ctx.snapshot;
    if (!snap) return null;
    const run = snap.run;
    const metrics = (run.metrics ?? {}) as Rec;
    const list = Array.isArray(metrics.epochs) ? (metrics.epochs as Rec[]) : Array.isArray(metrics) ? (metrics as Rec[]) : [];
    return {
      id: run.id,
      datasetId: run.datasetId,
      activeDatasetId: ctx.store.activeDatasetId,
      upToDate: run.datasetId === ctx.store.activeDatasetId,
      createdAt: new Date(run.createdAt).toISOString(),
      engine: run.engine,
      backend: run.backend,
      factors: snap.dim,
      movieCount: snap.size,
      params: run.params ?? {},
      metrics,
      epochs: list.map((e, i) => ({
        epoch: num(e, 'epoch') ?? i + 1,
        trainLoss: num(e, 'trainLoss', 'train_loss', 'trainMse', 'train_mse'),
        validLoss: num(e, 'validLoss', 'valid_loss', 'validMse', 'valid_mse'),
        validRmse: num(e, 'validRmse', 'valid_rmse', 'rmse'),
        seconds: num(e, 'seconds', 'time', 'durationSeconds', 'duration_s'),
      })),
      loadedAt: snap.loadedAt.toISOString(),
    };
  }
}
