// @cinemap/db: the only place SQL lives. Connection (PGlite or PostgreSQL), migrations,
// bulk COPY, and the typed queries, one module per table or concern (./queries).
// Test-only queries and seeds: @cinemap/db/testing.
export * from './db';
export { openDb, cinemapHome } from './open';
export type { OpenDbOptions } from './open';
export { openPglite, PGLITE_SHARED_BUFFERS } from './pglite';
export { openPostgres, redactUrl } from './postgres';
export { migrate, migrationChecksum } from './migrate';
export type { MigrateResult } from './migrate';
export { migrations } from './migrations';
export type { Migration } from './migrations';
export { serveSql } from './serve';
export { setRolePasswords, ROLE_PASSWORD_ENV } from './roles';
export type { CinemapRole } from './roles';
export { setStatementTimeout, pingDatabase, withStatementTimeout } from './queries/session';
export { DATASET_CHANNEL, insertDataset, activateDataset, getActiveDatasetId, getActiveTrainingDataset } from './queries/datasets';
export type { NewDataset, TrainingDataset } from './queries/datasets';
export {
  INGEST_COLUMNS,
  lockIngest,
  createIngestStaging,
  copyStagedRatings,
  copyStagedTags,
  replaceMoviesAndLinks,
  swapStagedTables,
  copyCuratedRatings,
} from './queries/dataset-load';
export type { CsvChunks } from './queries/dataset-load';
export { streamCuratedRatings } from './queries/curated-ratings';
export type { RatingBatch } from './queries/curated-ratings';
export {
  MODEL_CHANNEL,
  TRAINING_LEASE_HOURS,
  getServedModelRun,
  createModelRunForDataset,
  updateModelRunMetrics,
  markModelRunFailed,
  activateModelRun,
  pruneModelRuns,
  listModelRuns,
  activateCompleteRun,
  deleteModelRun,
} from './queries/model-runs';
export type { ModelRunStatus, ServedModelRun, NewModelRun, ActivationResult, ModelRunSummary } from './queries/model-runs';
export { copyMovieEmbeddings, copyUserEmbeddings } from './queries/embeddings';
export type { EmbeddingRow } from './queries/embeddings';
export { runIndexNames, createRunEmbeddingIndexes, similarMoviesAnn } from './queries/embedding-indexes';
export {
  copyAudienceEmbeddings,
  audienceIndexName,
  audienceDims,
  createRunAudienceIndexes,
  loadRunAudience,
  forEachRunAudience,
  loadRunBlend,
  similarMoviesAnnBasis,
} from './queries/audience-embeddings';
export type { AudienceRow, VectorBasis } from './queries/audience-embeddings';
export { saveModelArtifact, loadModelArtifact, modelArtifactSize } from './queries/artifacts';
export {
  loadRunMovies,
  forEachRunMovie,
  countRunMovieVectors,
  getMoviesByIds,
  searchMovies,
  countSearchMovies,
  countRunMovies,
  genreCounts,
  appreciatedMovies,
  pcaProjection,
  similarMoviesExact,
} from './queries/movies';
export {
  NEIGHBOUR_BASES,
  copyMovieNeighbours,
  forEachMovieNeighbours,
  loadMovieNeighbourIds,
  movieNeighboursBytes,
} from './queries/movie-neighbours';
export type { NeighbourBasis, MovieNeighboursRow } from './queries/movie-neighbours';
export type { MovieRow, RunMovieRow, ScoredMovieId } from './queries/movies';
export { loadTitleKeys, forEachTitleKeys, resolveTitle, titleSuggestions } from './queries/titles';
