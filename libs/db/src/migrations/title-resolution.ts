// 0300-0399: the SQL side of title resolution and the analysts' similar_movies().
// cinemap_title_key() is GENERATED from the fold data in @cinemap/domain (the one
// source of truth, which titleKey() also reads), so the key computed in SQL for what a
// user typed equals the keys ingest stored with titleKey()/movieKeys();
// libs/db/src/queries/titles.spec.ts checks that, and that resolve_title() answers as
// the domain's TitleIndex does.
// Consequence: editing the fold data changes migration 300's text, and migrate()
// refuses a store migrated with the old folds. That is deliberate — the stored
// movies.title_keys are stale too; re-create the store (or add a migration that
// re-creates the function and recomputes the keys).
import {
  TITLE_KEY_LEADING_ARTICLE_PATTERN,
  TITLE_KEY_MULTI_FOLDS,
  TITLE_KEY_TRAILING_ARTICLE_PATTERN,
  TITLE_KEY_TRANSLATE,
  TITLE_QUERY_YEAR_PATTERN,
  SUGGESTION_LIMIT,
  SUGGESTION_MIN_SIMILARITY,
  DEFAULT_MIN_RATING_COUNT,
} from '@cinemap/domain';
import type { Migration } from './types';

/** A SQL string literal (standard_conforming_strings: only the quote is doubled). */
function lit(s: string): string {
  if (s.includes('\0')) throw new Error('SQL text cannot contain NUL');
  return `'${s.replace(/'/g, "''")}'`;
}

/** The body of cinemap_title_key(s): titleKey()'s six steps, each as its SQL twin. */
export function titleKeySqlExpression(arg: string): string {
  let e = arg;
  for (const [from, to] of TITLE_KEY_MULTI_FOLDS) e = `replace(${e}, ${lit(from)}, ${lit(to)})`;
  e = `translate(${e}, ${lit(TITLE_KEY_TRANSLATE.from)}, ${lit(TITLE_KEY_TRANSLATE.to)})`;
  e = `btrim(regexp_replace(${e}, ' +', ' ', 'g'), ' ')`;
  e = `regexp_replace(${e}, ${lit(TITLE_KEY_LEADING_ARTICLE_PATTERN)}, '')`;
  e = `regexp_replace(${e}, ${lit(TITLE_KEY_TRAILING_ARTICLE_PATTERN)}, '')`;
  return e;
}

export const titleResolutionMigrations: Migration[] = [
  {
    version: 300,
    name: 'title resolution and similar_movies',
    sql: `
-- The matching key of a title (libs/domain titleKey(), generated from its data).
CREATE OR REPLACE FUNCTION cinemap_title_key(s text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $fn$ SELECT ${titleKeySqlExpression('s')} $fn$;

-- parseTitleQuery(): "Matrix (1999)" -> ('matrix', 1999); "Matrix 1999" -> ('matrix 1999', null).
CREATE OR REPLACE FUNCTION cinemap_parse_title_query(query text, OUT key text, OUT year integer)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
  m text[];
BEGIN
  m := regexp_match(query, ${lit(TITLE_QUERY_YEAR_PATTERN)});
  IF m IS NOT NULL AND cinemap_title_key(m[1]) <> '' THEN
    key := cinemap_title_key(m[1]);
    year := m[2]::integer;
  ELSE
    key := cinemap_title_key(query);
    year := NULL;
  END IF;
END
$fn$;

-- The one title resolution (GraphQL and analysts): exact key match against any of a
-- movie's keys, the year when one was typed, the most-rated on ties, then lowest id.
CREATE OR REPLACE FUNCTION resolve_title(query text) RETURNS integer
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $fn$
  SELECT m.movie_id
  FROM cinemap_parse_title_query(query) q
  JOIN movies m ON m.title_keys @> ARRAY[q.key]
  WHERE q.key <> '' AND (q.year IS NULL OR m.year = q.year)
  ORDER BY m.rating_count DESC, m.movie_id
  LIMIT 1
$fn$;

-- "Did you mean": best pg_trgm similarity between the typed key and any movie key
-- (the year ignored), then most-rated; libs/domain suggestTitles() in SQL.
CREATE OR REPLACE FUNCTION title_suggestions(query text, n integer DEFAULT ${SUGGESTION_LIMIT})
RETURNS TABLE (movie_id integer, title text, similarity real)
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $fn$
  WITH q AS (SELECT key FROM cinemap_parse_title_query(query) WHERE key <> ''),
  scored AS (
    SELECT m.movie_id, m.title, m.rating_count,
           (SELECT max(similarity(q.key, k)) FROM unnest(m.title_keys) k) AS sim
    FROM movies m, q
  )
  SELECT s.movie_id, s.title, s.sim
  FROM scored s
  WHERE s.sim >= ${SUGGESTION_MIN_SIMILARITY} AND s.sim > 0
  ORDER BY s.sim DESC, s.rating_count DESC, s.movie_id
  LIMIT n
$fn$;

-- Movies rated by fewer users than this never appear as neighbours unless a
-- filter asks for a lower floor (GraphQL MovieFilter.minRatingCount).
CREATE OR REPLACE FUNCTION cinemap_default_min_rating_count() RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$ SELECT ${DEFAULT_MIN_RATING_COUNT} $fn$;

-- The analysts' twin of GraphQL similarMovies(title, k): exact cosine over the
-- active run, same title resolution, same default floor, the query excluded.
CREATE OR REPLACE FUNCTION similar_movies(title text, k integer DEFAULT 10)
RETURNS TABLE (movie_id integer, title text, year integer, similarity double precision)
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $fn$
  WITH run AS (SELECT id FROM model_runs WHERE active),
  target AS (SELECT resolve_title($1) AS movie_id),
  q AS (
    SELECT e.embedding FROM movie_embeddings e, run, target
    WHERE e.run_id = run.id AND e.movie_id = target.movie_id
  )
  SELECT m.movie_id, m.title, m.year, 1 - (e.embedding <=> q.embedding) AS similarity
  FROM q, run, target, movie_embeddings e
  JOIN movies m ON m.movie_id = e.movie_id
  WHERE e.run_id = run.id
    AND e.movie_id <> target.movie_id
    AND m.rating_count >= cinemap_default_min_rating_count()
  ORDER BY 1 - (e.embedding <=> q.embedding) DESC, m.movie_id
  LIMIT greatest($2, 0)
$fn$;

GRANT EXECUTE ON FUNCTION cinemap_title_key(text), cinemap_parse_title_query(text), resolve_title(text),
  title_suggestions(text, integer), cinemap_default_min_rating_count(), similar_movies(text, integer)
  TO cinemap_gateway, cinemap_analyst, cinemap_writer;
`,
  },
  {
    version: 301,
    name: "titles resolve in the served run's catalogue",
    sql: `
-- One rule for SQL and GraphQL: a run is served with the catalogue it was trained with
-- (run_movies), so resolution, suggestions and similar_movies() never pair one dump's
-- titles with another dump's embeddings after an ingest without a new run. \`run\` NULL
-- (no run trained yet) means the loaded catalogue, movies.

CREATE OR REPLACE FUNCTION resolve_title_in(query text, run bigint) RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
  WITH q AS (SELECT key, year FROM cinemap_parse_title_query(query) WHERE key <> '')
  SELECT movie_id FROM (
    SELECT c.movie_id, c.rating_count FROM q, run_movies c
    WHERE run IS NOT NULL AND c.run_id = run AND c.title_keys @> ARRAY[q.key] AND (q.year IS NULL OR c.year = q.year)
    UNION ALL
    SELECT m.movie_id, m.rating_count FROM q, movies m
    WHERE run IS NULL AND m.title_keys @> ARRAY[q.key] AND (q.year IS NULL OR m.year = q.year)
  ) x
  ORDER BY rating_count DESC, movie_id
  LIMIT 1
$fn$;

CREATE OR REPLACE FUNCTION resolve_title(query text) RETURNS integer
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $fn$
  SELECT resolve_title_in(query, (SELECT id FROM model_runs WHERE active))
$fn$;

CREATE OR REPLACE FUNCTION title_suggestions_in(query text, n integer, run bigint)
RETURNS TABLE (movie_id integer, title text, similarity real)
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
  WITH q AS (SELECT key FROM cinemap_parse_title_query(query) WHERE key <> ''),
  catalogue AS (
    SELECT c.movie_id, c.title, c.rating_count, c.title_keys FROM run_movies c WHERE run IS NOT NULL AND c.run_id = run
    UNION ALL
    SELECT m.movie_id, m.title, m.rating_count, m.title_keys FROM movies m WHERE run IS NULL
  ),
  scored AS (
    SELECT c.movie_id, c.title, c.rating_count,
           (SELECT max(similarity(q.key, k)) FROM unnest(c.title_keys) k) AS sim
    FROM catalogue c, q
  )
  SELECT s.movie_id, s.title, s.sim
  FROM scored s
  WHERE s.sim >= ${SUGGESTION_MIN_SIMILARITY} AND s.sim > 0
  ORDER BY s.sim DESC, s.rating_count DESC, s.movie_id
  LIMIT n
$fn$;

CREATE OR REPLACE FUNCTION title_suggestions(query text, n integer DEFAULT ${SUGGESTION_LIMIT})
RETURNS TABLE (movie_id integer, title text, similarity real)
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $fn$
  SELECT * FROM title_suggestions_in(query, n, (SELECT id FROM model_runs WHERE active))
$fn$;

CREATE OR REPLACE FUNCTION similar_movies(title text, k integer DEFAULT 10)
RETURNS TABLE (movie_id integer, title text, year integer, similarity double precision)
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $fn$
  WITH run AS (SELECT id FROM model_runs WHERE active),
  target AS (SELECT resolve_title_in($1, (SELECT id FROM run)) AS movie_id),
  q AS (
    SELECT e.embedding FROM movie_embeddings e, run, target
    WHERE e.run_id = run.id AND e.movie_id = target.movie_id
  )
  SELECT m.movie_id, m.title, m.year, 1 - (e.embedding <=> q.embedding) AS similarity
  FROM q, run, target, movie_embeddings e
  JOIN run_movies m ON m.run_id = e.run_id AND m.movie_id = e.movie_id
  WHERE e.run_id = run.id
    AND e.movie_id <> target.movie_id
    AND m.rating_count >= cinemap_default_min_rating_count()
  ORDER BY 1 - (e.embedding <=> q.embedding) DESC, m.movie_id
  LIMIT greatest($2, 0)
$fn$;

-- The active run's catalogue, for analysts' joins with active_movie_embeddings.
CREATE OR REPLACE VIEW active_movies AS
  SELECT c.movie_id, c.title, c.display_title, c.year, c.genres, c.imdb_id, c.tmdb_id, c.rating_count, c.average_rating, c.title_keys
  FROM run_movies c WHERE c.run_id = (SELECT id FROM model_runs WHERE active);

GRANT EXECUTE ON FUNCTION resolve_title_in(text, bigint), title_suggestions_in(text, integer, bigint)
  TO cinemap_gateway, cinemap_analyst, cinemap_writer;
GRANT SELECT ON active_movies TO cinemap_gateway, cinemap_analyst, cinemap_writer;
`,
  },
];
