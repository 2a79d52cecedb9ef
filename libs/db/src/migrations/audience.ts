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

CREATE OR REPLACE FUNCTION similar_movies(title text, k integer DEFAULT 10, basis text DEFAULT 'blend')
RETURNS TABLE (movie_id integer, title text, year integer, similarity double precision)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
  run bigint := (SELECT id FROM model_runs WHERE active);
  target integer;
  b text := lower(btrim(basis));
BEGIN
  IF b NOT IN ('taste', 'audience', 'blend') THEN
    RAISE EXCEPTION 'similar_movies: basis must be ''taste'', ''audience'' or ''blend'', got %', quote_literal(basis)
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  target := resolve_title_in($1, run);
  IF b = 'taste' THEN
    RETURN QUERY
      WITH q AS (SELECT e.embedding FROM movie_embeddings e WHERE e.run_id = run AND e.movie_id = target)
      SELECT m.movie_id, m.title, m.year, 1 - (e.embedding <=> q.embedding) AS similarity
      FROM q, movie_embeddings e
      JOIN run_movies m ON m.run_id = e.run_id AND m.movie_id = e.movie_id
      WHERE e.run_id = run AND e.movie_id <> target AND m.rating_count >= cinemap_default_min_rating_count()
      ORDER BY 1 - (e.embedding <=> q.embedding) DESC, m.movie_id
      LIMIT greatest($2, 0);
    RETURN;
  END IF;
  IF run IS NOT NULL AND NOT EXISTS (SELECT 1 FROM movie_audience_embeddings a WHERE a.run_id = run) THEN
    RAISE EXCEPTION 'similar_movies: the active run % has no audience vectors (trained before they existed); train a new run (npm run train) or pass basis => ''taste''', run
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN QUERY
    WITH q AS (
      SELECT CASE WHEN b = 'audience' THEN a.audience ELSE a.blend END AS v
      FROM movie_audience_embeddings a WHERE a.run_id = run AND a.movie_id = target
    )
    SELECT m.movie_id, m.title, m.year,
           1 - ((CASE WHEN b = 'audience' THEN a.audience ELSE a.blend END) <=> q.v) AS similarity
    FROM q, movie_audience_embeddings a
    JOIN run_movies m ON m.run_id = a.run_id AND m.movie_id = a.movie_id
    WHERE a.run_id = run AND a.movie_id <> target AND m.rating_count >= cinemap_default_min_rating_count()
    ORDER BY 4 DESC, m.movie_id
    LIMIT greatest($2, 0);
END
$fn$;
GRANT EXECUTE ON FUNCTION similar_movies(text, integer, text) TO cinemap_gateway, cinemap_analyst, cinemap_writer;
-- the rating-count floor the function applies (kept equal to DEFAULT_MIN_RATING_COUNT = ${DEFAULT_MIN_RATING_COUNT})
`,
  },
];
