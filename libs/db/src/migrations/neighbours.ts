// 0700-0799: precomputed exact neighbour lists (issue 19): every film's top-N cosine
// neighbours per run and basis, written by the trainer with the run and read by the
// gateway (similarMovies answers from them) and by analysts (version ranges in ./core.ts).
import type { Migration } from './types';

export const neighbourMigrations: Migration[] = [
  {
    version: 700,
    name: 'movie neighbour lists',
    sql: `
-- One row per (run, basis, film): its N nearest films by exact cosine of the basis's
-- embeddings, best first (ties: lower movie id first), the film itself left out, no
-- filter applied. Written in the run's own transaction before it can be activated, so
-- an active run's lists are complete or absent (the gateway then scans).
CREATE TABLE movie_neighbours (
  run_id        bigint NOT NULL REFERENCES model_runs (id) ON DELETE CASCADE,
  basis         text NOT NULL CHECK (basis IN ('taste', 'audience', 'blend')),
  movie_id      integer NOT NULL,
  neighbour_ids integer[] NOT NULL,
  similarities  real[] NOT NULL,
  CHECK (cardinality(neighbour_ids) = cardinality(similarities)),
  PRIMARY KEY (run_id, basis, movie_id)
);
COMMENT ON TABLE movie_neighbours IS 'Each film''s N nearest films (exact cosine, best first, itself excluded, unfiltered) per model run and basis (taste: the learned movie factors).';
COMMENT ON COLUMN movie_neighbours.neighbour_ids IS 'movie ids, best first; ties by lower movie id';
COMMENT ON COLUMN movie_neighbours.similarities IS 'cosine similarity of each neighbour, aligned with neighbour_ids (float32)';
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON movie_neighbours TO cinemap_writer;
GRANT SELECT ON movie_neighbours TO cinemap_gateway, cinemap_analyst;

-- The active run's lists. One neighbour per row:
--   SELECT n.movie_id, x.rank, x.neighbour_id, x.similarity
--   FROM active_movie_neighbours n,
--        unnest(n.neighbour_ids, n.similarities) WITH ORDINALITY AS x(neighbour_id, similarity, rank)
--   WHERE n.basis = 'taste' AND n.movie_id = 2571;
CREATE VIEW active_movie_neighbours AS
SELECT n.run_id, n.basis, n.movie_id, n.neighbour_ids, n.similarities
FROM movie_neighbours n JOIN model_runs r ON r.id = n.run_id AND r.active;
COMMENT ON VIEW active_movie_neighbours IS 'movie_neighbours of the active model run';
GRANT SELECT ON active_movie_neighbours TO cinemap_writer, cinemap_gateway, cinemap_analyst;
`,
  },
  {
    version: 701,
    name: 'comments on the neighbour lists',
    sql: `
-- Every column explained for analysts (\\d+), as migration 602 does for the rest of the schema.
COMMENT ON COLUMN movie_neighbours.run_id IS 'The model run (model_runs.id) these lists belong to.';
COMMENT ON COLUMN movie_neighbours.basis IS 'The similarity basis the cosine is taken in: taste (the learned movie factors), blend (the default answer: taste and audience vectors, docs/similarity.md) or audience. The trainer writes taste and blend; audience is answered by the exact scan.';
COMMENT ON COLUMN movie_neighbours.movie_id IS 'MovieLens movieId of the film whose neighbours these are.';
COMMENT ON COLUMN active_movie_neighbours.run_id IS 'The active model run.';
COMMENT ON COLUMN active_movie_neighbours.basis IS 'taste, blend or audience (see movie_neighbours.basis).';
COMMENT ON COLUMN active_movie_neighbours.movie_id IS 'MovieLens movieId of the film whose neighbours these are.';
COMMENT ON COLUMN active_movie_neighbours.neighbour_ids IS 'movie ids, best first; ties by lower movie id';
COMMENT ON COLUMN active_movie_neighbours.similarities IS 'cosine similarity of each neighbour, aligned with neighbour_ids (float32)';
`,
  },
];
