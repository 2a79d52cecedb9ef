// @cinemap/movielens: every MovieLens layout GroupLens has published, read safely. The
// only public door (tests' helpers: @cinemap/movielens/testing).
//  - sources: a folder or zip resolved to exactly one dataset and layout, every file read
//    through one guarded path (size limits, zip-bomb ratio, CRC-32, 64 KiB rows);
//  - readers: movies / ratings / links / tags of the CSV, '::' (ml-1m, ml-10m) and
//    ml-100k layouts into typed columns and rows, invalid rows named by file:line.
export { MOVIELENS_DATASETS, GROUPLENS_BASE } from './datasets';
export type { MovieLensDataset } from './datasets';
export { openDumpSource, crc32, FILE_LIMITS, MAX_COMPRESSION_RATIO } from './source';
export type { DumpSource, SourceOptions } from './source';
export { resolveDataset, LAYOUT_SPECS, LAYOUTS_HINT } from './layouts';
export type { Layout, LayoutId, FileRole, TextEncoding, ListedFile } from './layouts';
export { readDump, keepLatestRating } from './dump';
export type { Dump, ReadDumpOptions, OnProgress } from './dump';
export { RatingsReader, readRatingsFile, CSV_RATINGS, DAT_RATINGS, U_RATINGS, RATINGS_HEADER } from './ratings';
export type { RatingColumns, RatingsFormat } from './ratings';
export { CsvReader } from './csv';
export type { CsvRecord } from './csv';
export { MOVIES_HEADER, LINKS_HEADER, TAGS_HEADER, U_GENRES } from './tables';
export type { MovieRow, LinkRow, TagColumns } from './tables';
export { MAX_ID, MAX_TIMESTAMP, MAX_TITLE_LENGTH, MAX_GENRES, MAX_TAG_LENGTH, MAX_ROW_BYTES } from './fields';
export { IngestError, InvalidRows } from './errors';
export type { OnInvalid, InvalidReason, InvalidExample } from './errors';
