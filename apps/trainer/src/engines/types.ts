// What an engine is: given prepared training data and hyper-parameters, fit the
// EmbeddingDotBias parameters and report fast.ai's per-epoch table.
import type { ModelWeights } from '@cinemap/model';
import type { TrainingData } from '../data/training-data';

export type EngineName = 'native' | 'tfjs';
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface EngineConfig {
  factors: number;
  epochs: number;
  /** Peak learning rate of the one-cycle schedule (fast.ai lr_max). */
  lr: number;
  /** Decoupled weight decay (fast.ai wd, true_wd=True). */
  wd: number;
  /** Ratings per optimiser step (tfjs) / the fast.ai batch the native engine emulates. */
  batchSize: number;
  yRange: readonly [number, number];
  seed: number;
  threads: number;
}

export interface EpochStats {
  epoch: number;
  trainMse: number;
  validMse: number;
  validRmse: number;
  seconds: number;
  ratingsPerSecond: number;
}

export interface EngineHooks {
  /** Ratings done so far in the current epoch, out of `total`. */
  onProgress?(done: number, total: number): void;
  onEpoch?(stats: EpochStats): void;
  /** Checked between steps; when true the engine stops with TrainingInterrupted. */
  shouldStop?(): boolean;
}

export interface TrainResult {
  weights: ModelWeights;
  epochs: EpochStats[];
  /** What actually ran: 'cpu' for native, the TF.js backend for tfjs. */
  backend: string;
  /** Engine-specific notes recorded on the run (optimizer, effective batch, ...). */
  details: Record<string, unknown>;
}

export class TrainingDiverged extends Error {
  constructor(epoch: number, what: string, cfg: EngineConfig) {
    super(
      `Training diverged in epoch ${epoch + 1}: ${what} is not finite. ` +
        `The learning rate ${cfg.lr} is probably too high for this data: try --lr ${(cfg.lr / 5).toPrecision(2)} (or a smaller --wd). Nothing was activated.`,
    );
    this.name = 'TrainingDiverged';
  }
}

export class TrainingInterrupted extends Error {
  constructor() {
    super('Training was interrupted; nothing was activated (the previous active model is unchanged).');
    this.name = 'TrainingInterrupted';
  }
}

export interface Engine {
  readonly name: EngineName;
  train(data: TrainingData, cfg: EngineConfig, hooks?: EngineHooks): Promise<TrainResult>;
}
