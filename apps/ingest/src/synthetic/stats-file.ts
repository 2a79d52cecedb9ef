// Reads a dump folder's ratings for `npm run generate -- --stats DIR`: ratings.csv
// (the ml-latest / ml-latest-small / synthetic layout) through ingest's own parser,
// or ml-100k's u.data (tab-separated user, item, rating, timestamp), so the
// calibration table's real and synthetic columns come from the same code.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { IngestError, InvalidRows } from '../movielens/errors';
import { RatingsReader } from '../movielens/ratings';
import type { StatsInput } from './stats';

export async function readRatingsForStats(dir: string): Promise<StatsInput & { file: string }> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new IngestError(`--stats ${dir}: not a folder`, 'Give the folder that holds ratings.csv (or u.data for ml-100k), e.g. --stats data/synthetic-small.');
  }
  const csv = join(dir, 'ratings.csv');
  if (existsSync(csv)) {
    const r = new RatingsReader(csv, new InvalidRows('fail'), undefined, Math.ceil(statSync(csv).size / 24));
    for await (const c of createReadStream(csv, { highWaterMark: 1 << 20 })) r.push(c as Buffer);
    const c = r.end();
    return { file: csv, length: c.length, userId: c.userId, movieId: c.movieId, halfStars: c.halfStars };
  }
  const udata = join(dir, 'u.data');
  if (existsSync(udata)) return { file: udata, ...parseUData(readFileSync(udata, 'latin1'), udata) };
  throw new IngestError(`--stats ${dir}: neither ratings.csv nor u.data is there`, 'Give a MovieLens-format folder: ml-latest(-small) or a synthetic dump (ratings.csv), or ml-100k (u.data).');
}

/** ml-100k's u.data: `user \t item \t rating(1..5) \t timestamp` per line. */
export function parseUData(text: string, file: string): StatsInput {
  const lines = text.split('\n');
  const n = lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  const userId = new Int32Array(n), movieId = new Int32Array(n), halfStars = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const f = lines[i].replace(/\r$/, '').split('\t');
    const u = Number(f[0]), m = Number(f[1]), x = Number(f[2]);
    if (f.length !== 4 || !Number.isInteger(u) || u < 1 || !Number.isInteger(m) || m < 1 || !Number.isInteger(x) || x < 1 || x > 5) {
      throw new IngestError(`${file}:${i + 1}: expected "user<TAB>item<TAB>rating 1..5<TAB>timestamp", found ${JSON.stringify(lines[i].slice(0, 80))}`, 'Is this ml-100k\'s u.data, copied completely?');
    }
    userId[i] = u; movieId[i] = m; halfStars[i] = 2 * x;
  }
  return { length: n, userId, movieId, halfStars };
}
