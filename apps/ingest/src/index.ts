// apps/ingest: MovieLens dump (URL, zip or folder) → parse → curate → PostgreSQL.
// The programmatic door (`npm start` calls runIngest and suggestCuration).
export { runIngest } from './run-ingest';
export type { IngestOptions, IngestContext, IngestResult, IngestCounts } from './run-ingest';
export { loadDataset } from './load/load';
export type { LoadStep } from './load/load';
export { curate, computeStats, countKept, isEmptyCuration } from './curate/curate';
export type { Curation, CurationInput, DumpStats, StepCounts } from './curate/curate';
export { suggestCuration } from './curate/suggest';
export type { CurationSuggestion } from './curate/suggest';
export { DEFAULT_CURATION, checkCurationParams, parseSampleFraction } from './curate/params';
export type { CurationParams } from './curate/params';
export { downloadToCache, resolveSourceArg } from './download/download';
export { writeReport } from './report/figures';
export { formatCountsTable } from './curate/counts-table';
