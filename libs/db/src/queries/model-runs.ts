// model_runs: a training run's life. Created 'training' together with its catalogue
// (run_movies, a copy of the movies it was trained with) while its dataset is checked to
// be the active one; metrics recorded; activated in ONE transaction (exactly one active,
// the analysts' views repointed, NOTIFY MODEL_CHANNEL for the gateway's hot swap) or
// marked failed; old runs pruned. The gateway serves getServedModelRun(). Rollback
// (`npm run model`): list the runs, activate an earlier complete one of the active
// dataset through the same activation transaction, delete an inactive one.
import { Db, DbError, Queryable } from '../db';
import {
  analyzeRunTables,
  checkDim,
  checkRun,
  createRunEmbeddingIndexes,
  dropOtherRunIndexes,
  pointActiveViews,
  runIndexNames,
} from './embedding-indexes';
import {
  audienceDims,
  audienceIndexName,
  createRunAudienceIndexes,
  dropOtherRunAudienceIndexes,
  pointActiveAudienceViews,
} from './audience-embeddings';

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
 * Then ANALYZE (after the commit), so analysts' plans know the run's size.
 */
export async function activateModelRun(db: Db, runId: number, dim: number): Promise<ActivationResult> {
  checkRun(runId);
  checkDim(dim);
  const result = await db.transaction(async (tx) => {
    const run = await lockRunForActivation(tx, runId);
    if (run.status === 'failed') throw new DbError(`Model run ${runId} failed and cannot be activated.`);
    await ensureRunCatalogue(tx, runId, run.datasetId);
    return switchActiveRun(tx, runId, dim);
  });
  await analyzeRunTables(db);
  return result;
}

/** Takes the activation lock and the run's row (FOR UPDATE); a missing run is an error. */
async function lockRunForActivation(tx: Queryable, runId: number): Promise<{ status: ModelRunStatus; datasetId: number }> {
  // Two trainers finishing together activate one after the other (without this, the
  // second could miss the first's row and break the one-active index).
  await tx.query('SELECT pg_advisory_xact_lock($1)', [ACTIVATION_LOCK]);
  const [run] = await tx.query<{ status: ModelRunStatus; datasetId: number }>(
    'SELECT status, dataset_id AS "datasetId" FROM model_runs WHERE id = $1 FOR UPDATE',
    [runId],
  );
  if (!run) throw new DbError(`Model run ${runId} does not exist (deleted by another trainer's --keep-runs?).`);
  return run;
}

async function ensureRunCatalogue(tx: Queryable, runId: number, datasetId: number): Promise<void> {
  const [{ n }] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM run_movies WHERE run_id = $1', [runId]);
  if (n > 0) return;
  // A run made without its catalogue (older versions, test fixtures): the loaded
  // catalogue is its own only while its dataset is the active one.
  const ds = await tx.query<{ id: number }>('SELECT id FROM datasets WHERE id = $1 AND active FOR SHARE', [datasetId]);
  if (!ds.length)
    throw new DbError(
      `Model run ${runId} was trained on dataset ${datasetId}, which is no longer loaded, and has no catalogue of its own: it cannot be served.`,
      'Train a new run on the active dataset: npm run train.',
    );
  await copyRunCatalogue(tx, runId);
}

/** The one switch (inside the caller's transaction, lock held): flags, views of every basis, other runs' indexes, NOTIFY. */
async function switchActiveRun(tx: Queryable, runId: number, dim: number): Promise<ActivationResult> {
  const prev = await tx.query<{ id: number }>('SELECT id FROM model_runs WHERE active AND id <> $1 FOR UPDATE', [runId]);
  await tx.query('UPDATE model_runs SET active = false WHERE active AND id <> $1', [runId]);
  await tx.query("UPDATE model_runs SET status = 'complete', active = true WHERE id = $1", [runId]);
  await pointActiveViews(tx, runId, dim);
  await pointActiveAudienceViews(tx, runId);
  const dropped = [...(await dropOtherRunIndexes(tx, runId)), ...(await dropOtherRunAudienceIndexes(tx, runId))];
  await tx.query('SELECT pg_notify($1, $2)', [MODEL_CHANNEL, String(runId)]);
  return { previousRunId: prev.length ? prev[0].id : null, droppedIndexes: dropped };
}

/** One run as `npm run model -- list` shows it. */
export interface ModelRunSummary {
  id: number;
  datasetId: number;
  createdAt: Date;
  status: ModelRunStatus;
  active: boolean;
  engine: string;
  backend: string;
  /** Embedding size (null: no embeddings written). */
  dim: number | null;
  movies: number;
  validRmse: number | null;
  /** Whether its dataset is the active one (only such runs can be activated). */
  onActiveDataset: boolean;
}

/** Every run, newest first, with what deciding on a rollback needs. */
export async function listModelRuns(q: Queryable): Promise<ModelRunSummary[]> {
  return q.query<ModelRunSummary>(
    `SELECT r.id, r.dataset_id AS "datasetId", r.created_at AS "createdAt", r.status, r.active, r.engine, r.backend,
            (SELECT vector_dims(e.embedding) FROM movie_embeddings e WHERE e.run_id = r.id LIMIT 1) AS dim,
            (SELECT count(*)::int FROM movie_embeddings e WHERE e.run_id = r.id) AS movies,
            (r.metrics->>'validRmse')::float8 AS "validRmse",
            coalesce(d.active, false) AS "onActiveDataset"
     FROM model_runs r LEFT JOIN datasets d ON d.id = r.dataset_id
     ORDER BY r.id DESC`,
  );
}

/**
 * Rollback (`npm run model -- activate <run>`): makes an earlier complete run of the
 * active dataset the active one, with the trainer's one activation transaction
 * (switchActiveRun: views, indexes, NOTIFY). Refuses a run that is not complete
 * (still training, failed), has no embeddings, or was trained on another dataset than
 * the active one (its titles are not the loaded ones). Its HNSW indexes (dropped when
 * another run became active: taste, and audience/blend when it has those vectors) are
 * built again first.
 */
export async function activateCompleteRun(db: Db, runId: number): Promise<ActivationResult & { dim: number }> {
  checkRun(runId);
  const dim = await runDimension(db, runId);
  // Refused before any index is built (a refusal leaves nothing behind), and again under the lock.
  await refuseUnactivatable(db, runId, await runRow(db, runId));
  await createRunEmbeddingIndexes(db, runId, dim);
  // Its audience and blend indexes were dropped with the taste ones (none: a run trained before them).
  const dims = await audienceDims(db, runId);
  if (dims) await createRunAudienceIndexes(db, runId, dims);
  const result = await db.transaction(async (tx) => {
    const run = await lockRunForActivation(tx, runId);
    await refuseUnactivatable(tx, runId, run, 'FOR SHARE');
    await ensureRunCatalogue(tx, runId, run.datasetId);
    return switchActiveRun(tx, runId, dim);
  });
  await analyzeRunTables(db);
  return { ...result, dim };
}

async function runRow(q: Queryable, runId: number): Promise<{ status: ModelRunStatus; datasetId: number }> {
  const [run] = await q.query<{ status: ModelRunStatus; datasetId: number }>(
    'SELECT status, dataset_id AS "datasetId" FROM model_runs WHERE id = $1',
    [runId],
  );
  if (!run) throw new DbError(`Model run ${runId} does not exist.`, 'List the runs with: npm run model -- list');
  return run;
}

/** A rollback's refusals: a run not complete (still training, failed), or trained on another dataset than the active one. */
async function refuseUnactivatable(
  q: Queryable,
  runId: number,
  run: { status: ModelRunStatus; datasetId: number },
  lock: '' | 'FOR SHARE' = '',
): Promise<void> {
  if (run.status !== 'complete')
    throw new DbError(
      `Model run ${runId} is ${run.status === 'training' ? 'still training (or its trainer was killed)' : 'failed'}: only a complete run can be activated.`,
      'List the runs with: npm run model -- list',
    );
  const [ds] = await q.query<{ id: number }>(`SELECT id FROM datasets WHERE active ${lock}`);
  if (!ds || ds.id !== run.datasetId)
    throw new DbError(
      `Model run ${runId} was trained on dataset ${run.datasetId}, but dataset ${ds?.id ?? '(none)'} is the active one: its titles and ratings are not the loaded ones.`,
      'Activate a run of the active dataset (npm run model -- list), or train one: npm run train.',
    );
}

/** The embedding size of a run's rows; a run without embeddings is an error (nothing to serve). */
async function runDimension(q: Queryable, runId: number): Promise<number> {
  const [run] = await q.query<{ dim: number | null }>(
    'SELECT (SELECT vector_dims(e.embedding) FROM movie_embeddings e WHERE e.run_id = r.id LIMIT 1) AS dim FROM model_runs r WHERE r.id = $1',
    [runId],
  );
  if (!run) throw new DbError(`Model run ${runId} does not exist.`, 'List the runs with: npm run model -- list');
  if (run.dim === null)
    throw new DbError(`Model run ${runId} has no embeddings: there is nothing to serve.`, 'List the runs with: npm run model -- list');
  return run.dim;
}

/**
 * `npm run model -- delete <run>`: removes an inactive run (its embeddings, catalogue
 * and artifacts cascade) and its HNSW indexes, in one transaction under the activation
 * lock (so it cannot race an activation of the same run). Refuses the active run, and a
 * run still training within its lease (its trainer may be writing it).
 */
export async function deleteModelRun(db: Db, runId: number, leaseHours = TRAINING_LEASE_HOURS): Promise<void> {
  checkRun(runId);
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [ACTIVATION_LOCK]);
    const [run] = await tx.query<{ active: boolean; status: ModelRunStatus; fresh: boolean }>(
      `SELECT active, status, created_at > now() - make_interval(hours => $2) AS fresh FROM model_runs WHERE id = $1 FOR UPDATE`,
      [runId, leaseHours],
    );
    if (!run) throw new DbError(`Model run ${runId} does not exist.`, 'List the runs with: npm run model -- list');
    if (run.active)
      throw new DbError(
        `Model run ${runId} is the active run: the gateway serves it, so it cannot be deleted.`,
        'Activate another run first (npm run model -- activate <run>), then delete this one.',
      );
    if (run.status === 'training' && run.fresh)
      throw new DbError(
        `Model run ${runId} is still training (started less than ${leaseHours} h ago): its trainer may be writing it.`,
        `Wait for it to finish or fail; a run left 'training' for ${leaseHours} h counts as abandoned and can be deleted.`,
      );
    const names = [...Object.values(runIndexNames(runId)), audienceIndexName(runId, 'audience'), audienceIndexName(runId, 'blend')];
    for (const name of names) await tx.exec(`DROP INDEX IF EXISTS ${name}`);
    await tx.query('DELETE FROM model_runs WHERE id = $1', [runId]);
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
