// A run's audience and blend vectors (movie_audience_embeddings, migration 400; what
// they are: docs/similarity.md), bulk-loaded with COPY in the trainer's write
// transaction; their per-run HNSW indexes (partial expression indexes as for the taste
// vectors in ./embedding-indexes.ts); the analysts' views active_audience_embeddings
// and active_blend_embeddings, pointed at the activated run; and the reads the gateway
// and the tests make.
import { DbError, Queryable, csvChunks, csvField, forEachKeyPage, parseVector, vectorLiteral } from '../db';
import { checkDim, checkRun } from './embedding-indexes';
import { parseVectorInto, type ScoredMovieId } from './movies';
import { viewCommentsSql } from '../migrations/comments';

export type VectorBasis = 'audience' | 'blend';
const BASES: readonly VectorBasis[] = ['audience', 'blend'];

export interface AudienceRow {
  movieId: number;
  audience: ArrayLike<number>;
  blend: ArrayLike<number>;
}

function audienceCsv(runId: number, rows: Iterable<AudienceRow>): Generator<string> {
  return csvChunks(rows, (r) => `${runId},${r.movieId},${csvField(vectorLiteral(r.audience))},${csvField(vectorLiteral(r.blend))}\n`);
}

/** Bulk-loads a run's audience and blend vectors (COPY). */
export async function copyAudienceEmbeddings(q: Queryable, runId: number, rows: Iterable<AudienceRow>): Promise<number> {
  checkRun(runId);
  return q.copyFrom('movie_audience_embeddings', ['run_id', 'movie_id', 'audience', 'blend'], audienceCsv(runId, rows));
}

function checkBasis(basis: string): VectorBasis {
  if (!(BASES as readonly string[]).includes(basis))
    throw new DbError(`Invalid vector basis: ${JSON.stringify(basis)} (audience or blend)`);
  return basis as VectorBasis;
}

/** Names of the run's HNSW indexes over its audience and blend vectors. */
export function audienceIndexName(runId: number, basis: VectorBasis): string {
  return `movie_${checkBasis(basis)}_hnsw_run_${checkRun(runId)}`;
}

/** The run's vector dimensions, or null when it has no audience vectors (a run trained before they existed). */
export async function audienceDims(q: Queryable, runId: number): Promise<{ audience: number; blend: number } | null> {
  const rows = await q.query<{ audience: number; blend: number }>(
    'SELECT vector_dims(audience) AS audience, vector_dims(blend) AS blend FROM movie_audience_embeddings WHERE run_id = $1 LIMIT 1',
    [checkRun(runId)],
  );
  return rows.length ? rows[0] : null;
}

/** Builds the run's two HNSW indexes (cosine), one per basis, after its rows are written. */
export async function createRunAudienceIndexes(q: Queryable, runId: number, dims: { audience: number; blend: number }): Promise<void> {
  for (const basis of BASES) {
    const d = checkDim(dims[basis]);
    await q.exec(
      `CREATE INDEX IF NOT EXISTS ${audienceIndexName(runId, basis)} ON movie_audience_embeddings USING hnsw ((${basis}::vector(${d})) vector_cosine_ops) WHERE run_id = ${runId}`,
    );
  }
}

/**
 * Points active_audience_embeddings and active_blend_embeddings at `runId` (inside the
 * activation transaction). A run without audience vectors gets empty views of an
 * untyped vector column, so analysts' queries fail on nothing stale.
 */
export async function pointActiveAudienceViews(tx: Queryable, runId: number): Promise<void> {
  checkRun(runId);
  const dims = await audienceDims(tx, runId);
  for (const basis of BASES) {
    const view = `active_${basis}_embeddings` as const;
    const col = dims ? `${basis}::vector(${checkDim(dims[basis])})` : basis;
    // CREATE OR REPLACE VIEW cannot change a column's type: drop first (nothing depends on these views).
    await tx.exec(`DROP VIEW IF EXISTS ${view}`);
    await tx.exec(
      `CREATE VIEW ${view} AS SELECT movie_id, ${col} AS embedding, run_id FROM movie_audience_embeddings WHERE run_id = ${runId}`,
    );
    await tx.exec(`GRANT SELECT ON ${view} TO cinemap_gateway, cinemap_analyst, cinemap_writer`);
    // The dropped view lost its comments (migration 602's): write them again.
    await tx.exec(viewCommentsSql(view));
  }
}

/** Drops every other run's audience/blend HNSW indexes (their rows stay); returns their names. */
export async function dropOtherRunAudienceIndexes(tx: Queryable, runId: number): Promise<string[]> {
  const idx = await tx.query<{ name: string }>(
    "SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'movie_audience_embeddings' AND indexname LIKE '%\\_hnsw\\_run\\_%'",
  );
  const keep = new Set(BASES.map((b) => audienceIndexName(runId, b)));
  const dropped: string[] = [];
  for (const { name } of idx) {
    if (keep.has(name) || !/^movie_(audience|blend)_hnsw_run_\d+$/.test(name)) continue;
    await tx.exec(`DROP INDEX IF EXISTS ${name}`);
    dropped.push(name);
  }
  return dropped;
}

/** The run's audience vectors by movie id (the gateway blends them with the taste vectors it holds). */
export async function loadRunAudience(q: Queryable, runId: number): Promise<Map<number, Float32Array>> {
  const rows = await q.query<{ movieId: number; audience: string }>(
    'SELECT movie_id AS "movieId", audience::text AS audience FROM movie_audience_embeddings WHERE run_id = $1 ORDER BY movie_id',
    [checkRun(runId)],
  );
  return new Map(rows.map((r) => [r.movieId, parseVector(r.audience)]));
}

/**
 * `loadRunAudience` a page at a time: visits the run's audience vectors in movie id order,
 * `audience` a buffer reused for the next movie (copy what you keep); returns how many it
 * visited. What a load leaves to the garbage collector is one page of `pageSize` vectors.
 */
export async function forEachRunAudience(
  q: Queryable,
  runId: number,
  visit: (movieId: number, audience: Float32Array) => void,
  pageSize = 5000,
): Promise<number> {
  checkRun(runId);
  let buf: Float32Array = new Float32Array(0);
  return forEachKeyPage(
    pageSize,
    (after) =>
      q.query<{ movieId: number; audience: string }>(
        `SELECT movie_id AS "movieId", audience::text AS audience FROM movie_audience_embeddings
         WHERE run_id = $1 AND movie_id > $2 ORDER BY movie_id LIMIT $3`,
        [runId, after, pageSize],
      ),
    (r) => r.movieId,
    (r) => {
      buf = parseVectorInto(r.audience, buf);
      visit(r.movieId, buf);
    },
  );
}

/** The run's blend vectors by movie id (tests compare them with the gateway's own blend). */
export async function loadRunBlend(q: Queryable, runId: number): Promise<Map<number, Float32Array>> {
  const rows = await q.query<{ movieId: number; blend: string }>(
    'SELECT movie_id AS "movieId", blend::text AS blend FROM movie_audience_embeddings WHERE run_id = $1 ORDER BY movie_id',
    [checkRun(runId)],
  );
  return new Map(rows.map((r) => [r.movieId, parseVector(r.blend)]));
}

/**
 * Approximate neighbours through the run's HNSW index of one basis (recall tests and the
 * benchmark measure it against the exact answer). Literal run id and a scalar subquery
 * for the query vector, so the planner can prove the partial index's predicate.
 */
export async function similarMoviesAnnBasis(
  q: Queryable,
  runId: number,
  basis: VectorBasis,
  movieId: number,
  dim: number,
  k: number,
): Promise<ScoredMovieId[]> {
  const b = checkBasis(basis),
    d = checkDim(dim);
  checkRun(runId);
  const target = `(SELECT ${b}::vector(${d}) FROM movie_audience_embeddings WHERE run_id = ${runId} AND movie_id = $1)`;
  const rows = await q.query<ScoredMovieId>(
    `SELECT a.movie_id AS "movieId", 1 - (a.${b}::vector(${d}) <=> ${target}) AS similarity
     FROM movie_audience_embeddings a
     WHERE a.run_id = ${runId}
     ORDER BY a.${b}::vector(${d}) <=> ${target}
     LIMIT $2`,
    [movieId, k + 1],
  );
  return rows.filter((r) => r.movieId !== movieId).slice(0, k);
}
