// Typed queries used by apps/gateway. All of its SQL lives here (and in the gateway
// migrations, which hold resolve_title() and the analysts' similar_movies()).
// A run is served with its own catalogue (run_movies, copied when the run was created),
// never with whatever `movies` holds now: an ingest of another dump without a new run
// leaves what the gateway answers unchanged. Functions taking a run id read that run's
// catalogue; a null run (nothing trained yet) reads the loaded catalogue, `movies`.
import { minRatingCountOf, type Movie, type MovieFilter, type TitleIndexEntry } from '@cinemap/domain';
import { Queryable, parseVector, vectorLiteral } from '../db';

/** A catalogue movie, with its bias in the active run when it has one. */
export interface MovieRow extends Movie {
  bias: number | null;
}

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
}

/** One movie of a run, as the gateway's in-memory snapshot needs it. */
export interface RunMovieRow extends MovieRow {
  embedding: Float32Array;
  bias: number;
  pc1: number | null;
  pc2: number | null;
  pc3: number | null;
}

export interface ScoredMovieId {
  movieId: number;
  similarity: number;
}

const MOVIE_COLUMNS = `m.movie_id AS "movieId", m.title, m.display_title AS "displayTitle", m.year, m.genres,
  m.imdb_id AS "imdbId", m.tmdb_id AS "tmdbId", m.rating_count AS "ratingCount", m.average_rating AS "averageRating"`;

// One static predicate (plan-cache friendly): each filter is a nullable parameter; the
// rating-count floor is the domain's (minRatingCountOf: DEFAULT_MIN_RATING_COUNT when absent).
// Parameters $2..$7 in every statement that uses it.
const FILTER_SQL = `($2::text[] IS NULL OR m.genres && $2::text[])
  AND ($3::text[] IS NULL OR NOT (m.genres && $3::text[]))
  AND ($4::integer IS NULL OR m.year >= $4::integer)
  AND ($5::integer IS NULL OR m.year <= $5::integer)
  AND ($6::real IS NULL OR m.average_rating >= $6::real)
  AND m.rating_count >= $7::integer`;

function filterParams(f: MovieFilter | null | undefined): unknown[] {
  return [
    f?.genres?.length ? [...f.genres] : null,
    f?.excludeGenres?.length ? [...f.excludeGenres] : null,
    f?.yearFrom ?? null,
    f?.yearTo ?? null,
    f?.minAverageRating ?? null,
    minRatingCountOf(f),
  ];
}

/**
 * Sets statement_timeout for the session. PostgreSQL pools set it per connection at
 * open (openDb's statementTimeoutMs); PGlite has one session, set here.
 */
export async function setStatementTimeout(q: Queryable, ms: number): Promise<void> {
  await q.query(`SELECT set_config('statement_timeout', $1, false)`, [String(Math.max(0, Math.floor(ms)))]);
}

/** Cheap round trip for /health/ready. */
export async function pingDatabase(q: Queryable): Promise<boolean> {
  const rows = await q.query<{ ok: number }>('SELECT 1 AS ok');
  return rows[0]?.ok === 1;
}

export async function getServedModelRun(q: Queryable): Promise<ServedModelRun | null> {
  const rows = await q.query<ServedModelRun>(
    `SELECT id, dataset_id AS "datasetId", (SELECT id FROM datasets WHERE active) AS "activeDatasetId",
            created_at AS "createdAt", params, engine, backend, metrics, status
     FROM model_runs WHERE active`,
  );
  return rows[0] ?? null;
}

/** The id of the dataset active now (null: none), e.g. after an ingest was notified. */
export async function getActiveDatasetId(q: Queryable): Promise<number | null> {
  const rows = await q.query<{ id: number }>('SELECT id FROM datasets WHERE active');
  return rows[0]?.id ?? null;
}

/** How many catalogue rows a run has (0: a run from before catalogues were kept per run). */
export async function countRunCatalogue(q: Queryable, runId: number): Promise<number> {
  const [{ n }] = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM run_movies WHERE run_id = $1', [runId]);
  return n;
}

/** Every movie of a run with its embedding and the run's catalogue fields, by movie id. */
export async function loadRunMovies(q: Queryable, runId: number): Promise<RunMovieRow[]> {
  const rows = await q.query<Omit<RunMovieRow, 'embedding'> & { embedding: string }>(
    `SELECT ${MOVIE_COLUMNS}, e.embedding::text AS embedding, e.bias, e.pc1, e.pc2, e.pc3
     FROM movie_embeddings e JOIN run_movies m ON m.run_id = e.run_id AND m.movie_id = e.movie_id
     WHERE e.run_id = $1
     ORDER BY m.movie_id`,
    [runId],
  );
  return rows.map((r) => ({ ...r, embedding: parseVector(r.embedding) }));
}

/** A run's stored artifact (e.g. 'onnx-scorer'), or null. */
export async function loadModelArtifact(q: Queryable, runId: number, kind: string): Promise<Uint8Array | null> {
  const rows = await q.query<{ bytes: Uint8Array }>('SELECT bytes FROM model_artifacts WHERE run_id = $1 AND kind = $2', [runId, kind]);
  return rows[0] ? new Uint8Array(rows[0].bytes) : null;
}

/**
 * Every movie's title keys in the run's catalogue: what the domain's TitleIndex (the
 * gateway's title resolution, whose twin is SQL resolve_title()) is built from.
 */
export async function loadTitleKeys(q: Queryable, runId: number): Promise<TitleIndexEntry[]> {
  return q.query<TitleIndexEntry>(
    `SELECT movie_id AS "movieId", year, rating_count AS "ratingCount", title_keys AS "titleKeys", char_length(title) AS "titleLength" FROM run_movies WHERE run_id = $1`,
    [runId],
  );
}

/**
 * resolve_title(): the movie id a typed title means, or null, in the catalogue of
 * `runId`; without one, in the active run's (as analysts' resolve_title() does).
 */
export async function resolveTitle(q: Queryable, title: string, runId?: number | null): Promise<number | null> {
  const rows = runId === undefined
    ? await q.query<{ id: number | null }>('SELECT resolve_title($1) AS id', [title])
    : await q.query<{ id: number | null }>('SELECT resolve_title_in($1, $2) AS id', [title, runId]);
  return rows[0]?.id ?? null;
}

/** Up to `n` "did you mean" titles for a title that resolved to nothing (catalogue as resolveTitle). */
export async function titleSuggestions(q: Queryable, title: string, n = 5, runId?: number | null): Promise<{ movieId: number; title: string; similarity: number }[]> {
  if (runId === undefined) return q.query(`SELECT movie_id AS "movieId", title, similarity FROM title_suggestions($1, $2)`, [title, n]);
  return q.query(`SELECT movie_id AS "movieId", title, similarity FROM title_suggestions_in($1, $2, $3)`, [title, n, runId]);
}

/** The SQL key of a title (cinemap_title_key), for tests against titleKey(). */
export async function sqlTitleKeys(q: Queryable, texts: readonly string[]): Promise<string[]> {
  const rows = await q.query<{ k: string }>('SELECT cinemap_title_key(t) AS k FROM unnest($1::text[]) WITH ORDINALITY AS u(t, i) ORDER BY i', [[...texts]]);
  return rows.map((r) => r.k);
}

/** The catalogue served with `runId`, as a FROM item aliased m; inCatalogue() restricts it to the run (parameter $n). */
function catalogue(runId: number | null): string {
  return runId === null ? 'movies m' : 'run_movies m';
}
function inCatalogue(runId: number | null, n: number): string {
  return runId === null ? 'true' : `m.run_id = $${n}::bigint`;
}

/** Movies by id (any order in, rows in the order of `ids`) from the run's catalogue, with their bias in `runId`. */
export async function getMoviesByIds(q: Queryable, ids: readonly number[], runId: number | null): Promise<MovieRow[]> {
  if (!ids.length) return [];
  const rows = await q.query<MovieRow>(
    `SELECT ${MOVIE_COLUMNS}, e.bias
     FROM unnest($1::integer[]) WITH ORDINALITY AS u(id, i)
     JOIN ${catalogue(runId)} ON m.movie_id = u.id AND ${inCatalogue(runId, 2)}
     LEFT JOIN movie_embeddings e ON e.run_id = $2 AND e.movie_id = m.movie_id
     ORDER BY u.i`,
    [[...ids], runId],
  );
  return rows;
}

/**
 * searchMovies: titles whose key starts with the typed key (most-rated first), then
 * trigram matches on the display title (most similar first).
 */
export async function searchMovies(q: Queryable, text: string, limit: number, runId: number | null): Promise<MovieRow[]> {
  return q.query<MovieRow>(
    `WITH k AS (SELECT cinemap_title_key($1) AS key),
     prefix AS (
       SELECT m.movie_id, 0 AS tier, 1::real AS score FROM ${catalogue(runId)}, k
       WHERE ${inCatalogue(runId, 3)} AND k.key <> '' AND EXISTS (SELECT 1 FROM unnest(m.title_keys) t WHERE starts_with(t, k.key))
     ),
     fuzzy AS (
       SELECT m.movie_id, 1 AS tier, similarity(m.display_title, $1) AS score FROM ${catalogue(runId)}
       WHERE ${inCatalogue(runId, 3)} AND m.display_title % $1
     ),
     ranked AS (
       SELECT movie_id, min(tier) AS tier, max(score) AS score FROM (SELECT * FROM prefix UNION ALL SELECT * FROM fuzzy) x GROUP BY movie_id
     )
     SELECT ${MOVIE_COLUMNS}, e.bias
     FROM ranked r JOIN ${catalogue(runId)} ON m.movie_id = r.movie_id AND ${inCatalogue(runId, 3)}
     LEFT JOIN movie_embeddings e ON e.run_id = $3 AND e.movie_id = m.movie_id
     ORDER BY r.tier, r.score DESC, m.rating_count DESC, m.movie_id
     LIMIT $2`,
    [text, limit, runId],
  );
}

/** Movies of the run by bias: 'most' = highest first, 'least' = lowest first. */
export async function appreciatedMovies(q: Queryable, runId: number, order: 'most' | 'least', limit: number, filter?: MovieFilter | null): Promise<MovieRow[]> {
  const dir = order === 'most' ? 'DESC' : 'ASC';
  return q.query<MovieRow>(
    `SELECT ${MOVIE_COLUMNS}, e.bias
     FROM movie_embeddings e JOIN run_movies m ON m.run_id = e.run_id AND m.movie_id = e.movie_id
     WHERE e.run_id = $1 AND ${FILTER_SQL}
     ORDER BY e.bias ${dir}, m.movie_id
     LIMIT $8`,
    [runId, ...filterParams(filter), limit],
  );
}

/** PCA coordinates of the run's movies, most-rated first (the blog's plot). */
export async function pcaProjection(q: Queryable, runId: number, limit: number, filter?: MovieFilter | null): Promise<(MovieRow & { x: number; y: number; z: number })[]> {
  return q.query(
    `SELECT ${MOVIE_COLUMNS}, e.bias, e.pc1 AS x, e.pc2 AS y, e.pc3 AS z
     FROM movie_embeddings e JOIN run_movies m ON m.run_id = e.run_id AND m.movie_id = e.movie_id
     WHERE e.run_id = $1 AND e.pc1 IS NOT NULL AND ${FILTER_SQL}
     ORDER BY m.rating_count DESC, m.movie_id
     LIMIT $8`,
    [runId, ...filterParams(filter), limit],
  );
}

/**
 * Exact cosine neighbours in pgvector (no index: ordering by the computed
 * similarity and movie id cannot use HNSW) of a stored movie (`query` a movie id)
 * or of a vector; `exclude` ids are left out. The reference the gateway's
 * in-memory path is tested against, and what the benchmark's SQL row measures.
 */
export async function similarMoviesExact(
  q: Queryable,
  runId: number,
  query: number | ArrayLike<number>,
  k: number,
  filter?: MovieFilter | null,
  exclude: readonly number[] = [],
): Promise<ScoredMovieId[]> {
  const byId = typeof query === 'number';
  const excluded = byId ? [query as number, ...exclude] : [...exclude];
  return q.query<ScoredMovieId>(
    `WITH qv AS (
       SELECT ${byId ? `(SELECT embedding FROM movie_embeddings WHERE run_id = $1 AND movie_id = $9)` : `$9::vector`} AS v
     )
     SELECT m.movie_id AS "movieId", 1 - (e.embedding <=> qv.v) AS similarity
     FROM qv, movie_embeddings e JOIN run_movies m ON m.run_id = e.run_id AND m.movie_id = e.movie_id
     WHERE e.run_id = $1 AND NOT (e.movie_id = ANY($10::integer[])) AND ${FILTER_SQL}
     ORDER BY 1 - (e.embedding <=> qv.v) DESC, m.movie_id
     LIMIT $8`,
    [runId, ...filterParams(filter), k, byId ? query : vectorLiteral(query as ArrayLike<number>), excluded],
  );
}

/** The analysts' function, called as they would: SELECT * FROM similar_movies(title, k). */
export async function similarMoviesFunction(q: Queryable, title: string, k: number): Promise<(ScoredMovieId & { title: string })[]> {
  return q.query(`SELECT movie_id AS "movieId", title, similarity FROM similar_movies($1, $2)`, [title, k]);
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
  return q.query<ScoredMovieId>(
    `SELECT e.movie_id AS "movieId", 1 - (e.embedding::vector(${d}) <=> (SELECT embedding::vector(${d}) FROM movie_embeddings WHERE run_id = ${runId} AND movie_id = $1)) AS similarity
     FROM movie_embeddings e
     WHERE e.run_id = ${runId}
     ORDER BY e.embedding::vector(${d}) <=> (SELECT embedding::vector(${d}) FROM movie_embeddings WHERE run_id = ${runId} AND movie_id = $1)
     LIMIT $2`,
    [movieId, k + 1],
  ).then((rows) => rows.filter((r) => r.movieId !== movieId).slice(0, k));
}

/** The plan PostgreSQL chooses for similarMoviesAnn's query (tests check it uses the HNSW index). */
export async function explainSimilarMoviesAnn(q: Queryable, runId: number, movieId: number, dim: number, k: number): Promise<string> {
  const d = Math.floor(dim);
  if (!Number.isSafeInteger(runId) || runId <= 0) throw new Error(`explainSimilarMoviesAnn: bad run id ${runId}`);
  const rows = await q.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN SELECT e.movie_id FROM movie_embeddings e WHERE e.run_id = ${runId}
     ORDER BY e.embedding::vector(${d}) <=> (SELECT embedding::vector(${d}) FROM movie_embeddings WHERE run_id = ${runId} AND movie_id = ${movieId | 0}) LIMIT ${k | 0}`,
  );
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}
