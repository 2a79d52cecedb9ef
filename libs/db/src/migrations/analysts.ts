// 0600-0699: the analysts' side of the schema (issue 16; docs/sql-guide.md):
//  600 cinemap's functions move out of `public` (where pgvector's and pg_trgm's ~150
//      live) into their own schema `cinemap`, put on the database's search_path so the
//      old unqualified names keep working in psql; every function gets a fixed
//      search_path, so it answers the same whatever the caller's path;
//  601 lookups that cannot fail silently: require_title() / title_embedding() raise
//      MOVIE_NOT_FOUND with suggestions (GraphQL's words); ONE similar_movies(title, k,
//      basis, ...) replaces 401's (title, k, basis): the basis third as there, GraphQL's
//      filter as named arguments, rejecting what GraphQL rejects;
//  602 COMMENT ON every table, column, view and function (tools: \d+, \df+);
//  603 ratings gets its primary key and the indexes analysts join on.
// Version ranges by concern: ./core.ts. Numbers and texts never change once applied.
import { FILTER_MAX_YEAR, FILTER_MIN_YEAR, MOVIELENS_GENRES, SUGGESTION_LIMIT } from '@cinemap/domain';
import type { Migration } from './types';
import { commentsSql } from './comments';

/** The schema cinemap's SQL functions live in. */
export const CINEMAP_SCHEMA = 'cinemap';

/** What an analyst's session searches: the tables (public), then cinemap's functions. */
export const ANALYST_SEARCH_PATH = '"$user", public, cinemap';

/** The path of cinemap's own sessions: pg_temp last, so no temporary table shadows a table it reads. */
export const APP_SEARCH_PATH = 'public, cinemap, pg_temp';

/**
 * The path every cinemap function runs with: pg_catalog first (nothing shadows a built-in),
 * pg_temp last (unlisted, it would be searched FIRST, and a psql client's temporary
 * run_movies on the embedded store's shared session would shadow the real one).
 */
const FUNCTION_SEARCH_PATH = 'pg_catalog, public, cinemap, pg_temp';

/** GraphQL's MAX_K (apps/gateway/src/graphql/arguments.ts); the analyst SQL spec checks both reject k = 101. */
const MAX_K = 100;
/** validateMovieFilter()'s limit on a genre list (libs/domain/src/movie-filter.ts). */
const MAX_GENRES = 50;

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Sets the database's default search_path so psql sessions find cinemap's functions
 * unqualified. Only the owner may; a migrating role that is not says what to run.
 * migrate() runs it after every migration pass too: a database restored with pg_restore
 * (without --create) has lost its settings.
 */
export const ENSURE_SEARCH_PATH_SQL = `
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET search_path = ${ANALYST_SEARCH_PATH.replace(/'/g, "''")}', current_database());
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'cinemap: could not set the search_path of database % (not its owner): psql users call cinemap.similar_movies(...) qualified, or the owner runs: ALTER DATABASE % SET search_path = ${ANALYST_SEARCH_PATH.replace(/'/g, "''").replace(/%/g, '%%')}', current_database(), current_database();
END $$;`;

const schemaMigration: Migration = {
  version: 600,
  name: 'cinemap functions in their own schema',
  sql: `
CREATE SCHEMA IF NOT EXISTS cinemap;
GRANT USAGE ON SCHEMA cinemap TO cinemap_writer, cinemap_gateway, cinemap_analyst;

-- Every function in public that no extension owns is cinemap's (migrations 300-399 and
-- whatever later ranges created there): move each, with its grants, and pin its path.
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN
    SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = ${FUNCTION_SEARCH_PATH}', f);
    EXECUTE format('ALTER FUNCTION %s SET SCHEMA cinemap', f);
  END LOOP;
END $$;

-- This session (PGlite's only one: pg_temp stays last, see pglite-session.ts) and new
-- sessions of this database find them unqualified.
SET search_path = ${APP_SEARCH_PATH};
${ENSURE_SEARCH_PATH_SQL}
`,
};

// canonicalGenre()'s squash: lower case, punctuation and spaces dropped (ASCII ones: the
// genres are ASCII; a non-ASCII symbol typed in a genre name makes it unknown here).
const GENRE_KEY = (e: string) => `lower(regexp_replace(${e}, '[\\x01-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7f]', '', 'g'))`;

const lookupMigration: Migration = {
  version: 601,
  name: 'lookups raise MOVIE_NOT_FOUND; similar_movies with named filters',
  sql: `
-- The active run, or NO_ACTIVE_MODEL.
CREATE FUNCTION cinemap.serving_run() RETURNS bigint
LANGUAGE plpgsql STABLE SET search_path = ${FUNCTION_SEARCH_PATH} AS $fn$
DECLARE
  run bigint;
BEGIN
  SELECT id INTO run FROM model_runs WHERE active;
  IF run IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'P0002', MESSAGE = 'No model run is active yet (NO_ACTIVE_MODEL).',
      HINT = 'Train one: npm run train.';
  END IF;
  RETURN run;
END
$fn$;

-- resolve_title() that never answers NULL: an unresolved title is MOVIE_NOT_FOUND with
-- GraphQL's suggestions (title_suggestions_in, the served run's catalogue).
CREATE FUNCTION cinemap.require_title(title text) RETURNS integer
LANGUAGE plpgsql STABLE SET search_path = ${FUNCTION_SEARCH_PATH} AS $fn$
DECLARE
  run bigint := cinemap.serving_run();
  id integer;
  close text;
BEGIN
  IF title IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = '22004', MESSAGE = 'title is NULL: give a movie title, e.g. ''The Matrix''.';
  END IF;
  id := cinemap.resolve_title_in(title, run);
  IF id IS NOT NULL THEN
    RETURN id;
  END IF;
  SELECT string_agg(format('%L', s.title), ', ' ORDER BY s.ord) INTO close
  FROM cinemap.title_suggestions_in(title, ${SUGGESTION_LIMIT}, run) WITH ORDINALITY AS s(movie_id, title, similarity, ord);
  RAISE EXCEPTION USING ERRCODE = 'P0002',
    MESSAGE = format('Movie %s not found (MOVIE_NOT_FOUND)%s', to_json(title)::text,
                     CASE WHEN close IS NULL THEN '' ELSE '; did you mean ' || close || '?' END),
    HINT = 'Titles resolve as in GraphQL (case, accents, leading or trailing article and "(year)" forgiven). Find one: SELECT * FROM title_suggestions(''...'') or search active_movies.';
END
$fn$;

-- A title's vector in the active run in one basis ('taste': active_movie_embeddings,
-- 'audience' / 'blend': active_audience_embeddings / active_blend_embeddings), for ad-hoc
-- nearest-neighbour SQL over the HNSW index of that view; MOVIE_NOT_FOUND /
-- MOVIE_NOT_IN_MODEL instead of a NULL that sorts 11 arbitrary rows, and an error for an
-- audience or blend vector of a run that has none (its view is empty).
CREATE FUNCTION cinemap.title_embedding(title text, basis text DEFAULT 'taste') RETURNS vector
LANGUAGE plpgsql STABLE SET search_path = ${FUNCTION_SEARCH_PATH} AS $fn$
DECLARE
  b text := lower(btrim(basis));
  run bigint := cinemap.serving_run();
  id integer;
  v vector;
BEGIN
  IF b IS NULL OR b NOT IN ('taste', 'audience', 'blend') THEN
    RAISE EXCEPTION USING ERRCODE = '22023',
      MESSAGE = format('basis must be ''taste'', ''audience'' or ''blend'', got %s', coalesce(quote_literal(basis), 'NULL'));
  END IF;
  id := cinemap.require_title(title);
  IF b = 'taste' THEN
    SELECT e.embedding INTO v FROM movie_embeddings e WHERE e.run_id = run AND e.movie_id = id;
  ELSIF NOT EXISTS (SELECT 1 FROM movie_audience_embeddings a WHERE a.run_id = run) THEN
    RAISE EXCEPTION USING ERRCODE = '22023',
      MESSAGE = format('The active run %s has no %s vectors (trained before audience vectors existed): active_%s_embeddings is empty.', run, b, b),
      HINT = 'Use title_embedding(title) over active_movie_embeddings, or train a new run: npm run train.';
  ELSE
    SELECT CASE b WHEN 'audience' THEN a.audience ELSE a.blend END INTO v
    FROM movie_audience_embeddings a WHERE a.run_id = run AND a.movie_id = id;
  END IF;
  IF v IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'P0002',
      MESSAGE = format('Movie %s is in the catalogue but not in the active model (run %s): it had too few ratings to be trained on (MOVIE_NOT_IN_MODEL).',
                       to_json(title)::text, run),
      HINT = 'Pick another title.';
  END IF;
  RETURN v;
END
$fn$;

-- GraphQL's genre spelling rule (canonicalGenre): case and punctuation ignored; unknown
-- names are an error listing the known ones, as BAD_USER_INPUT does.
CREATE FUNCTION cinemap.canonical_genres(names text[], argument text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE SET search_path = ${FUNCTION_SEARCH_PATH} AS $fn$
DECLARE
  known text[] := ARRAY[${MOVIELENS_GENRES.map(lit).join(', ')}];
  out text[] := '{}';
  bad text[] := '{}';
  n text;
  g text;
BEGIN
  IF names IS NULL OR cardinality(names) = 0 THEN
    RETURN NULL;
  END IF;
  IF cardinality(names) > ${MAX_GENRES} THEN
    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = format('%s has %s entries; the limit is ${MAX_GENRES}', argument, cardinality(names));
  END IF;
  FOREACH n IN ARRAY names LOOP
    SELECT k INTO g FROM unnest(known) k WHERE n IS NOT NULL AND ${GENRE_KEY('n')} <> '' AND ${GENRE_KEY('k')} = ${GENRE_KEY('n')};
    IF g IS NULL THEN
      bad := bad || coalesce(to_json(n)::text, 'NULL');
    ELSIF NOT g = ANY (out) THEN
      out := out || g;
    END IF;
  END LOOP;
  IF cardinality(bad) > 0 THEN
    RAISE EXCEPTION USING ERRCODE = '22023',
      MESSAGE = format('%s: unknown genre %s; known genres: %s', argument, array_to_string(bad, ', '), array_to_string(known, ', '));
  END IF;
  RETURN out;
END
$fn$;

-- Checks similar_movies()'s arguments exactly as GraphQL's similarMovies(title, k, filter,
-- basis) does (each error names the argument), answers the basis as GraphQL does on this
-- run (cinemap_effective_basis, migration 401: 'audience' refused on a run without
-- audience vectors, 'blend' answered as 'taste' there) and resolves the title: one row for
-- the query (eff: the basis answered in, query: the title's vector in it, lim: the checked k).
CREATE FUNCTION cinemap.similar_movies_query(
  title text, k integer, basis text, genres text[], exclude_genres text[], year_from integer, year_to integer,
  min_avg_rating real, min_rating_count integer,
  OUT run bigint, OUT eff text, OUT target integer, OUT query vector, OUT any_genres text[], OUT no_genres text[], OUT floor integer, OUT lim integer)
LANGUAGE plpgsql STABLE SET search_path = ${FUNCTION_SEARCH_PATH} AS $fn$
DECLARE
  problems text[] := '{}';
BEGIN
  IF k IS NULL OR k < 1 OR k > ${MAX_K} THEN
    problems := problems || format('k must be a whole number from 1 to ${MAX_K} (got %s)', coalesce(k::text, 'NULL'));
  END IF;
  IF basis IS NULL OR lower(btrim(basis)) NOT IN ('taste', 'audience', 'blend') THEN
    problems := problems || format('basis must be ''taste'', ''audience'' or ''blend'', got %s', coalesce(quote_literal(basis), 'NULL'));
  END IF;
  IF year_from IS NOT NULL AND (year_from < ${FILTER_MIN_YEAR} OR year_from > ${FILTER_MAX_YEAR}) THEN
    problems := problems || format('year_from must be a whole number from ${FILTER_MIN_YEAR} to ${FILTER_MAX_YEAR} (got %s)', year_from);
  END IF;
  IF year_to IS NOT NULL AND (year_to < ${FILTER_MIN_YEAR} OR year_to > ${FILTER_MAX_YEAR}) THEN
    problems := problems || format('year_to must be a whole number from ${FILTER_MIN_YEAR} to ${FILTER_MAX_YEAR} (got %s)', year_to);
  END IF;
  IF year_from > year_to THEN
    problems := problems || format('year_from (%s) is after year_to (%s); swap them', year_from, year_to);
  END IF;
  IF min_avg_rating IS NOT NULL AND NOT (min_avg_rating >= 0 AND min_avg_rating <= 5) THEN
    problems := problems || format('min_avg_rating must be a number from 0 to 5 (got %s)', min_avg_rating);
  END IF;
  IF min_rating_count < 0 THEN
    problems := problems || format('min_rating_count must be a whole number from 0 (got %s)', min_rating_count);
  END IF;
  IF cardinality(problems) > 0 THEN
    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = array_to_string(problems, '; '),
      HINT = 'similar_movies(title, k => 10, basis => ''blend'' | ''taste'' | ''audience'', genres => ARRAY[''Drama''], exclude_genres => ..., year_from => ..., year_to => ..., min_avg_rating => ..., min_rating_count => ...)';
  END IF;
  any_genres := cinemap.canonical_genres(genres, 'genres');
  no_genres := cinemap.canonical_genres(exclude_genres, 'exclude_genres');
  floor := coalesce(min_rating_count, cinemap.cinemap_default_min_rating_count());
  run := cinemap.serving_run();
  eff := cinemap.cinemap_effective_basis(basis, run);
  query := cinemap.title_embedding(title, eff);
  target := cinemap.require_title(title);
  lim := k;
END
$fn$;

-- One similar_movies. The two-argument form (migration 300) and migration 401's
-- (title, k, basis) are replaced by one that takes the basis third (so 401's positional
-- calls similar_movies('x', 10, 'taste') keep working) and GraphQL's filter as named
-- arguments; with two overloads similar_movies('x', 10) would be ambiguous.
DROP FUNCTION IF EXISTS cinemap.similar_movies(text, integer);
DROP FUNCTION IF EXISTS cinemap.similar_movies(text, integer, text);

-- The analysts' twin of GraphQL similarMovies(title, k, filter, basis): exact cosine over
-- the active run in the basis's vectors (taste: movie_embeddings; audience, blend:
-- movie_audience_embeddings of the same run), the same title resolution, argument checks,
-- filter and rating-count floor. Only the branch of the basis answered in produces rows.
CREATE FUNCTION cinemap.similar_movies(
  title text, k integer DEFAULT 10, basis text DEFAULT 'blend',
  genres text[] DEFAULT NULL, exclude_genres text[] DEFAULT NULL,
  year_from integer DEFAULT NULL, year_to integer DEFAULT NULL,
  min_avg_rating real DEFAULT NULL, min_rating_count integer DEFAULT NULL)
RETURNS TABLE (movie_id integer, title text, year integer, similarity double precision)
LANGUAGE sql STABLE SET search_path = ${FUNCTION_SEARCH_PATH} AS $fn$
  WITH q AS MATERIALIZED (SELECT * FROM cinemap.similar_movies_query($1, $2, $3, $4, $5, $6, $7, $8, $9)),
  cand AS (
    SELECT e.movie_id, 1 - (e.embedding <=> q.query) AS similarity
    FROM q JOIN movie_embeddings e ON e.run_id = q.run WHERE q.eff = 'taste'
    UNION ALL
    SELECT a.movie_id, 1 - (a.audience <=> q.query)
    FROM q JOIN movie_audience_embeddings a ON a.run_id = q.run WHERE q.eff = 'audience'
    UNION ALL
    SELECT a.movie_id, 1 - (a.blend <=> q.query)
    FROM q JOIN movie_audience_embeddings a ON a.run_id = q.run WHERE q.eff = 'blend'
  )
  SELECT m.movie_id, m.title, m.year, c.similarity
  FROM q
  JOIN cand c ON c.movie_id <> q.target
  JOIN run_movies m ON m.run_id = q.run AND m.movie_id = c.movie_id
  WHERE (q.any_genres IS NULL OR m.genres && q.any_genres)
    AND (q.no_genres IS NULL OR NOT (m.genres && q.no_genres))
    AND ($6 IS NULL OR m.year >= $6)
    AND ($7 IS NULL OR m.year <= $7)
    AND ($8 IS NULL OR m.average_rating >= $8)
    AND m.rating_count >= q.floor
  ORDER BY c.similarity DESC, m.movie_id
  LIMIT (SELECT lim FROM q) -- not $2: LIMIT 0 would skip the checks
$fn$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cinemap TO cinemap_gateway, cinemap_analyst, cinemap_writer;
`,
};

const commentMigration: Migration = {
  version: 602,
  name: 'comments on every table, column, view and function',
  sql: commentsSql(),
};

const ratingsKeyMigration: Migration = {
  version: 603,
  name: 'ratings primary key and join indexes',
  sql: `
-- One rating per (user, movie): ingest already keeps the latest of duplicates, so this
-- only states it (and gives analysts' per-user joins an index). The movie side of the
-- joins gets its own index; tags too. The ingest's staging tables are LIKE ... INCLUDING
-- ALL, so every later dump is loaded with the same key and indexes (renamed back to these
-- names by swapStagedTables).
ALTER TABLE ratings ADD CONSTRAINT ratings_pkey PRIMARY KEY (user_id, movie_id);
CREATE INDEX ratings_movie_id_idx ON ratings (movie_id);
CREATE INDEX tags_movie_id_idx ON tags (movie_id);
`,
};

export const analystMigrations: Migration[] = [schemaMigration, lookupMigration, commentMigration, ratingsKeyMigration];
