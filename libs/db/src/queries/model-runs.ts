// model_runs: a training run's life. Created 'training' together with its catalogue
// (run_movies, a copy of the movies it was trained with) while its dataset is checked to
// be the active one; metrics recorded; activated in ONE transaction (exactly one active,
// the analysts' views repointed, NOTIFY MODEL_CHANNEL for the gateway's hot swap) or
// marked failed; old runs pruned. The gateway serves getServedModelRun().
import { Db, DbError, Queryable } from '../db';
import { checkDim, checkRun, dropOtherRunIndexes, pointActiveViews } from './embedding-indexes';

/** NOTIFY channel the gateway listens on; the payload is the new active run id. */
export const MODEL_CHANNEL = 'cinemap_model';

export type ModelRunStatus = 'training' | 'complete' | 'failed';

/** The active run as the gateway serves it (createdAt included). */
export interface ServedModelRun {
  id: number;
  datasetId: number;
  /** The dataset active now: another one than datasetId means a newer dump awaits training. */
  activeDatasetId: number | null;
  createdAt: Date;
  params: Record<string, unknown>;
  engine: string;
  backend: string;
  metrics: Record<string, unknown>;
  status: string;
  /** The curation parameters its dataset recorded (datasets.params; null when the dataset row is gone). */
  datasetParams: Record<string, unknown> | null;
}

export async function getServedModelRun(q: Queryable): Promise<ServedModelRun | null> {
  const rows = await q.query<ServedModelRun>(
    `SELECT id, dataset_id AS "datasetId", (SELECT id FROM datasets WHERE active) AS "activeDatasetId",
            created_at AS "createdAt", params, engine, backend, metrics, status,
            (SELECT d.params FROM datasets d WHERE d.id = model_runs.dataset_id) AS "datasetParams"
     FROM model_runs WHERE active`,
  );
  return rows[0] ?? null;
}

export interface NewModelRun {
  datasetId: number;
  params: Record<string, unknown>;
  engine: string;
  backend: string;
}

/** Runs of one database activate one at a time (two trainers finishing together). */
const ACTIVATION_LOCK = 4_242_200;

/** A run still 'training' after this long is taken as abandoned (its trainer was killed): cleanup may delete it. */
export const TRAINING_LEASE_HOURS = 24;

const CATALOGUE_COLUMNS =
  'movie_id, title, display_title, year, genres, imdb_id, tmdb_id, rating_count, average_rating, title_keys, excluded_by';

/** Copies the loaded catalogue (movies) as the run's own (run_movies). Call only while the run's dataset is the active one. */
async function copyRunCatalogue(tx: Queryable, runId: number): Promise<void> {
  await tx.query(`INSERT INTO run_movies (run_id, ${CATALOGUE_COLUMNS}) SELECT $1, ${CATALOGUE_COLUMNS} FROM movies`, [runId]);
}

/**
 * Creates a run ('training') for `datasetId` together with its catalogue, in one
 * transaction that first checks the dataset is still the active one (and holds it:
 * an ingest activating another dataset waits for this commit). A run is tied to its
 * dataset: it is always served with the titles it was trained with.
 */
export async function createModelRunForDataset(db: Db, run: NewModelRun): Promise<number> {
  return db.transaction(async (tx) => {
    const ds = await tx.query<{ id: number }>('SELECT id FROM datasets WHERE id = $1 AND active FOR SHARE', [run.datasetId]);
    if (!ds.length) {
      const [now] = await tx.query<{ id: number }>('SELECT id FROM datasets WHERE active');
      throw new DbError(
        `Dataset ${run.datasetId} stopped being the active dataset while its ratings were being read (dataset ${now?.id ?? 'none'} is active now): a run on it would have no catalogue to be served with.`,
        'Train again: the trainer then reads the active dataset.',
      );
    }
    const id = await createModelRun(tx, run);
    await copyRunCatalogue(tx, id);
    return id;
  });
}

/** Inserts a run in status 'training' (never usable until activated). */
export async function createModelRun(q: Queryable, run: NewModelRun): Promise<number> {
  const [{ id }] = await q.query<{ id: number }>(
    "INSERT INTO model_runs (dataset_id, params, engine, backend, status) VALUES ($1, $2::jsonb, $3, $4, 'training') RETURNING id",
    [run.datasetId, JSON.stringify(run.params), run.engine, run.backend],
  );
  return id;
}

/** Records the run's metrics so far (per-epoch table, timings, ...) and the backend it ended up on. */
export async function updateModelRunMetrics(
  q: Queryable,
  runId: number,
  metrics: Record<string, unknown>,
  backend?: string,
): Promise<void> {
  await q.query('UPDATE model_runs SET metrics = $2::jsonb, backend = coalesce($3, backend) WHERE id = $1', [
    runId,
    JSON.stringify(metrics),
    backend ?? null,
  ]);
}

/** Marks a run that will never complete; its rows stay for inspection but it can never become active. */
export async function markModelRunFailed(q: Queryable, runId: number, error: string): Promise<void> {
  await q.query(
    "UPDATE model_runs SET status = 'failed', metrics = metrics || jsonb_build_object('error', $2::text) WHERE id = $1 AND status = 'training'",
    [runId, error],
  );
}

export interface ActivationResult {
  previousRunId: number | null;
  droppedIndexes: string[];
}

/**
 * Makes `runId` the single active run, in one transaction: previous active run off,
 * this one complete + active, the analysts' views repointed at it, NOTIFY
 * cinemap_model. Readers see either the old run or the new one, never a mix. Old
 * runs keep their rows; their HNSW indexes are dropped (only the active run is served).
 */
export async function activateModelRun(db: Db, runId: number, dim: number): Promise<ActivationResult> {
  checkRun(runId);
  checkDim(dim);
  return db.transaction(async (tx) => {
    // Two trainers finishing together activate one after the other (without this, the
    // second could miss the first's row and break the one-active index).
    await tx.query('SELECT pg_advisory_xact_lock($1)', [ACTIVATION_LOCK]);
    const [run] = await tx.query<{ status: ModelRunStatus; datasetId: number }>(
      'SELECT status, dataset_id AS "datasetId" FROM model_runs WHERE id = $1 FOR UPDATE',
      [runId],
    );
    if (!run) throw new DbError(`Model run ${runId} does not exist (deleted by another trainer's --keep-runs?).`);
    if (run.status === 'failed') throw new DbError(`Model run ${runId} failed and cannot be activated.`);
    const [{ n }] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM run_movies WHERE run_id = $1', [runId]);
    if (n === 0) {
      // A run made without its catalogue (older versions, test fixtures): the loaded
      // catalogue is its own only while its dataset is the active one.
      const ds = await tx.query<{ id: number }>('SELECT id FROM datasets WHERE id = $1 AND active FOR SHARE', [run.datasetId]);
      if (!ds.length)
        throw new DbError(
          `Model run ${runId} was trained on dataset ${run.datasetId}, which is no longer loaded, and has no catalogue of its own: it cannot be served.`,
          'Train a new run on the active dataset: npm run train.',
        );
      await copyRunCatalogue(tx, runId);
    }
    const prev = await tx.query<{ id: number }>('SELECT id FROM model_runs WHERE active AND id <> $1 FOR UPDATE', [runId]);
    await tx.query('UPDATE model_runs SET active = false WHERE active AND id <> $1', [runId]);
    await tx.query("UPDATE model_runs SET status = 'complete', active = true WHERE id = $1", [runId]);
    await pointActiveViews(tx, runId, dim);
    const dropped = await dropOtherRunIndexes(tx, runId);
    await tx.query('SELECT pg_notify($1, $2)', [MODEL_CHANNEL, String(runId)]);
    return { previousRunId: prev.length ? prev[0].id : null, droppedIndexes: dropped };
  });
}

/**
 * Deletes inactive runs beyond the newest `keep` (their embeddings and catalogue
 * cascade). Never a run still training (another trainer's, on the same database) unless
 * it is older than the lease (TRAINING_LEASE_HOURS: its trainer was killed). Returns the ids removed.
 */
export async function pruneModelRuns(q: Queryable, keep: number, leaseHours = TRAINING_LEASE_HOURS): Promise<number[]> {
  const rows = await q.query<{ id: number }>(
    `DELETE FROM model_runs
     WHERE NOT active
       AND (status <> 'training' OR created_at < now() - make_interval(hours => $2))
       AND id NOT IN (SELECT id FROM model_runs ORDER BY id DESC LIMIT $1)
     RETURNING id`,
    [Math.max(0, keep | 0), leaseHours],
  );
  return rows.map((r) => r.id);
}
