// The movies a run is served with (run_movies, copied when the run was created), with
// their embeddings, biases and PCA coordinates: what the gateway's snapshot loads and the
// lists it answers (by id, search, most/least appreciated, PCA), every list filtered by
// the domain's MovieFilter and rating-count floor, and the exact cosine neighbours the
// in-memory scan is tested against. A run is never served with whatever `movies` holds
// now (an ingest of another dump without a new run changes nothing answered); a null run
// (nothing trained yet) reads the loaded catalogue, `movies`.
import { minRatingCountOf, type Movie, type MovieFilter } from '@cinemap/domain';
import { Queryable, forEachKeyPage, parseVector, vectorLiteral } from '../db';

/** A catalogue movie, with its bias in the active run when it has one. */
export interface MovieRow extends Movie {
  bias: number | null;
}

/** One movie of a run, as the gateway's in-memory snapshot needs it. */
export interface RunMovieRow extends MovieRow {
  embedding: Float32Array;
  bias: number;
  pc1: number | null;
  pc2: number | null;
  pc3: number | null;
}

export interface ScoredMovieId {
  movieId: number;
  similarity: number;
}

const MOVIE_COLUMNS = `m.movie_id AS "movieId", m.title, m.display_title AS "displayTitle", m.year, m.genres,
  m.imdb_id AS "imdbId", m.tmdb_id AS "tmdbId", m.rating_count AS "ratingCount", m.average_rating AS "averageRating",
  m.excluded_by AS "excludedBy"`;

// One static predicate (plan-cache friendly): each filter is a nullable parameter; the
// rating-count floor is the domain's (minRatingCountOf: DEFAULT_MIN_RATING_COUNT when absent).
// Parameters $2..$7 in every statement that uses it.
const FILTER_SQL = `($2::text[] IS NULL OR m.genres && $2::text[])
  AND ($3::text[] IS NULL OR NOT (m.genres && $3::text[]))
  AND ($4::integer IS NULL OR m.year >= $4::integer)
  AND ($5::integer IS NULL OR m.year <= $5::integer)
  AND ($6::real IS NULL OR m.average_rating >= $6::real)
  AND m.rating_count >= $7::integer`;

function filterParams(f: MovieFilter | null | undefined): unknown[] {
  return [
    f?.genres?.length ? [...f.genres] : null,
    f?.excludeGenres?.length ? [...f.excludeGenres] : null,
    f?.yearFrom ?? null,
    f?.yearTo ?? null,
    f?.minAverageRating ?? null,
    minRatingCountOf(f),
  ];
}

/** The catalogue served with `runId`, as a FROM item aliased m; inCatalogue() restricts it to the run (parameter $n). */
function catalogue(runId: number | null): string {
  return runId === null ? 'movies m' : 'run_movies m';
}

function inCatalogue(runId: number | null, n: number): string {
  return runId === null ? 'true' : `m.run_id = $${n}::bigint`;
}

/** Every movie of a run with its embedding and the run's catalogue fields, by movie id. */
export async function loadRunMovies(q: Queryable, runId: number): Promise<RunMovieRow[]> {
  const rows = await q.query<Omit<RunMovieRow, 'embedding'> & { embedding: string }>(
    `SELECT ${MOVIE_COLUMNS}, e.embedding::text AS embedding, e.bias, e.pc1, e.pc2, e.pc3
     FROM movie_embeddings e JOIN run_movies m ON m.run_id = e.run_id AND m.movie_id = e.movie_id
     WHERE e.run_id = $1
     ORDER BY m.movie_id`,
    [runId],
  );
  return rows.map((r) => ({ ...r, embedding: parseVector(r.embedding) }));
}

/** How many movies `loadRunMovies` / `forEachRunMovie` give for the run (those with a vector in it). */
export async function countRunMovieVectors(q: Queryable, runId: number): Promise<number> {
  const [r] = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n
     FROM movie_embeddings e JOIN run_movies m ON m.run_id = e.run_id AND m.movie_id = e.movie_id
     WHERE e.run_id = $1`,
    [runId],
  );
  return r.n;
}

/**
 * `loadRunMovies` a page at a time: visits the run's movies in movie id order, each row as
 * `loadRunMovies` gives it except that `embedding` is a buffer reused for the next movie
 * (copy what you keep), and returns how many it visited. Read in pages of `pageSize`
 * movies, so what a load leaves to the garbage collector is one page, not the catalogue
 * (86k rows with their vectors as text are ~100 MB of heap; the gateway's snapshot keeps
 * none of it).
 */
export async function forEachRunMovie(q: Queryable, runId: number, visit: (row: RunMovieRow) => void, pageSize = 5000): Promise<number> {
  let buf: Float32Array = new Float32Array(0);
  return forEachKeyPage(
    pageSize,
    (after) =>
      q.query<Omit<RunMovieRow, 'embedding'> & { embedding: string | Float32Array }>(
        `SELECT ${MOVIE_COLUMNS}, e.embedding::text AS embedding, e.bias, e.pc1, e.pc2, e.pc3
         FROM movie_embeddings e JOIN run_movies m ON m.run_id = e.run_id AND m.movie_id = e.movie_id
         WHERE e.run_id = $1 AND e.movie_id > $2
         ORDER BY e.movie_id
         LIMIT $3`,
        [runId, after, pageSize],
      ),
    (r) => r.movieId,
    (r) => {
      buf = parseVectorInto(r.embedding as string, buf);
      r.embedding = buf;
      visit(r as RunMovieRow);
    },
  );
}

/**
 * `parseVector(text)` written into `buf` when it has the vector's length (else into a new
 * array of that length, returned): the same values, without an array and strings per vector.
 */
export function parseVectorInto(text: string, buf: Float32Array): Float32Array {
  // parseVector's body: trimmed, a leading "[" and a trailing "]" off, then split at commas.
  let start = 0,
    end = text.length;
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  if (start < end && text.charCodeAt(start) === 91) start++;
  if (end > start && text.charCodeAt(end - 1) === 93) end--;
  let n = 0;
  if (end > start) {
    n = 1;
    for (let i = start; i < end; i++) if (text.charCodeAt(i) === 44) n++;
  }
  const out = buf.length === n ? buf : new Float32Array(n);
  for (let i = 0, a = start; i < n; i++) {
    let b = a;
    while (b < end && text.charCodeAt(b) !== 44) b++;
    out[i] = Number(text.slice(a, b));
    a = b + 1;
  }
  return out;
}

/** What String.prototype.trim takes off (the vector text pgvector writes has none). */
function isSpace(c: number): boolean {
  return /\s/.test(String.fromCharCode(c));
}

/** Movies by id (any order in, rows in the order of `ids`) from the run's catalogue, with their bias in `runId`. */
export async function getMoviesByIds(q: Queryable, ids: readonly number[], runId: number | null): Promise<MovieRow[]> {
  if (!ids.length) return [];
  const rows = await q.query<MovieRow>(
    `SELECT ${MOVIE_COLUMNS}, e.bias
     FROM unnest($1::integer[]) WITH ORDINALITY AS u(id, i)
     JOIN ${catalogue(runId)} ON m.movie_id = u.id AND ${inCatalogue(runId, 2)}
     LEFT JOIN movie_embeddings e ON e.run_id = $2 AND e.movie_id = m.movie_id
     ORDER BY u.i`,
    [[...ids], runId],
  );
  return rows;
}

/** The ranked matches of searchMovies ($1 the typed text, $3 the run), as CTEs ending in `ranked`. */
function searchCtes(runId: number | null): string {
  return `k AS (SELECT cinemap.cinemap_title_key($1) AS key),
     prefix AS (
       SELECT m.movie_id, 0 AS tier, 1::real AS score FROM ${catalogue(runId)}, k
       WHERE ${inCatalogue(runId, 3)} AND k.key <> '' AND EXISTS (SELECT 1 FROM unnest(m.title_keys) t WHERE starts_with(t, k.key))
     ),
     fuzzy AS (
       SELECT m.movie_id, 1 AS tier, similarity(m.display_title, $1) AS score FROM ${catalogue(runId)}
       WHERE ${inCatalogue(runId, 3)} AND m.display_title % $1
     ),
     ranked AS (
       SELECT movie_id, min(tier) AS tier, max(score) AS score FROM (SELECT * FROM prefix UNION ALL SELECT * FROM fuzzy) x GROUP BY movie_id
     )`;
}

/**
 * searchMovies: titles whose key starts with the typed key (most-rated first), then
 * trigram matches on the display title (most similar first). `inModel` true keeps only
 * movies with a vector in `runId`, false only those without; null keeps both. `offset`
 * skips that many (paging; the order is total: ties by movie id).
 */
export async function searchMovies(
  q: Queryable,
  text: string,
  limit: number,
  runId: number | null,
  inModel: boolean | null = null,
  offset = 0,
): Promise<MovieRow[]> {
  return q.query<MovieRow>(
    `WITH ${searchCtes(runId)}
     SELECT ${MOVIE_COLUMNS}, e.bias
     FROM ranked r JOIN ${catalogue(runId)} ON m.movie_id = r.movie_id AND ${inCatalogue(runId, 3)}
     LEFT JOIN movie_embeddings e ON e.run_id = $3 AND e.movie_id = m.movie_id
     WHERE $4::boolean IS NULL OR (e.movie_id IS NOT NULL) = $4::boolean
     ORDER BY r.tier, r.score DESC, m.rating_count DESC, m.movie_id
     LIMIT $2 OFFSET $5`,
    [text, limit, runId, inModel, offset],
  );
}

/** How many movies searchMovies would list in all (its totalCount). */
export async function countSearchMovies(q: Queryable, text: string, runId: number | null, inModel: boolean | null = null): Promise<number> {
  const [r] = await q.query<{ n: number }>(
    `WITH ${searchCtes(runId)}
     SELECT count(*)::int AS n
     FROM ranked r JOIN ${catalogue(runId)} ON m.movie_id = r.movie_id AND ${inCatalogue(runId, 3)}
     LEFT JOIN movie_embeddings e ON e.run_id = $3 AND e.movie_id = m.movie_id
     WHERE ($4::boolean IS NULL OR (e.movie_id IS NOT NULL) = $4::boolean) AND $2::integer IS NULL`,
    [text, null, runId, inModel],
  );
  return r.n;
}

/**
 * How many movies of the run pass `filter` (with the default floor): the totalCount of
 * the appreciation lists, and of the PCA map with `withPca` (movies with coordinates).
 */
export async function countRunMovies(q: Queryable, runId: number, filter: MovieFilter | null, withPca = false): Promise<number> {
  const [r] = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n
     FROM movie_embeddings e JOIN run_movies m ON m.run_id = e.run_id AND m.movie_id = e.movie_id
     WHERE e.run_id = $1 AND ${FILTER_SQL} ${withPca ? 'AND e.pc1 IS NOT NULL' : ''}`,
    [runId, ...filterParams(filter)],
  );
  return r.n;
}

/** Each genre of the run's catalogue: movies with it, and those of them with a vector (in the model). */
export async function genreCounts(q: Queryable, runId: number): Promise<{ name: string; movies: number; inModel: number }[]> {
  return q.query(
    `SELECT g AS name, count(*)::int AS movies, count(e.movie_id)::int AS "inModel"
     FROM run_movies m CROSS JOIN LATERAL unnest(m.genres) AS g
     LEFT JOIN movie_embeddings e ON e.run_id = m.run_id AND e.movie_id = m.movie_id
     WHERE m.run_id = $1
     GROUP BY g ORDER BY count(e.movie_id) DESC, g`,
    [runId],
  );
}

/** Movies of the run by bias: 'most' = highest first, 'least' = lowest first. */
export async function appreciatedMovies(
  q: Queryable,
  runId: number,
  order: 'most' | 'least',
  limit: number,
  filter?: MovieFilter | null,
  offset = 0,
): Promise<MovieRow[]> {
  const dir = order === 'most' ? 'DESC' : 'ASC';
  return q.query<MovieRow>(
    `SELECT ${MOVIE_COLUMNS}, e.bias
     FROM movie_embeddings e JOIN run_movies m ON m.run_id = e.run_id AND m.movie_id = e.movie_id
     WHERE e.run_id = $1 AND ${FILTER_SQL}
     ORDER BY e.bias ${dir}, m.movie_id
     LIMIT $8 OFFSET $9`,
    [runId, ...filterParams(filter), limit, offset],
  );
}

/** PCA coordinates of the run's movies, most-rated first (the blog's plot). */
export async function pcaProjection(
  q: Queryable,
  runId: number,
  limit: number,
  filter?: MovieFilter | null,
  offset = 0,
): Promise<(MovieRow & { x: number; y: number; z: number })[]> {
  return q.query(
    `SELECT ${MOVIE_COLUMNS}, e.bias, e.pc1 AS x, e.pc2 AS y, e.pc3 AS z
     FROM movie_embeddings e JOIN run_movies m ON m.run_id = e.run_id AND m.movie_id = e.movie_id
     WHERE e.run_id = $1 AND e.pc1 IS NOT NULL AND ${FILTER_SQL}
     ORDER BY m.rating_count DESC, m.movie_id
     LIMIT $8 OFFSET $9`,
    [runId, ...filterParams(filter), limit, offset],
  );
}

/**
 * Exact cosine neighbours in pgvector (no index: ordering by the computed
 * similarity and movie id cannot use HNSW) of a stored movie (`query` a movie id)
 * or of a vector; `exclude` ids are left out. The reference the gateway's
 * in-memory path is tested against, and what the benchmark's SQL row measures.
 */
export async function similarMoviesExact(
  q: Queryable,
  runId: number,
  query: number | ArrayLike<number>,
  k: number,
  filter?: MovieFilter | null,
  exclude: readonly number[] = [],
): Promise<ScoredMovieId[]> {
  const byId = typeof query === 'number';
  const excluded = byId ? [query as number, ...exclude] : [...exclude];
  return q.query<ScoredMovieId>(
    `WITH qv AS (
       SELECT ${byId ? `(SELECT embedding FROM movie_embeddings WHERE run_id = $1 AND movie_id = $9)` : `$9::vector`} AS v
     )
     SELECT m.movie_id AS "movieId", 1 - (e.embedding <=> qv.v) AS similarity
     FROM qv, movie_embeddings e JOIN run_movies m ON m.run_id = e.run_id AND m.movie_id = e.movie_id
     WHERE e.run_id = $1 AND NOT (e.movie_id = ANY($10::integer[])) AND ${FILTER_SQL}
     ORDER BY 1 - (e.embedding <=> qv.v) DESC, m.movie_id
     LIMIT $8`,
    [runId, ...filterParams(filter), k, byId ? query : vectorLiteral(query as ArrayLike<number>), excluded],
  );
}
