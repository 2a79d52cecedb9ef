// Queries only tests use: read-backs that check what a step wrote (fingerprints,
// counts, rows as stored), query plans (the HNSW indexes are used), the analysts' SQL
// functions called as an analyst would, and a curated dataset seeded without an ingest.
// Reached through @cinemap/db/testing, never from production code.
import type { Movie } from '@cinemap/domain';
import { csvChunks, vectorLiteral, type Db, type Queryable } from '../db';
import type { ModelRunStatus } from '../queries/model-runs';
import type { ScoredMovieId } from '../queries/movies';

/** The SQL key of a title (cinemap_title_key), for tests against titleKey(). */
export async function sqlTitleKeys(q: Queryable, texts: readonly string[]): Promise<string[]> {
  const rows = await q.query<{ k: string }>(
    'SELECT cinemap.cinemap_title_key(t) AS k FROM unnest($1::text[]) WITH ORDINALITY AS u(t, i) ORDER BY i',
    [[...texts]],
  );
  return rows.map((r) => r.k);
}

/** The analysts' function, called as they would: SELECT * FROM similar_movies(title, k). */
export async function similarMoviesFunction(
  q: Queryable,
  title: string,
  k: number,
  basis?: string,
): Promise<(ScoredMovieId & { title: string })[]> {
  if (basis === undefined)
    return q.query(`SELECT movie_id AS "movieId", title, similarity FROM cinemap.similar_movies($1, $2)`, [title, k]);
  return q.query(`SELECT movie_id AS "movieId", title, similarity FROM cinemap.similar_movies($1, $2, $3)`, [title, k, basis]);
}

export interface DatasetRow {
  id: number;
  created_at: Date;
  source: string;
  params: Record<string, unknown>;
  counts: Record<string, unknown>;
  status: 'loading' | 'complete' | 'failed';
  active: boolean;
}

export async function getActiveDataset(q: Queryable): Promise<DatasetRow | null> {
  const rows = await q.query<DatasetRow>('SELECT id, created_at, source, params, counts, status, active FROM datasets WHERE active');
  return rows[0] ? { ...rows[0], id: Number(rows[0].id) } : null;
}

export async function listDatasets(q: Queryable): Promise<DatasetRow[]> {
  const rows = await q.query<DatasetRow>('SELECT id, created_at, source, params, counts, status, active FROM datasets ORDER BY id');
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export interface CuratedRating {
  userId: number;
  movieId: number;
  rating: number;
}

/** A dataset's curated ratings, ordered by (user, movie). */
export async function getCuratedRatings(q: Queryable, datasetId: number): Promise<CuratedRating[]> {
  return q.query<CuratedRating>(
    'SELECT user_id AS "userId", movie_id AS "movieId", rating FROM curated_ratings WHERE dataset_id = $1 ORDER BY user_id, movie_id',
    [datasetId],
  );
}

export interface TableFingerprint {
  rows: number;
  md5: string;
}

/**
 * Row count and an order-independent checksum of each table the ingest writes
 * (md5 over the rows sorted by their text), plus the active dataset's curated sample:
 * equal fingerprints mean equal contents. Used by tests and `--verify`.
 */
export async function ingestFingerprint(
  q: Queryable,
): Promise<Record<'ratings' | 'movies' | 'links' | 'tags' | 'curated' | 'datasets', TableFingerprint>> {
  const one = async (sql: string): Promise<TableFingerprint> => {
    const [r] = await q.query<{ rows: number; md5: string | null }>(
      `SELECT count(*)::int AS rows, md5(coalesce(string_agg(t, E'\\n' ORDER BY t), '')) AS md5 FROM (${sql}) s(t)`,
    );
    return { rows: Number(r.rows), md5: r.md5 ?? '' };
  };
  return {
    ratings: await one('SELECT r::text FROM ratings r'),
    movies: await one('SELECT m::text FROM movies m'),
    links: await one('SELECT l::text FROM links l'),
    tags: await one('SELECT t::text FROM tags t'),
    curated: await one(
      'SELECT (c.user_id, c.movie_id, c.rating)::text FROM curated_ratings c JOIN datasets d ON d.id = c.dataset_id AND d.active',
    ),
    datasets: await one('SELECT (id, source, params, counts, status, active)::text FROM datasets'),
  };
}

/** The domain's Movie (one source of truth for its fields) plus the keys it is found by. */
export interface IngestedMovie extends Movie {
  titleKeys: string[];
}

/** One movies row as the ingest wrote it. */
export async function getIngestedMovie(q: Queryable, movieId: number): Promise<IngestedMovie | null> {
  const rows = await q.query<IngestedMovie>(
    `SELECT movie_id AS "movieId", title, display_title AS "displayTitle", year, genres, imdb_id AS "imdbId", tmdb_id AS "tmdbId",
            rating_count AS "ratingCount", average_rating AS "averageRating", title_keys AS "titleKeys"
       FROM movies WHERE movie_id = $1`,
    [movieId],
  );
  return rows[0] ?? null;
}

/** A user's ratings from the raw `ratings` table, by movie. */
export async function getRawRatings(q: Queryable, userId: number): Promise<{ movieId: number; rating: number; ratedAt: Date }[]> {
  return q.query('SELECT movie_id AS "movieId", rating, rated_at AS "ratedAt" FROM ratings WHERE user_id = $1 ORDER BY movie_id', [userId]);
}

/**
 * Row counts of the ingest's tables as seen by `role` (cinemap_analyst, cinemap_gateway):
 * checks that the grants survived a swap. Needs a Db whose user may SET ROLE to it.
 */
export async function countIngestTablesAs(
  db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> },
  role: 'cinemap_analyst' | 'cinemap_gateway' | 'cinemap_writer',
): Promise<Record<'ratings' | 'tags' | 'movies' | 'links', number>> {
  return db.transaction(async (tx) => {
    await tx.exec(`SET LOCAL ROLE ${role}`);
    const [r] = await tx.query<{ ratings: number; tags: number; movies: number; links: number }>(
      'SELECT (SELECT count(*) FROM ratings)::int AS ratings, (SELECT count(*) FROM tags)::int AS tags, (SELECT count(*) FROM movies)::int AS movies, (SELECT count(*) FROM links)::int AS links',
    );
    return r;
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

/** Reads a run's movie embeddings back (tests, the bench): id, vector text parsed by the caller. */
export async function listMovieEmbeddings(
  q: Queryable,
  runId: number,
): Promise<{ movieId: number; embedding: string; bias: number; pc1: number | null; pc2: number | null; pc3: number | null }[]> {
  return q.query(
    'SELECT movie_id AS "movieId", embedding::text AS embedding, bias, pc1, pc2, pc3 FROM movie_embeddings WHERE run_id = $1 ORDER BY movie_id',
    [runId],
  );
}

/** Plans an analyst's nearest-neighbour query on the active view (for the index test and docs). */
export async function explainActiveMovieNeighbours(q: Queryable, query: ArrayLike<number>, k: number): Promise<string> {
  const rows = await q.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN SELECT movie_id FROM active_movie_embeddings ORDER BY embedding <=> $1::vector LIMIT ${k | 0}`,
    [vectorLiteral(query)],
  );
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

/**
 * Test and demo support: creates an active, complete dataset holding the given curated
 * ratings (the ingest normally does this). Deactivates any previous dataset.
 */
export async function seedCuratedDataset(
  db: Db,
  source: string,
  ratings: { userIds: ArrayLike<number>; movieIds: ArrayLike<number>; ratings: ArrayLike<number> },
): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query('UPDATE datasets SET active = false WHERE active');
    const [{ id }] = await tx.query<{ id: number }>(
      "INSERT INTO datasets (source, status, active) VALUES ($1, 'complete', true) RETURNING id",
      [source],
    );
    const rows = Array.from({ length: ratings.userIds.length }, (_, i) => i);
    const csv = csvChunks(rows, (i) => `${id},${ratings.userIds[i]},${ratings.movieIds[i]},${ratings.ratings[i]}\n`);
    await tx.copyFrom('curated_ratings', ['dataset_id', 'user_id', 'movie_id', 'rating'], csv);
    return id;
  });
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
