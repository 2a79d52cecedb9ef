// 0200-0299: a run's own catalogue (run_movies), so a run is always served with the
// titles it was trained with (version ranges in ./core.ts).
import type { Migration } from './types';

export const runCatalogueMigrations: Migration[] = [
  {
    version: 200,
    name: 'run catalogue',
    sql: `
-- The catalogue a run was trained with, copied from movies when the run is created
-- (in the same transaction that checks its dataset is still the active one). A run is
-- served with its own catalogue, so an ingest of another dump (which rewrites movies)
-- never pairs one dump's titles with another dump's embeddings; the rows go with the run.
CREATE TABLE run_movies (
  run_id         bigint NOT NULL REFERENCES model_runs (id) ON DELETE CASCADE,
  movie_id       integer NOT NULL,
  title          text NOT NULL,
  display_title  text NOT NULL,
  year           integer,
  genres         text[] NOT NULL DEFAULT '{}',
  imdb_id        integer,
  tmdb_id        integer,
  rating_count   integer NOT NULL DEFAULT 0,
  average_rating real NOT NULL DEFAULT 0,
  title_keys     text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (run_id, movie_id)
);
CREATE INDEX run_movies_title_keys ON run_movies USING gin (title_keys);
CREATE INDEX run_movies_title_trgm ON run_movies USING gin (display_title gin_trgm_ops);
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON run_movies TO cinemap_writer;
GRANT SELECT ON run_movies TO cinemap_gateway, cinemap_analyst;

-- Existing stores: the active run gets the loaded catalogue when it belongs to the
-- active dataset (otherwise the pair had already drifted; training again fixes it).
INSERT INTO run_movies (run_id, movie_id, title, display_title, year, genres, imdb_id, tmdb_id, rating_count, average_rating, title_keys)
SELECT r.id, m.movie_id, m.title, m.display_title, m.year, m.genres, m.imdb_id, m.tmdb_id, m.rating_count, m.average_rating, m.title_keys
FROM model_runs r JOIN datasets d ON d.id = r.dataset_id AND d.active, movies m
WHERE r.active;
`,
  },
];
