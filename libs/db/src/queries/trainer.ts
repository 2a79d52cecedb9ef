// Typed queries used by apps/trainer. All of its SQL lives here: reading the active
// dataset's curated ratings, writing a run (row, embeddings, artifacts), the per-run
// pgvector HNSW indexes, and the one-transaction activation that analysts' views and
// the gateway (LISTEN cinemap_model) follow.
import { Db, DbError, Queryable, csvField, vectorLiteral } from '../db';

/** NOTIFY channel the gateway listens on; the payload is the new active run id. */
export const MODEL_CHANNEL = 'cinemap_model';

export type ModelRunStatus = 'training' | 'complete' | 'failed';

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
export async function streamCuratedRatings(db: Db, datasetId: number, onBatch: (b: RatingBatch) => void | Promise<void>, batchSize = 100_000): Promise<number> {
  let total = 0;
  await db.transaction(async (tx) => {
    await tx.query(`DECLARE trainer_ratings NO SCROLL CURSOR FOR SELECT user_id, movie_id, rating FROM curated_ratings WHERE dataset_id = ${Number(datasetId) | 0}`);
    for (;;) {
      const rows = await tx.query<{ user_id: number; movie_id: number; rating: number }>(`FETCH ${batchSize | 0} FROM trainer_ratings`);
      if (!rows.length) break;
      const b: RatingBatch = { userIds: new Int32Array(rows.length), movieIds: new Int32Array(rows.length), ratings: new Float32Array(rows.length) };
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

const CATALOGUE_COLUMNS = 'movie_id, title, display_title, year, genres, imdb_id, tmdb_id, rating_count, average_rating, title_keys';

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
export async function updateModelRunMetrics(q: Queryable, runId: number, metrics: Record<string, unknown>, backend?: string): Promise<void> {
  await q.query('UPDATE model_runs SET metrics = $2::jsonb, backend = coalesce($3, backend) WHERE id = $1', [runId, JSON.stringify(metrics), backend ?? null]);
}

/** Marks a run that will never complete; its rows stay for inspection but it can never become active. */
export async function markModelRunFailed(q: Queryable, runId: number, error: string): Promise<void> {
  await q.query(
    "UPDATE model_runs SET status = 'failed', metrics = metrics || jsonb_build_object('error', $2::text) WHERE id = $1 AND status = 'training'",
    [runId, error],
  );
}

export interface EmbeddingRow {
  id: number;
  embedding: ArrayLike<number>;
  bias: number;
  pcs?: readonly [number, number, number];
}

function* embeddingCsv(runId: number, rows: Iterable<EmbeddingRow>, withPcs: boolean): Generator<string> {
  let buf = '';
  for (const r of rows) {
    buf += `${runId},${r.id},${csvField(vectorLiteral(r.embedding))},${csvField(r.bias)}`;
    if (withPcs) buf += r.pcs ? `,${csvField(r.pcs[0])},${csvField(r.pcs[1])},${csvField(r.pcs[2])}` : ',,,';
    buf += '\n';
    if (buf.length > 1 << 20) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

/** Bulk-loads a run's movie embeddings (COPY). */
export async function copyMovieEmbeddings(q: Queryable, runId: number, rows: Iterable<EmbeddingRow>): Promise<number> {
  return q.copyFrom('movie_embeddings', ['run_id', 'movie_id', 'embedding', 'bias', 'pc1', 'pc2', 'pc3'], embeddingCsv(runId, rows, true));
}

/** Bulk-loads a run's user embeddings (COPY). */
export async function copyUserEmbeddings(q: Queryable, runId: number, rows: Iterable<EmbeddingRow>): Promise<number> {
  return q.copyFrom('user_embeddings', ['run_id', 'user_id', 'embedding', 'bias'], embeddingCsv(runId, rows, false));
}

export async function saveModelArtifact(q: Queryable, runId: number, kind: string, bytes: Uint8Array): Promise<void> {
  await q.query(
    'INSERT INTO model_artifacts (run_id, kind, bytes) VALUES ($1, $2, $3) ON CONFLICT (run_id, kind) DO UPDATE SET bytes = EXCLUDED.bytes',
    [runId, kind, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)],
  );
}

export async function getModelArtifact(q: Queryable, runId: number, kind: string): Promise<Uint8Array | null> {
  const rows = await q.query<{ bytes: Uint8Array }>('SELECT bytes FROM model_artifacts WHERE run_id = $1 AND kind = $2', [runId, kind]);
  return rows.length ? new Uint8Array(rows[0].bytes) : null;
}

function checkRun(runId: number): number {
  if (!Number.isSafeInteger(runId) || runId <= 0) throw new DbError(`Invalid model run id: ${String(runId)}`);
  return runId;
}
function checkDim(dim: number): number {
  if (!Number.isInteger(dim) || dim < 1 || dim > 16000) throw new DbError(`Invalid embedding dimension: ${String(dim)} (1..16000)`);
  return dim;
}

/** Names of the per-run HNSW indexes (partial, on an expression cast to the run's dimension). */
export function runIndexNames(runId: number): { movies: string; users: string } {
  return { movies: `movie_embeddings_hnsw_run_${checkRun(runId)}`, users: `user_embeddings_hnsw_run_${runId}` };
}

/**
 * Builds the run's HNSW indexes. `embedding` has no fixed dimension (runs differ), so
 * the index is on `embedding::vector(dim)`, restricted to this run's rows; the
 * active_* views select exactly that expression and predicate, so the planner uses it.
 */
export async function createRunEmbeddingIndexes(q: Queryable, runId: number, dim: number): Promise<void> {
  const n = runIndexNames(runId);
  checkDim(dim);
  await q.exec(`CREATE INDEX IF NOT EXISTS ${n.movies} ON movie_embeddings USING hnsw ((embedding::vector(${dim})) vector_cosine_ops) WHERE run_id = ${runId}`);
  await q.exec(`CREATE INDEX IF NOT EXISTS ${n.users} ON user_embeddings USING hnsw ((embedding::vector(${dim})) vector_cosine_ops) WHERE run_id = ${runId}`);
}

async function viewDimension(q: Queryable, view: string): Promise<number | null> {
  // atttypmod of a vector(n) column is n; the view does not exist → no row.
  const rows = await q.query<{ typmod: number }>(
    "SELECT a.atttypmod AS typmod FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = current_schema() AND c.relname = $1 AND a.attname = 'embedding' AND c.relkind = 'v'",
    [view],
  );
  return rows.length ? rows[0].typmod : null;
}

async function replaceView(q: Queryable, view: string, dim: number, body: string): Promise<void> {
  const current = await viewDimension(q, view);
  // CREATE OR REPLACE VIEW cannot change a column's type (vector(50) → vector(32)).
  if (current !== null && current !== dim) await q.exec(`DROP VIEW ${view}`);
  await q.exec(`CREATE OR REPLACE VIEW ${view} AS ${body}`);
  await q.exec(`GRANT SELECT ON ${view} TO cinemap_gateway, cinemap_analyst, cinemap_writer`);
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
    const [run] = await tx.query<{ status: ModelRunStatus; datasetId: number }>('SELECT status, dataset_id AS "datasetId" FROM model_runs WHERE id = $1 FOR UPDATE', [runId]);
    if (!run) throw new DbError(`Model run ${runId} does not exist (deleted by another trainer's --keep-runs?).`);
    if (run.status === 'failed') throw new DbError(`Model run ${runId} failed and cannot be activated.`);
    const [{ n }] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM run_movies WHERE run_id = $1', [runId]);
    if (n === 0) {
      // A run made without its catalogue (older versions, test fixtures): the loaded
      // catalogue is its own only while its dataset is the active one.
      const ds = await tx.query<{ id: number }>('SELECT id FROM datasets WHERE id = $1 AND active FOR SHARE', [run.datasetId]);
      if (!ds.length) throw new DbError(`Model run ${runId} was trained on dataset ${run.datasetId}, which is no longer loaded, and has no catalogue of its own: it cannot be served.`, 'Train a new run on the active dataset: npm run train.');
      await copyRunCatalogue(tx, runId);
    }
    const prev = await tx.query<{ id: number }>('SELECT id FROM model_runs WHERE active AND id <> $1 FOR UPDATE', [runId]);
    await tx.query('UPDATE model_runs SET active = false WHERE active AND id <> $1', [runId]);
    await tx.query("UPDATE model_runs SET status = 'complete', active = true WHERE id = $1", [runId]);
    await replaceView(tx, 'active_movie_embeddings', dim, `SELECT movie_id, embedding::vector(${dim}) AS embedding, bias, pc1, pc2, pc3, run_id FROM movie_embeddings WHERE run_id = ${runId}`);
    await replaceView(tx, 'active_user_embeddings', dim, `SELECT user_id, embedding::vector(${dim}) AS embedding, bias, run_id FROM user_embeddings WHERE run_id = ${runId}`);
    const idx = await tx.query<{ name: string }>(
      "SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND (indexname LIKE 'movie\\_embeddings\\_hnsw\\_run\\_%' OR indexname LIKE 'user\\_embeddings\\_hnsw\\_run\\_%')",
    );
    const keep = new Set(Object.values(runIndexNames(runId)));
    const dropped: string[] = [];
    for (const { name } of idx) {
      if (keep.has(name) || !/^(movie|user)_embeddings_hnsw_run_\d+$/.test(name)) continue;
      await tx.exec(`DROP INDEX IF EXISTS ${name}`);
      dropped.push(name);
    }
    await tx.query('SELECT pg_notify($1, $2)', [MODEL_CHANNEL, String(runId)]);
    return { previousRunId: prev.length ? prev[0].id : null, droppedIndexes: dropped };
  });
}

export interface ModelRunRow {
  id: number;
  datasetId: number;
  status: ModelRunStatus;
  active: boolean;
  engine: string;
  backend: string;
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
}

const RUN_COLUMNS = 'id, dataset_id AS "datasetId", status, active, engine, backend, params, metrics';

export async function getActiveModelRun(q: Queryable): Promise<ModelRunRow | null> {
  const rows = await q.query<ModelRunRow>(`SELECT ${RUN_COLUMNS} FROM model_runs WHERE active`);
  return rows[0] ?? null;
}

export async function getModelRun(q: Queryable, runId: number): Promise<ModelRunRow | null> {
  const rows = await q.query<ModelRunRow>(`SELECT ${RUN_COLUMNS} FROM model_runs WHERE id = $1`, [runId]);
  return rows[0] ?? null;
}

export async function countRunEmbeddings(q: Queryable, runId: number): Promise<{ movies: number; users: number }> {
  const [r] = await q.query<{ movies: number; users: number }>(
    'SELECT (SELECT count(*)::int FROM movie_embeddings WHERE run_id = $1) AS movies, (SELECT count(*)::int FROM user_embeddings WHERE run_id = $1) AS users',
    [runId],
  );
  return r;
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

/** Reads a run's movie embeddings back (tests, the bench): id, vector text parsed by the caller. */
export async function listMovieEmbeddings(q: Queryable, runId: number): Promise<{ movieId: number; embedding: string; bias: number; pc1: number | null; pc2: number | null; pc3: number | null }[]> {
  return q.query('SELECT movie_id AS "movieId", embedding::text AS embedding, bias, pc1, pc2, pc3 FROM movie_embeddings WHERE run_id = $1 ORDER BY movie_id', [runId]);
}

/** Plans an analyst's nearest-neighbour query on the active view (for the index test and docs). */
export async function explainActiveMovieNeighbours(q: Queryable, query: ArrayLike<number>, k: number): Promise<string> {
  const rows = await q.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT movie_id FROM active_movie_embeddings ORDER BY embedding <=> $1::vector LIMIT ${k | 0}`, [vectorLiteral(query)]);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

/**
 * Test and demo support: creates an active, complete dataset holding the given curated
 * ratings (the ingest normally does this). Deactivates any previous dataset.
 */
export async function seedCuratedDataset(db: Db, source: string, ratings: { userIds: ArrayLike<number>; movieIds: ArrayLike<number>; ratings: ArrayLike<number> }): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query('UPDATE datasets SET active = false WHERE active');
    const [{ id }] = await tx.query<{ id: number }>("INSERT INTO datasets (source, status, active) VALUES ($1, 'complete', true) RETURNING id", [source]);
    function* csv(): Generator<string> {
      let buf = '';
      for (let i = 0; i < ratings.userIds.length; i++) {
        buf += `${id},${ratings.userIds[i]},${ratings.movieIds[i]},${ratings.ratings[i]}\n`;
        if (buf.length > 1 << 20) {
          yield buf;
          buf = '';
        }
      }
      if (buf) yield buf;
    }
    await tx.copyFrom('curated_ratings', ['dataset_id', 'user_id', 'movie_id', 'rating'], csv());
    return id;
  });
}
