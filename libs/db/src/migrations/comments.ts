// What every table, column, view and function means, for analysts reading the schema in
// psql (\d+ movies, \df+ cinemap.*): migration 602 writes these COMMENTs. Tables that an
// ingest replaces (ratings, tags: their staging copy keeps column comments, not the
// table's) and the views activation re-creates get theirs again from here
// (dataset-load.ts, embedding-indexes.ts, audience-embeddings.ts). The texts are part of migration 602's
// checksum: change one only through a new migration.
// libs/db/src/migrations/comments.spec.ts checks that nothing in public or cinemap lacks a comment.

const RUN_CATALOGUE_COLUMNS: Record<string, string> = {
  movie_id: 'MovieLens movieId (the id in movies.csv and ratings.csv).',
  title:
    'Title exactly as in movies.csv: article last, alternate titles in parentheses, year at the end, e.g. "Shawshank Redemption, The (1994)".',
  display_title:
    'The title as people write it: article first, without the year or alternate titles, e.g. "The Shawshank Redemption". What the API and the explorer show.',
  year: 'Release year parsed from the title; NULL when movies.csv gives none. Year filters leave such movies out.',
  genres: 'MovieLens genres (e.g. {Action,Sci-Fi}); empty for "(no genres listed)".',
  imdb_id: 'IMDb numeric id from links.csv (https://www.imdb.com/title/tt<7 digits>/); NULL when unknown.',
  tmdb_id: 'TMDB id from links.csv; NULL when unknown.',
  rating_count:
    'Number of ratings of the movie in the whole dump (before curation). Neighbour lists leave out movies under cinemap_default_min_rating_count() (10) unless asked.',
  average_rating: 'Mean rating (0.5..5 stars) of the movie over the whole dump (before curation), float32.',
  title_keys:
    'Normalised matching keys of the main and alternate titles (lower case, accents folded, articles dropped: cinemap_title_key()); what resolve_title() matches the typed title against.',
};

const EMBEDDING_COLUMNS = {
  run_id: 'The model run (model_runs.id) these numbers belong to.',
  embedding:
    "Learned factor vector (fast.ai EmbeddingDotBias), float32, as many dimensions as the run's params.factors. Cosine similarity = 1 - (a <=> b).",
  bias: "Learned bias, in the model's logit units (before the sigmoid scaled to y_range 0..5.5): higher means rated higher than the factors explain. Sort by it for the most / least appreciated.",
};

const MOVIE_EMBEDDING_COLUMNS = {
  ...EMBEDDING_COLUMNS,
  movie_id: 'MovieLens movieId.',
  pc1: "First principal component of the run's movie embeddings (PCA over all the run's movies): the x of the blog's plot; NULL when not computed.",
  pc2: 'Second principal component (the y of the plot).',
  pc3: 'Third principal component.',
};

const USER_EMBEDDING_COLUMNS = { ...EMBEDDING_COLUMNS, user_id: 'MovieLens userId.' };

const EXCLUDED_BY =
  'Why the movie has no vector (migration 500): NO_RATINGS, MIN_AVG_RATING, MIN_MOVIE_RATINGS, MIN_USER_RATINGS or SAMPLE_FRACTION (the curation step that removed its last rating), NOT_TRAINED (curated but not in the run); NULL when curation kept some of its ratings. What GraphQL excludedBy answers.';

const AUDIENCE_COLUMNS = {
  run_id: 'The model run (model_runs.id) these vectors belong to.',
  movie_id: 'MovieLens movieId.',
  audience:
    "Audience embedding (docs/similarity.md): the movie's right singular vector of the users x movies matrix of who rated what (randomized SVD), float32, params.audienceFactors dimensions. similar_movies(title, k, 'audience') ranks by its cosine.",
  blend:
    "Blend vector [w taste/|taste|, (1-w) audience/|audience|], w = the run's params.blendWeight: its cosine is the 'blend' answer (the default of similar_movies and GraphQL).",
};

/** The columns of active_audience_embeddings / active_blend_embeddings (one basis each). */
const BASIS_VIEW_COLUMNS = (basis: 'audience' | 'blend') => ({
  movie_id: 'MovieLens movieId.',
  embedding: `The movie's ${basis} vector (movie_audience_embeddings.${basis}), typed vector(<dimensions>) so ORDER BY embedding <=> ... LIMIT k uses the run's HNSW index; title_embedding(title, '${basis}') is a title's.`,
  run_id: 'The active model run (model_runs.id).',
});

export const TABLE_COMMENTS = {
  datasets:
    'Each MovieLens dump loaded: where from, the curation parameters, the counts after each step. Exactly one is active (its rows are in movies, ratings, tags, links).',
  movies:
    'The catalogue of the last dump loaded (active dataset), one row per movie. The served model may be older: its own catalogue is run_movies / the view active_movies.',
  ratings:
    "Every valid rating of the active dataset's dump, one per (user, movie) (duplicates keep the latest), before curation. Replaced by each ingest.",
  links: "IMDb and TMDB ids of the active dataset's movies (links.csv).",
  tags: "Free-text tags users gave movies in the active dataset's dump (tags.csv). Replaced by each ingest.",
  curated_ratings: 'The ratings each dataset kept after curation: what the trainer trains on. One set per dataset.',
  model_runs:
    'Each training run: parameters, engine, metrics (per-epoch losses, RMSE, timings), status. Exactly one is active: the one the API and the active_* views serve.',
  movie_embeddings:
    "Per run, each trained movie's factor vector, bias and PCA coordinates. Filter on run_id (or use active_movie_embeddings).",
  user_embeddings: "Per run, each trained user's factor vector and bias.",
  model_artifacts: 'Per run, binary exports (kind onnx-scorer: ONNX model predicting ratings; onnx-similarity: ONNX cosine scorer).',
  run_movies:
    'The catalogue each run was trained with (a copy of movies when the run was created): a run is always served with its own titles.',
  schema_migrations: 'Migrations applied to this database (version, name, checksum of its SQL, when).',
  movie_audience_embeddings:
    "Per run and movie: the audience embedding (randomized SVD of who rated what) and the blend [w taste_unit, (1-w) audience_unit], w = model_runs.params->'blendWeight'. Taste vectors are movie_embeddings.embedding. Empty for a run trained before audience vectors existed.",
} as const;

const COLUMN_COMMENTS: Record<keyof typeof TABLE_COMMENTS, Record<string, string>> = {
  datasets: {
    id: 'Dataset id.',
    created_at: 'When the ingest started.',
    source: 'Where the dump came from (URL, zip or folder; secrets in URLs masked).',
    params: 'The curation parameters used (min average rating, min ratings per movie and per user, sample fraction, seed).',
    counts: 'Counts: movies in the file, ratings after each curation step, duplicates, invalid rows, tags, links.',
    status: 'loading, complete or failed; only a complete dataset can be active.',
    active: 'The dataset whose rows are loaded now (at most one).',
  },
  movies: { ...RUN_CATALOGUE_COLUMNS, excluded_by: EXCLUDED_BY },
  ratings: {
    user_id: 'MovieLens userId.',
    movie_id: 'MovieLens movieId (movies.movie_id).',
    rating: 'Stars, 0.5 to 5.0 in steps of 0.5.',
    rated_at: "When the rating was given (the dump's Unix timestamp).",
  },
  links: { movie_id: 'MovieLens movieId.', imdb_id: RUN_CATALOGUE_COLUMNS.imdb_id, tmdb_id: RUN_CATALOGUE_COLUMNS.tmdb_id },
  tags: { user_id: 'MovieLens userId.', movie_id: 'MovieLens movieId.', tag: 'The tag as typed.', tagged_at: 'When it was tagged.' },
  curated_ratings: {
    dataset_id: 'The dataset (datasets.id) this curated set belongs to.',
    user_id: 'MovieLens userId.',
    movie_id: 'MovieLens movieId.',
    rating: 'Stars, 0.5 to 5.0.',
  },
  model_runs: {
    id: 'Run id.',
    dataset_id: 'The dataset (datasets.id) whose curated ratings it was trained on.',
    created_at: 'When training started.',
    params: 'Hyper-parameters: factors, epochs, lr, wd, batch size, y_range, seed, ...',
    engine: "native (CPU, this project's engine) or tfjs.",
    backend: 'Where it ran: cpu, wasm, tensorflow, tensorflow-gpu.',
    metrics: 'Per-epoch train/valid MSE and valid RMSE, baseline RMSE, timings, counts, PCA explained variance.',
    status: 'training, complete or failed; only a complete run can be active.',
    active: 'The run served by the API and the active_* views (exactly one once any completed).',
  },
  movie_embeddings: MOVIE_EMBEDDING_COLUMNS,
  user_embeddings: USER_EMBEDDING_COLUMNS,
  model_artifacts: { run_id: 'The run (model_runs.id).', kind: 'onnx-scorer or onnx-similarity.', bytes: "The file's bytes." },
  run_movies: { run_id: 'The run (model_runs.id) this catalogue belongs to.', ...RUN_CATALOGUE_COLUMNS, excluded_by: EXCLUDED_BY },
  schema_migrations: {
    version: 'Migration number (ranges by concern: libs/db/src/migrations).',
    name: 'What it does.',
    checksum: 'Hash of its SQL: an applied migration whose text changed is refused.',
    applied_at: 'When it was applied here.',
  },
  movie_audience_embeddings: AUDIENCE_COLUMNS,
};

export const VIEW_COMMENTS = {
  active_movies: {
    view: "The active run's catalogue (run_movies of the active run): join it with active_movie_embeddings.",
    columns: RUN_CATALOGUE_COLUMNS,
  },
  active_movie_embeddings: {
    view: "The active run's movie vectors, typed vector(<factors>) so ORDER BY embedding <=> ... LIMIT k uses the run's HNSW index. Re-pointed on each activation.",
    columns: MOVIE_EMBEDDING_COLUMNS,
  },
  active_user_embeddings: { view: "The active run's user vectors and biases (typed vector(<factors>)).", columns: USER_EMBEDDING_COLUMNS },
  active_audience_embeddings: {
    view: "The active run's audience vectors ('audience' basis), typed so ORDER BY embedding <=> ... LIMIT k uses the run's HNSW index. Empty when the run has none. Re-pointed on each activation.",
    columns: BASIS_VIEW_COLUMNS('audience'),
  },
  active_blend_embeddings: {
    view: "The active run's blend vectors ('blend' basis, the default), typed so ORDER BY embedding <=> ... LIMIT k uses the run's HNSW index. Empty when the run has no audience vectors. Re-pointed on each activation.",
    columns: BASIS_VIEW_COLUMNS('blend'),
  },
} as const;

const FUNCTION_COMMENTS: Record<string, string> = {
  'cinemap.similar_movies(text, integer, text, text[], text[], integer, integer, real, integer)':
    "GraphQL similarMovies in SQL: the k (1..100, default 10) nearest movies to a title by exact cosine over the active run, the title excluded. basis (third): 'blend' (default), 'taste' or 'audience', as GraphQL's (a run without audience vectors answers 'blend' as 'taste' and refuses 'audience'). Named filters as GraphQL's MovieFilter: genres (any of), exclude_genres, year_from/year_to (inclusive; movies without a year fail), min_avg_rating, min_rating_count (default 10). Unknown titles raise MOVIE_NOT_FOUND with suggestions. similarity is float8 from pgvector's float32 sums: within 1e-6 of GraphQL's.",
  'cinemap.similar_movies_query(text, integer, text, text[], text[], integer, integer, real, integer)':
    "similar_movies()'s argument checks (GraphQL's messages, naming the argument), the basis answered in, and title resolution: the run, the query movie and its vector in that basis.",
  'cinemap.cinemap_effective_basis(text, bigint)':
    "The basis a similar_movies() call is answered in on the given run: the name checked (taste, audience, blend; any case); on a run without audience vectors 'audience' raises and 'blend' answers 'taste'.",
  'cinemap.require_title(text)':
    "The movie id a title means in the active run's catalogue (as resolve_title()), or an error MOVIE_NOT_FOUND listing up to 5 close titles. Never NULL.",
  'cinemap.title_embedding(text, text)':
    "A title's vector in the active run in a basis ('taste', the default: active_movie_embeddings; 'audience', 'blend': active_audience_embeddings, active_blend_embeddings), for ad-hoc nearest neighbours: ORDER BY embedding <=> (SELECT title_embedding('Toy Story')) (in a scalar subquery: computed once). Raises MOVIE_NOT_FOUND / MOVIE_NOT_IN_MODEL instead of answering NULL, and for audience or blend on a run without them.",
  'cinemap.serving_run()': "The active model run's id; raises NO_ACTIVE_MODEL when none is.",
  'cinemap.canonical_genres(text[], text)':
    'Genre names typed loosely ("sci-fi") in MovieLens spelling ("Sci-Fi"); unknown names raise an error listing the known genres.',
  'cinemap.resolve_title(text)':
    'The movie id a typed title means in the active run\'s catalogue, as GraphQL resolves it (case, accents, articles and "(year)" forgiven; most-rated on ties), or NULL. require_title() raises instead.',
  'cinemap.resolve_title_in(text, bigint)': 'resolve_title() in the catalogue of the given run (NULL: the loaded movies).',
  'cinemap.title_suggestions(text, integer)':
    '"Did you mean": up to n (5) titles of the active run\'s catalogue closest to the typed one (pg_trgm similarity of the keys, then most-rated).',
  'cinemap.title_suggestions_in(text, integer, bigint)': 'title_suggestions() in the catalogue of the given run (NULL: the loaded movies).',
  'cinemap.cinemap_title_key(text)':
    'The matching key of a title: lower case, accents folded, leading/trailing article dropped (libs/domain titleKey(), generated from the same data).',
  'cinemap.cinemap_parse_title_query(text)': 'Splits a typed title into its key and the year in "(1999)", if any.',
  'cinemap.cinemap_default_min_rating_count()':
    'The rating-count floor (10) every neighbour list applies unless min_rating_count says otherwise.',
};

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

function columnComments(relation: string, columns: Record<string, string>): string[] {
  return Object.entries(columns).map(([c, text]) => `COMMENT ON COLUMN ${relation}.${c} IS ${lit(text)};`);
}

/** COMMENT statements for one of the views activation (re)creates. */
export function viewCommentsSql(view: keyof typeof VIEW_COMMENTS): string {
  const v = VIEW_COMMENTS[view];
  return [`COMMENT ON VIEW ${view} IS ${lit(v.view)};`, ...columnComments(view, v.columns)].join('\n');
}

/** The table's own comment (a swapped-in staging table has its columns' comments already). */
export function tableCommentSql(table: keyof typeof TABLE_COMMENTS): string {
  return `COMMENT ON TABLE ${table} IS ${lit(TABLE_COMMENTS[table])};`;
}

/** Migration 602's text: every table, column and function; the views when they exist yet. */
export function commentsSql(): string {
  const out: string[] = [];
  for (const t of Object.keys(TABLE_COMMENTS) as (keyof typeof TABLE_COMMENTS)[]) {
    out.push(tableCommentSql(t), ...columnComments(t, COLUMN_COMMENTS[t]));
  }
  for (const [f, text] of Object.entries(FUNCTION_COMMENTS)) out.push(`COMMENT ON FUNCTION ${f} IS ${lit(text)};`);
  out.push(viewCommentsSql('active_movies'));
  // The active_*_embeddings views exist once a run was activated (activation comments them).
  for (const v of ['active_movie_embeddings', 'active_user_embeddings', 'active_audience_embeddings', 'active_blend_embeddings'] as const) {
    out.push(`DO $c$ BEGIN IF to_regclass('public.${v}') IS NOT NULL THEN\n${viewCommentsSql(v)}\nEND IF; END $c$;`);
  }
  return out.join('\n');
}
