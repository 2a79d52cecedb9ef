// How an ingest replaces the loaded dump, in ONE transaction (loadDataset in
// apps/ingest/src/load/load.ts calls these in order):
//  * ratings and tags (the big ones, nothing depends on them) are COPYed into staging
//    tables created in the transaction (LIKE the live table INCLUDING ALL but the
//    indexes, which are built after the load, as the live table has them), then the
//    live table is dropped and the staging one renamed in its place (its indexes and
//    table comment named and written as the live table's were). Readers keep reading
//    the old table until the commit; only the final DROP/RENAME takes a lock.
//  * movies and links (small; the gateway's SQL functions and other tables may refer
//    to them) are emptied and re-filled in place, so their OID, indexes, grants and
//    triggers stay as they are.
//  * the datasets row, its curated_ratings and the activation are in the same
//    transaction: a failed or killed ingest leaves every table exactly as it was.
import type { Queryable } from '../db';
import { tableCommentSql } from '../migrations/comments';

export type CsvChunks = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** Column lists of the CSVs the ingest writes (order matters). */
export const INGEST_COLUMNS = {
  ratings: ['user_id', 'movie_id', 'rating', 'rated_at'],
  tags: ['user_id', 'movie_id', 'tag', 'tagged_at'],
  movies: [
    'movie_id',
    'title',
    'display_title',
    'year',
    'genres',
    'imdb_id',
    'tmdb_id',
    'rating_count',
    'average_rating',
    'title_keys',
    'excluded_by',
  ],
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
CREATE TABLE ingest_ratings_next (LIKE ratings INCLUDING ALL EXCLUDING INDEXES);
CREATE TABLE ingest_tags_next (LIKE tags INCLUDING ALL EXCLUDING INDEXES);`);
}

// The live table's indexes (primary key included), built on the staging table once it is
// loaded: one sort per index instead of a b-tree insert per row during COPY. Measured on
// PostgreSQL 15 (docs/ingest.md): 5M ratings in random key order 15-22 s instead of 72-119 s
// (no index at all: 9.5-9.9 s). Names: ingest_<t>_next<suffix>, renamed back by RENAME_INDEXES.
const COPY_INDEXES = (t: string) => `
DO $$
DECLARE
  r record;
  staged text;
BEGIN
  FOR r IN
    SELECT i.indexname, i.indexdef, EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype = 'p') AS pk
    FROM pg_indexes i JOIN pg_index x ON x.indexrelid = format('%I.%I', i.schemaname, i.indexname)::regclass
    WHERE i.schemaname = current_schema() AND i.tablename = '${t}'
  LOOP
    staged := 'ingest_${t}_next' || substr(r.indexname, length('${t}') + 1);
    EXECUTE regexp_replace(r.indexdef, ' INDEX \\S+ ON \\S+ ', format(' INDEX %I ON %I ', staged, 'ingest_${t}_next'));
    IF r.pk THEN
      EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I PRIMARY KEY USING INDEX %I', 'ingest_${t}_next', staged, staged);
    END IF;
  END LOOP;
END $$;`;

export function copyStagedRatings(tx: Queryable, csv: CsvChunks): Promise<number> {
  return tx.copyFrom('ingest_ratings_next', INGEST_COLUMNS.ratings, csv);
}

export function copyStagedTags(tx: Queryable, csv: CsvChunks): Promise<number> {
  return tx.copyFrom('ingest_tags_next', INGEST_COLUMNS.tags, csv);
}

/** Empties movies and links and fills them again (in place: OIDs and grants stay). */
export async function replaceMoviesAndLinks(
  tx: Queryable,
  movies: CsvChunks,
  links: CsvChunks,
): Promise<{ movies: number; links: number }> {
  await tx.exec('DELETE FROM movies; DELETE FROM links;');
  const m = await tx.copyFrom('movies', INGEST_COLUMNS.movies, movies);
  const l = await tx.copyFrom('links', INGEST_COLUMNS.links, links);
  return { movies: m, links: l };
}

// The staging table's indexes (primary key included) were named after it: give them the
// live table's names again, so every ingest leaves the same names (ratings_pkey, ...).
const RENAME_INDEXES = (t: string) => `
DO $$
DECLARE i text;
BEGIN
  FOR i IN SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = '${t}' AND indexname LIKE 'ingest\\_${t}\\_next%' LOOP
    EXECUTE format('ALTER INDEX %I RENAME TO %I', i, regexp_replace(i, '^ingest_${t}_next', '${t}'));
  END LOOP;
END $$;`;

/** Puts the staged ratings and tags in place of the live ones (same transaction). */
export async function swapStagedTables(tx: Queryable): Promise<void> {
  await tx.exec(`
${COPY_INDEXES('ratings')}
${COPY_INDEXES('tags')}
DROP TABLE ratings;
ALTER TABLE ingest_ratings_next RENAME TO ratings;
DROP TABLE tags;
ALTER TABLE ingest_tags_next RENAME TO tags;
${RENAME_INDEXES('ratings')}
${RENAME_INDEXES('tags')}
${tableCommentSql('ratings')}
${tableCommentSql('tags')}
${GRANTS('ratings')}
${GRANTS('tags')}
ANALYZE ratings;
ANALYZE tags;
ANALYZE movies;
ANALYZE links;`);
}

export function copyCuratedRatings(tx: Queryable, csv: CsvChunks): Promise<number> {
  return tx.copyFrom('curated_ratings', INGEST_COLUMNS.curatedRatings, csv);
}
