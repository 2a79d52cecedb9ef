// @cinemap/synthetic: the synthetic MovieLens generator and the dump statistics it is calibrated with (README.md). The only public door.
export {
  generateSyntheticDump,
  isCompleteDump,
  DEFAULT_SEED,
  DUMP_FILES,
  TRUTH_FILE,
  TRUTH_FORMAT,
  FIRST_RATING_TS,
  LAST_RATING_TS,
  HALF_STARS_FROM_TS,
  GENERATOR_VERSION,
} from './generate';
export type { GenerateOptions, GenerateProgress, GenerateResult, DumpCounts } from './generate';
export { SCALES, SYNTHETIC_SCALES, scaleSpec } from './scales';
export type { SyntheticScale, ScaleSpec } from './scales';
export { plantTruth, popularityWeight, ratingModel, LATENT_DIM, PLANTED_MODEL } from './planted';
export type { PlantedTruth, PlantedMovies, RatingModel } from './planted';
export { dumpStats, formatStats, quantileSorted, USER_QUANTILES } from './stats';
export type { DumpStats, StatsInput } from './stats';
export { readRatingsForStats } from './stats-file';
export { ANCHORS } from './titles';
export type { SyntheticTruthFile } from './truth-file';
