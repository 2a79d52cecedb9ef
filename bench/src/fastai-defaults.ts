// fast.ai's training settings as every bench and evaluation trains with them: libs/domain's
// DEFAULT_MODEL_PARAMS (k 50, 5 epochs, lr 5e-3, wd 0.1, y_range (0, 5.5)) at the batch the
// trainer picks for the number of training ratings. One place, so the figures stay comparable.
import { DEFAULT_MODEL_PARAMS } from '@cinemap/domain';
import { autoBatchSize, type EngineConfig } from '@cinemap/trainer';

export function fastaiDefaults(nTrain: number): Omit<EngineConfig, 'seed' | 'threads'> {
  const { factors, epochs, lr, wd, yRange } = DEFAULT_MODEL_PARAMS;
  return { factors, epochs, lr, wd, yRange, batchSize: autoBatchSize(nTrain) };
}
