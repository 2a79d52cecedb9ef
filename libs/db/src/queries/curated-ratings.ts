// curated_ratings: what each dataset's curation kept (one set per dataset), read by the
// trainer through a server-side cursor; written by the ingest (./dataset-load.ts).
import type { Db } from '../db';

export interface RatingBatch {
  userIds: Int32Array;
  movieIds: Int32Array;
  ratings: Float32Array;
}

/**
 * Streams a dataset's curated ratings through a server-side cursor, `batchSize` rows
 * at a time, so memory holds one batch of row objects, not the whole table. The
 * order is the table's physical order (the trainer shuffles with its own seed).
 */
export async function streamCuratedRatings(
  db: Db,
  datasetId: number,
  onBatch: (b: RatingBatch) => void | Promise<void>,
  batchSize = 100_000,
): Promise<number> {
  let total = 0;
  await db.transaction(async (tx) => {
    await tx.query(
      `DECLARE trainer_ratings NO SCROLL CURSOR FOR SELECT user_id, movie_id, rating FROM curated_ratings WHERE dataset_id = ${Number(datasetId) | 0}`,
    );
    for (;;) {
      const rows = await tx.query<{ user_id: number; movie_id: number; rating: number }>(`FETCH ${batchSize | 0} FROM trainer_ratings`);
      if (!rows.length) break;
      const b: RatingBatch = {
        userIds: new Int32Array(rows.length),
        movieIds: new Int32Array(rows.length),
        ratings: new Float32Array(rows.length),
      };
      for (let i = 0; i < rows.length; i++) {
        b.userIds[i] = rows[i].user_id;
        b.movieIds[i] = rows[i].movie_id;
        b.ratings[i] = rows[i].rating;
      }
      total += rows.length;
      await onBatch(b);
      if (rows.length < batchSize) break;
    }
    await tx.query('CLOSE trainer_ratings');
  });
  return total;
}
