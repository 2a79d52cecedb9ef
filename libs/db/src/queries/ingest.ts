// Typed queries used by apps/ingest. All of its SQL lives here.
//
// Swap strategy (one transaction, see loadDataset in apps/ingest/src/load):
//  * ratings and tags (the big ones, nothing depends on them) are COPYed into staging
//    tables created in the transaction (LIKE the live table INCLUDING ALL), then the
//    live table is dropped and the staging one renamed in its place. Readers keep
//    reading the old table until the commit; only the final DROP/RENAME takes a lock.
//  * movies and links (small; the gateway's SQL functions and other tables may refer
//    to them) are emptied and re-filled in place, so their OID, indexes, grants and
//    triggers stay as they are.
//  * the datasets row, its curated_ratings and the activation are in the same
//    transaction: a failed or killed ingest leaves every table exactly as it was.
import type { Movie } from '@cinemap/domain';
import type { Queryable } from '../db';

export type CsvChunks = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** Column lists of the CSVs the ingest writes (order matters). */
export const INGEST_COLUMNS = {
  ratings: ['user_id', 'movie_id', 'rating', 'rated_at'],
  tags: ['user_id', 'movie_id', 'tag', 'tagged_at'],
  movies: ['movie_id', 'title', 'display_title', 'year', 'genres', 'imdb_id', 'tmdb_id', 'rating_count', 'average_rating', 'title_keys'],
  links: ['movie_id', 'imdb_id', 'tmdb_id'],
  curatedRatings: ['dataset_id', 'user_id', 'movie_id', 'rating'],
} as const;

const INGEST_LOCK = 4_242_100;
const GRANTS = (t: string) => `
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ${t} TO cinemap_writer;
GRANT SELECT ON ${t} TO cinemap_gateway, cinemap_analyst;`;

/** Serialises ingests: a second one waits for the first to commit or roll back. Call inside the transaction. */
export async function lockIngest(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [INGEST_LOCK]);
}

/** Creates the staging tables for ratings and tags (inside the load transaction). */
export async function createIngestStaging(tx: Queryable): Promise<void> {
  await tx.exec(`
DROP TABLE IF EXISTS ingest_ratings_next;
DROP TABLE IF EXISTS ingest_tags_next;
CREATE TABLE ingest_ratings_next (LIKE ratings INCLUDING ALL);
CREATE TABLE ingest_tags_next (LIKE tags INCLUDING ALL);`);
}

export function copyStagedRatings(tx: Queryable, csv: CsvChunks): Promise<number> {
  return tx.copyFrom('ingest_ratings_next', INGEST_COLUMNS.ratings, csv);
}

export function copyStagedTags(tx: Queryable, csv: CsvChunks): Promise<number> {
  return tx.copyFrom('ingest_tags_next', INGEST_COLUMNS.tags, csv);
}

/** Empties movies and links and fills them again (in place: OIDs and grants stay). */
export async function replaceMoviesAndLinks(tx: Queryable, movies: CsvChunks, links: CsvChunks): Promise<{ movies: number; links: number }> {
  await tx.exec('DELETE FROM movies; DELETE FROM links;');
  const m = await tx.copyFrom('movies', INGEST_COLUMNS.movies, movies);
  const l = await tx.copyFrom('links', INGEST_COLUMNS.links, links);
  return { movies: m, links: l };
}

/** Puts the staged ratings and tags in place of the live ones (same transaction). */
export async function swapStagedTables(tx: Queryable): Promise<void> {
  await tx.exec(`
DROP TABLE ratings;
ALTER TABLE ingest_ratings_next RENAME TO ratings;
DROP TABLE tags;
ALTER TABLE ingest_tags_next RENAME TO tags;
${GRANTS('ratings')}
${GRANTS('tags')}
ANALYZE ratings;
ANALYZE tags;
ANALYZE movies;
ANALYZE links;`);
}

export interface NewDataset {
  source: string;
  params: unknown;
  counts: unknown;
  status: 'loading' | 'complete' | 'failed';
}

export async function insertDataset(q: Queryable, d: NewDataset): Promise<number> {
  const rows = await q.query<{ id: number }>('INSERT INTO datasets (source, params, counts, status) VALUES ($1, $2::jsonb, $3::jsonb, $4) RETURNING id', [
    d.source,
    JSON.stringify(d.params),
    JSON.stringify(d.counts),
    d.status,
  ]);
  return Number(rows[0].id);
}

export function copyCuratedRatings(tx: Queryable, csv: CsvChunks): Promise<number> {
  return tx.copyFrom('curated_ratings', INGEST_COLUMNS.curatedRatings, csv);
}

/** Marks a dataset complete and the only active one; notifies `cinemap_datasets`. */
export async function activateDataset(tx: Queryable, id: number, counts?: unknown): Promise<void> {
  await tx.query('UPDATE datasets SET active = false WHERE active AND id <> $1', [id]);
  await tx.query("UPDATE datasets SET status = 'complete', active = true, counts = COALESCE($2::jsonb, counts) WHERE id = $1", [id, counts === undefined ? null : JSON.stringify(counts)]);
  await tx.query("SELECT pg_notify('cinemap_datasets', $1)", [String(id)]);
  await tx.exec('ANALYZE curated_ratings');
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
  return q.query<CuratedRating>('SELECT user_id AS "userId", movie_id AS "movieId", rating FROM curated_ratings WHERE dataset_id = $1 ORDER BY user_id, movie_id', [datasetId]);
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
export async function ingestFingerprint(q: Queryable): Promise<Record<'ratings' | 'movies' | 'links' | 'tags' | 'curated' | 'datasets', TableFingerprint>> {
  const one = async (sql: string): Promise<TableFingerprint> => {
    const [r] = await q.query<{ rows: number; md5: string | null }>(`SELECT count(*)::int AS rows, md5(coalesce(string_agg(t, E'\\n' ORDER BY t), '')) AS md5 FROM (${sql}) s(t)`);
    return { rows: Number(r.rows), md5: r.md5 ?? '' };
  };
  return {
    ratings: await one('SELECT r::text FROM ratings r'),
    movies: await one('SELECT m::text FROM movies m'),
    links: await one('SELECT l::text FROM links l'),
    tags: await one('SELECT t::text FROM tags t'),
    curated: await one('SELECT (c.user_id, c.movie_id, c.rating)::text FROM curated_ratings c JOIN datasets d ON d.id = c.dataset_id AND d.active'),
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
