// 0400-0499: the audience embedding and the similarity bases (issue 13).
// A run's taste vectors stay in movie_embeddings (the rating model's factors, the
// seed blog's answer). movie_audience_embeddings holds, per run and movie, the
// audience vector (who rated the film: docs/similarity.md) and the blend vector
// [w taste_unit, (1 - w) audience_unit] the trainer computed with the run's
// params.blendWeight, so a cosine index over `blend` answers BLEND exactly as the
// gateway's scan does. Like movie_embeddings the columns are untyped `vector`
// (--audience-factors varies by run); per-run HNSW indexes are partial expression
// indexes (libs/db/src/queries/audience-embeddings.ts). The basis is spelled
// 'taste' | 'audience' | 'blend' everywhere in SQL.
import { DEFAULT_MIN_RATING_COUNT } from '@cinemap/domain';
import type { Migration } from './types';

export const audienceMigrations: Migration[] = [
  {
    version: 400,
    name: 'audience and blend vectors per run',
    sql: `
CREATE TABLE movie_audience_embeddings (
  run_id   bigint NOT NULL REFERENCES model_runs (id) ON DELETE CASCADE,
  movie_id integer NOT NULL,
  audience vector NOT NULL,
  blend    vector NOT NULL,
  PRIMARY KEY (run_id, movie_id)
);
COMMENT ON TABLE movie_audience_embeddings IS
  'Per run and movie: the audience embedding (randomized SVD of who rated what) and the blend [w taste_unit, (1-w) audience_unit]; w is model_runs.params->blendWeight. Taste vectors are movie_embeddings.embedding.';
`,
  },
  {
    version: 401,
    name: 'similar_movies with a basis',
    sql: `
-- One function, three bases. The old two-argument similar_movies(title, k) is replaced
-- (not overloaded: with both, similar_movies('x', 10) would be ambiguous); calls with
-- one or two arguments keep working and now answer the default basis, 'blend'.
DROP FUNCTION IF EXISTS similar_movies(text, integer);

-- The basis a call is answered in: the name checked (any case), and on a run trained
-- before audience vectors existed 'audience' refused and 'blend' answered as 'taste'
-- (taste blended with an absent, zero audience part is the taste cosine).
CREATE OR REPLACE FUNCTION cinemap_effective_basis(basis text, run bigint) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
DECLARE
  b text := lower(btrim(basis));
BEGIN
  IF b IS NULL OR b NOT IN ('taste', 'audience', 'blend') THEN
    RAISE EXCEPTION 'similar_movies: basis must be ''taste'', ''audience'' or ''blend'', got %', coalesce(quote_literal(basis), 'NULL')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF b <> 'taste' AND run IS NOT NULL AND NOT EXISTS (SELECT 1 FROM movie_audience_embeddings a WHERE a.run_id = run) THEN
    IF b = 'audience' THEN
      RAISE EXCEPTION 'similar_movies: the active run % has no audience vectors (trained before they existed); train a new run (npm run train) or pass basis => ''taste'' or ''blend''', run
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN 'taste';
  END IF;
  RETURN b;
END
$fn$;

-- The analysts' twin of GraphQL similarMovies(title, k, basis): exact cosine over the
-- active run in the chosen basis, same title resolution, same default floor, the query
-- excluded. Only the branch of the chosen basis produces rows.
CREATE OR REPLACE FUNCTION similar_movies(title text, k integer DEFAULT 10, basis text DEFAULT 'blend')
RETURNS TABLE (movie_id integer, title text, year integer, similarity double precision)
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $fn$
  WITH run AS (SELECT id FROM model_runs WHERE active),
  eff AS (SELECT cinemap_effective_basis($3, (SELECT id FROM run)) AS b),
  target AS (SELECT resolve_title_in($1, (SELECT id FROM run)) AS movie_id),
  cand AS (
    SELECT e.movie_id, 1 - (e.embedding <=> (
      SELECT x.embedding FROM movie_embeddings x, target WHERE x.run_id = e.run_id AND x.movie_id = target.movie_id)) AS similarity
    FROM movie_embeddings e, run, eff WHERE e.run_id = run.id AND eff.b = 'taste'
    UNION ALL
    SELECT a.movie_id, 1 - (a.audience <=> (
      SELECT x.audience FROM movie_audience_embeddings x, target WHERE x.run_id = a.run_id AND x.movie_id = target.movie_id))
    FROM movie_audience_embeddings a, run, eff WHERE a.run_id = run.id AND eff.b = 'audience'
    UNION ALL
    SELECT a.movie_id, 1 - (a.blend <=> (
      SELECT x.blend FROM movie_audience_embeddings x, target WHERE x.run_id = a.run_id AND x.movie_id = target.movie_id))
    FROM movie_audience_embeddings a, run, eff WHERE a.run_id = run.id AND eff.b = 'blend'
  )
  SELECT m.movie_id, m.title, m.year, c.similarity
  FROM cand c, run, target, run_movies m
  WHERE m.run_id = run.id AND m.movie_id = c.movie_id
    AND c.movie_id <> target.movie_id
    AND c.similarity IS NOT NULL
    AND m.rating_count >= cinemap_default_min_rating_count()
  ORDER BY c.similarity DESC, m.movie_id
  LIMIT greatest($2, 0)
$fn$;
GRANT EXECUTE ON FUNCTION similar_movies(text, integer, text), cinemap_effective_basis(text, bigint)
  TO cinemap_gateway, cinemap_analyst, cinemap_writer;
-- the rating-count floor the function applies (kept equal to DEFAULT_MIN_RATING_COUNT = ${DEFAULT_MIN_RATING_COUNT})
`,
  },
];
