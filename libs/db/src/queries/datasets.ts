// The datasets table: one row per ingest, exactly one active (a unique partial index).
// An ingest inserts its row and activates it inside its load transaction
// (./dataset-load.ts); the trainer reads the active one; the gateway follows
// activations (LISTEN DATASET_CHANNEL) to say when a newer dataset waits for its model.
import type { Queryable } from '../db';

/** NOTIFY channel of dataset activations; the payload is the new active dataset's id. */
export const DATASET_CHANNEL = 'cinemap_datasets';

export interface NewDataset {
  source: string;
  params: unknown;
  counts: unknown;
  status: 'loading' | 'complete' | 'failed';
}

export async function insertDataset(q: Queryable, d: NewDataset): Promise<number> {
  const rows = await q.query<{ id: number }>(
    'INSERT INTO datasets (source, params, counts, status) VALUES ($1, $2::jsonb, $3::jsonb, $4) RETURNING id',
    [d.source, JSON.stringify(d.params), JSON.stringify(d.counts), d.status],
  );
  return Number(rows[0].id);
}

/** Marks a dataset complete and the only active one; notifies DATASET_CHANNEL. */
export async function activateDataset(tx: Queryable, id: number, counts?: unknown): Promise<void> {
  await tx.query('UPDATE datasets SET active = false WHERE active AND id <> $1', [id]);
  await tx.query("UPDATE datasets SET status = 'complete', active = true, counts = COALESCE($2::jsonb, counts) WHERE id = $1", [
    id,
    counts === undefined ? null : JSON.stringify(counts),
  ]);
  await tx.query('SELECT pg_notify($1, $2)', [DATASET_CHANNEL, String(id)]);
  await tx.exec('ANALYZE curated_ratings');
}

/** The id of the dataset active now (null: none), e.g. after an ingest was notified. */
export async function getActiveDatasetId(q: Queryable): Promise<number | null> {
  const rows = await q.query<{ id: number }>('SELECT id FROM datasets WHERE active');
  return rows[0]?.id ?? null;
}

export interface TrainingDataset {
  id: number;
  source: string;
  ratingCount: number;
}

/** The active dataset and how many curated ratings it holds, or null when none is active. */
export async function getActiveTrainingDataset(q: Queryable): Promise<TrainingDataset | null> {
  const rows = await q.query<{ id: number; source: string }>('SELECT id, source FROM datasets WHERE active');
  if (!rows.length) return null;
  const [{ n }] = await q.query<{ n: number }>('SELECT count(*)::bigint AS n FROM curated_ratings WHERE dataset_id = $1', [rows[0].id]);
  return { id: rows[0].id, source: rows[0].source, ratingCount: n };
}
