// @cinemap/trainer's public door: runTraining for `npm start` and the CLI, the
// engines and exporters for the bench and tests.
export { runTraining, chooseEngine, loadDatasetRatings } from './run-training';
export type { RunTrainingContext, RunTrainingResult, RunMetrics } from './run-training';
export { DEFAULT_OPTIONS, resolveOptions, autoBatchSize, resolveBatchSize } from './options';
export type { TrainOptions } from './options';
export { NativeEngine } from './engines/native/native-engine';
export { TfjsEngine } from './engines/tfjs/tfjs-engine';
export { loadTf, gpuBackendAvailable, BACKEND_ORDER } from './engines/tfjs/backend';
export { TrainingDiverged, TrainingInterrupted } from './engines/types';
export type { Engine, EngineConfig, EpochStats, TrainResult, BackendName, EngineName } from './engines/types';
export { prepareTrainingData } from './data/training-data';
export { writeSplitFile, SPLIT_HEADER } from './data/split-file';
export type { TrainingData, RawRatings } from './data/training-data';
export { fitBaseline, baselineRmse } from './model/baseline';
export { moviePca } from './export/pca';
export { plantedRatings } from './testing/planted';
export { franchiseRecallAtK } from './model/quality';
export { trainingAudience } from './model/audience';
export type { AudienceParams } from './model/audience';
export { computeNeighbourLists, neighbourRows } from './neighbours/neighbour-lists';
export type { BasisNeighbours, ListScreen } from './neighbours/neighbour-lists';
