// @cinemap/movielens/testing: hand-checkable dumps (in memory, as folders, as zips) and
// hand-built hostile zips, for the tests of every project that reads MovieLens files.
import { join } from 'node:path';
export { memoryContainer, memorySource, writeDumpDir, writeDumpZip, tinyDump } from './dumps';
export type { DumpTexts } from './dumps';
export { craftZip } from './zip-craft';
export type { CraftEntry } from './zip-craft';

/** The hand-made fixture folders, one per layout (fixtures/README.md): ml-100k, ml-1m, ml-10M100K, ml-csv. */
export const LAYOUT_FIXTURES = join(__dirname, '..', 'fixtures');
