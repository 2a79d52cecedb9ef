// 0001-0099: the core schema (docs/architecture.md "Database layer"): the tables every
// part shares, their roles and rules. Version ranges by concern: 0001-0099 core (here),
// 0100-0199 the dump's tables (none yet beyond core), 0200-0299 run catalogues
// (./run-catalogue.ts), 0300-0399 title resolution and the analysts' SQL functions
// (./title-resolution.ts), 0400-0499 audience and blend vectors (./audience.ts), 0500-0599
// what the public API says of a movie (./api-catalogue.ts), 0600-0699 the analysts' schema:
// the cinemap schema, lookups that raise, comments, ratings keys (./analysts.ts), 0700-0799
// precomputed neighbour lists (./neighbours.ts). Numbers never change once applied (checksums).
import type { Migration } from './types';

export const coreMigrations: Migration[] = [
  {
    version: 1,
    name: 'extensions and roles',
    sql: `
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
-- Group roles (NOLOGIN): deployments grant them to login users. Role names are
-- cluster-wide, so creation tolerates a role made by another database's migration.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cinemap_writer') THEN
    BEGIN CREATE ROLE cinemap_writer NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cinemap_gateway') THEN
    BEGIN CREATE ROLE cinemap_gateway NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cinemap_analyst') THEN
    BEGIN CREATE ROLE cinemap_analyst NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END;
  END IF;
END $$;
`,
  },
  {
    version: 2,
    name: 'core tables',
    sql: `
CREATE TABLE datasets (
  id          bigserial PRIMARY KEY,
  created_at  timestamptz NOT NULL DEFAULT now(),
  source      text NOT NULL,
  params      jsonb NOT NULL DEFAULT '{}',
  counts      jsonb NOT NULL DEFAULT '{}',
  status      text NOT NULL DEFAULT 'loading' CHECK (status IN ('loading', 'complete', 'failed')),
  active      boolean NOT NULL DEFAULT false,
  CHECK (NOT active OR status = 'complete')
);
-- At most one active dataset, enforced by the database.
CREATE UNIQUE INDEX datasets_one_active ON datasets (active) WHERE active;

CREATE TABLE movies (
  movie_id       integer PRIMARY KEY CHECK (movie_id > 0),
  title          text NOT NULL,             -- exactly as in movies.csv
  display_title  text NOT NULL,             -- "The Shawshank Redemption"
  year           integer,
  genres         text[] NOT NULL DEFAULT '{}',
  imdb_id        integer,
  tmdb_id        integer,
  rating_count   integer NOT NULL DEFAULT 0,
  average_rating real NOT NULL DEFAULT 0,
  title_keys     text[] NOT NULL DEFAULT '{}' -- normalised keys (main + alternate titles), see libs/domain
);
CREATE INDEX movies_title_keys ON movies USING gin (title_keys);
CREATE INDEX movies_title_trgm ON movies USING gin (display_title gin_trgm_ops);

CREATE TABLE ratings (
  user_id  integer NOT NULL,
  movie_id integer NOT NULL,
  rating   real NOT NULL CHECK (rating >= 0.5 AND rating <= 5.0),
  rated_at timestamptz NOT NULL
);

CREATE TABLE links (
  movie_id integer PRIMARY KEY,
  imdb_id  integer,
  tmdb_id  integer
);

CREATE TABLE tags (
  user_id  integer NOT NULL,
  movie_id integer NOT NULL,
  tag      text NOT NULL,
  tagged_at timestamptz NOT NULL
);

-- The ratings each dataset kept after curation (what the trainer trains on).
CREATE TABLE curated_ratings (
  dataset_id bigint NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  user_id    integer NOT NULL,
  movie_id   integer NOT NULL,
  rating     real NOT NULL
);
CREATE INDEX curated_ratings_dataset ON curated_ratings (dataset_id);

CREATE TABLE model_runs (
  id          bigserial PRIMARY KEY,
  dataset_id  bigint NOT NULL REFERENCES datasets (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  params      jsonb NOT NULL DEFAULT '{}',
  engine      text NOT NULL,
  backend     text NOT NULL,
  metrics     jsonb NOT NULL DEFAULT '{}',
  status      text NOT NULL DEFAULT 'training' CHECK (status IN ('training', 'complete', 'failed')),
  active      boolean NOT NULL DEFAULT false,
  CHECK (NOT active OR status = 'complete')
);
-- Exactly one active run once any has completed: a second active row is rejected.
CREATE UNIQUE INDEX model_runs_one_active ON model_runs (active) WHERE active;

CREATE TABLE movie_embeddings (
  run_id    bigint NOT NULL REFERENCES model_runs (id) ON DELETE CASCADE,
  movie_id  integer NOT NULL,
  embedding vector NOT NULL,
  bias      real NOT NULL,
  pc1 real, pc2 real, pc3 real,
  PRIMARY KEY (run_id, movie_id)
);

CREATE TABLE user_embeddings (
  run_id    bigint NOT NULL REFERENCES model_runs (id) ON DELETE CASCADE,
  user_id   integer NOT NULL,
  embedding vector NOT NULL,
  bias      real NOT NULL,
  PRIMARY KEY (run_id, user_id)
);

CREATE TABLE model_artifacts (
  run_id bigint NOT NULL REFERENCES model_runs (id) ON DELETE CASCADE,
  kind   text NOT NULL,
  bytes  bytea NOT NULL,
  PRIMARY KEY (run_id, kind)
);
`,
  },
  {
    version: 3,
    name: 'role privileges',
    sql: `
GRANT USAGE ON SCHEMA public TO cinemap_writer, cinemap_gateway, cinemap_analyst;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO cinemap_writer;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO cinemap_writer;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO cinemap_gateway, cinemap_analyst;
-- Tables and sequences created later by the migrating role get the same grants.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO cinemap_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO cinemap_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO cinemap_gateway, cinemap_analyst;
`,
  },
];
