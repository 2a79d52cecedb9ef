// Writes one ingest to the database in a single transaction: staging COPYs, the
// dataset row with its curated sample, then the swap and the activation. Whatever
// happens before COMMIT (an error, Ctrl-C, SIGKILL, a lost connection) leaves the
// previous dataset exactly as it was; a second ingest waits for the first.
import {
  Db,
  activateDataset,
  copyCuratedRatings,
  copyStagedRatings,
  copyStagedTags,
  createIngestStaging,
  insertDataset,
  lockIngest,
  replaceMoviesAndLinks,
  swapStagedTables,
} from '@cinemap/db';
import { movieExclusions, type Curation } from '../curate/curate';
import type { Dump } from '@cinemap/movielens';
import { curatedCsv, linksCsv, moviesCsv, ratingsCsv, tagsCsv } from './csv-rows';

/** The load's steps, in order (progress lines, and the test hook that pauses at one). */
export type LoadStep = 'ratings' | 'tags' | 'dataset' | 'curated' | 'movies' | 'swap' | 'commit';

export interface LoadInput {
  dump: Dump;
  curation: Curation;
  source: string;
  params: unknown;
  counts: unknown;
}

export interface LoadOptions {
  /** Called as each step starts (awaited: a test can pause the load there). */
  onStep?: (step: LoadStep) => void | Promise<void>;
}

export async function loadDataset(db: Db, input: LoadInput, opts: LoadOptions = {}): Promise<number> {
  const step = async (s: LoadStep) => {
    await opts.onStep?.(s);
  };
  return db.transaction(async (tx) => {
    await lockIngest(tx);
    await createIngestStaging(tx);
    await step('ratings');
    await copyStagedRatings(tx, ratingsCsv(input.dump.ratings));
    await step('tags');
    await copyStagedTags(tx, tagsCsv(input.dump));
    await step('dataset');
    const id = await insertDataset(tx, { source: input.source, params: input.params, counts: input.counts, status: 'loading' });
    await step('curated');
    await copyCuratedRatings(tx, curatedCsv(id, input.dump.ratings, input.curation.keep));
    await step('movies');
    await replaceMoviesAndLinks(
      tx,
      moviesCsv(input.dump, input.curation.stats, movieExclusions(input.dump.ratings, input.curation)),
      linksCsv(input.dump),
    );
    await step('swap');
    await swapStagedTables(tx);
    await activateDataset(tx, id);
    await step('commit');
    return id;
  });
}

/** Records an ingest that stopped before loading (e.g. curation kept nothing), so its counts stay queryable. */
export async function recordFailedIngest(db: Db, source: string, params: unknown, counts: unknown): Promise<number> {
  return insertDataset(db, { source, params, counts, status: 'failed' });
}
