// Reads a dump folder's ratings for `npm run generate -- --stats DIR`: ratings.csv
// (the ml-latest / ml-latest-small / synthetic layout) or ml-100k's u.data, both through
// the ingest's own readers (@cinemap/movielens), so the calibration table's real and
// synthetic columns come from the same code.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CSV_RATINGS, IngestError, U_RATINGS, readRatingsFile } from '@cinemap/movielens';
import type { StatsInput } from './stats';

export async function readRatingsForStats(dir: string): Promise<StatsInput & { file: string }> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new IngestError(
      `--stats ${dir}: not a folder`,
      'Give the folder that holds ratings.csv (or u.data for ml-100k), e.g. --stats data/synthetic-small.',
    );
  }
  for (const [name, format] of [
    ['ratings.csv', CSV_RATINGS],
    ['u.data', U_RATINGS],
  ] as const) {
    const file = join(dir, name);
    if (!existsSync(file)) continue;
    const c = await readRatingsFile(file, format);
    return { file, length: c.length, userId: c.userId, movieId: c.movieId, halfStars: c.halfStars };
  }
  throw new IngestError(
    `--stats ${dir}: neither ratings.csv nor u.data is there`,
    'Give a MovieLens-format folder: ml-latest(-small) or a synthetic dump (ratings.csv), or ml-100k (u.data).',
  );
}
