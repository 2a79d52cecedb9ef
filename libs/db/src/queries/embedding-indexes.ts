// The per-run HNSW indexes analysts' nearest-neighbour SQL uses. movie_embeddings.
// embedding is an untyped `vector` (--factors varies by run), so each run gets a
// partial expression index, `USING hnsw ((embedding::vector(<dim>)) vector_cosine_ops)
// WHERE run_id = <run>`, built after its rows are written; activation points the
// active_* views at the same expression and predicate and drops other runs' indexes.
import { DbError, Queryable } from '../db';
import type { ScoredMovieId } from './movies';
import { viewCommentsSql } from '../migrations/comments';

export function checkRun(runId: number): number {
  if (!Number.isSafeInteger(runId) || runId <= 0) throw new DbError(`Invalid model run id: ${String(runId)}`);
  return runId;
}

export function checkDim(dim: number): number {
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
  await q.exec(
    `CREATE INDEX IF NOT EXISTS ${n.movies} ON movie_embeddings USING hnsw ((embedding::vector(${dim})) vector_cosine_ops) WHERE run_id = ${runId}`,
  );
  await q.exec(
    `CREATE INDEX IF NOT EXISTS ${n.users} ON user_embeddings USING hnsw ((embedding::vector(${dim})) vector_cosine_ops) WHERE run_id = ${runId}`,
  );
}

async function viewDimension(q: Queryable, view: string): Promise<number | null> {
  // atttypmod of a vector(n) column is n; the view does not exist → no row.
  const rows = await q.query<{ typmod: number }>(
    "SELECT a.atttypmod AS typmod FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = current_schema() AND c.relname = $1 AND a.attname = 'embedding' AND c.relkind = 'v'",
    [view],
  );
  return rows.length ? rows[0].typmod : null;
}

async function replaceView(
  q: Queryable,
  view: 'active_movie_embeddings' | 'active_user_embeddings',
  dim: number,
  body: string,
): Promise<void> {
  const current = await viewDimension(q, view);
  // CREATE OR REPLACE VIEW cannot change a column's type (vector(50) → vector(32)).
  if (current !== null && current !== dim) await q.exec(`DROP VIEW ${view}`);
  await q.exec(`CREATE OR REPLACE VIEW ${view} AS ${body}`);
  await q.exec(`GRANT SELECT ON ${view} TO cinemap_gateway, cinemap_analyst, cinemap_writer`);
  // A dropped view lost its comments: write them again (cheap, every time).
  await q.exec(viewCommentsSql(view));
}

/**
 * Points the analysts' views at `runId` (inside the activation transaction): the view
 * selects exactly the per-run index's expression and predicate, so a nearest-neighbour
 * ORDER BY over the view uses that index.
 */
export async function pointActiveViews(tx: Queryable, runId: number, dim: number): Promise<void> {
  checkRun(runId);
  checkDim(dim);
  await replaceView(
    tx,
    'active_movie_embeddings',
    dim,
    `SELECT movie_id, embedding::vector(${dim}) AS embedding, bias, pc1, pc2, pc3, run_id FROM movie_embeddings WHERE run_id = ${runId}`,
  );
  await replaceView(
    tx,
    'active_user_embeddings',
    dim,
    `SELECT user_id, embedding::vector(${dim}) AS embedding, bias, run_id FROM user_embeddings WHERE run_id = ${runId}`,
  );
}

/** Drops every other run's HNSW indexes (only the active run is served); returns their names. Their rows stay. */
export async function dropOtherRunIndexes(tx: Queryable, runId: number): Promise<string[]> {
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
  return dropped;
}

/**
 * Approximate neighbours through the run's HNSW index (the trainer builds a partial
 * expression index on embedding::vector(dim) WHERE run_id = <run>); used by the
 * benchmark for recall@k against the exact answer. hnsw.ef_search stays at its default.
 */
export async function similarMoviesAnn(q: Queryable, runId: number, movieId: number, dim: number, k: number): Promise<ScoredMovieId[]> {
  const d = Math.floor(dim);
  if (!Number.isSafeInteger(runId) || runId <= 0) throw new Error(`similarMoviesAnn: bad run id ${runId}`);
  // The planner uses the partial HNSW index only when the run id is a literal (it must
  // prove the index predicate) and the query vector a scalar subquery (an InitPlan
  // parameter); a join against the query row falls back to a full sort.
  return q
    .query<ScoredMovieId>(
      `SELECT e.movie_id AS "movieId", 1 - (e.embedding::vector(${d}) <=> (SELECT embedding::vector(${d}) FROM movie_embeddings WHERE run_id = ${runId} AND movie_id = $1)) AS similarity
     FROM movie_embeddings e
     WHERE e.run_id = ${runId}
     ORDER BY e.embedding::vector(${d}) <=> (SELECT embedding::vector(${d}) FROM movie_embeddings WHERE run_id = ${runId} AND movie_id = $1)
     LIMIT $2`,
      [movieId, k + 1],
    )
    .then((rows) => rows.filter((r) => r.movieId !== movieId).slice(0, k));
}

/**
 * Statistics for a newly activated run's rows (call after the activation commits). Without
 * them (PGlite has no autovacuum; PostgreSQL's comes later) the planner takes the run for a
 * few rows and sorts instead of using its HNSW index, even with enable_seqscan off
 * (docs/sql-guide.md, measured). A role that does not own the tables (the writer on a
 * server) gets a warning, not an error; autovacuum does it there.
 */
export async function analyzeRunTables(q: Queryable): Promise<void> {
  await q.exec(
    'ANALYZE movie_embeddings; ANALYZE user_embeddings; ANALYZE movie_audience_embeddings; ANALYZE run_movies; ANALYZE model_runs',
  );
}
