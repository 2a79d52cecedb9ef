// Test seeding: a small catalogue (real MovieLens titles that title resolution must
// get right, plus seeded filler), one complete dataset and an active model run with
// planted embeddings, user embeddings and an ONNX scorer (the trainer's own exporter,
// @cinemap/model) — all through SQL here, so
// gateway tests run without ingest or trainer. Like the trainer, a run carries its
// exact neighbour lists (basis 'taste'), unless `neighbourLists: false` asks for a run
// written before lists existed (the gateway then scans). seedModelRun() adds and activates
// another run (with the trainer's NOTIFY) for hot-swap tests.
import { DEFAULT_BLEND_WEIGHT, movieKeys, parseMovieTitle } from '@cinemap/domain';
import { DEFAULT_NEIGHBOUR_LIST_LENGTH, blendRows, loadNeighbourListKernel, neighbourListsByScan, Rng, unitRowsById } from '@cinemap/math';
import { buildScorerOnnx, type ModelWeights } from '@cinemap/model';
import { Queryable, Db, csvChunks, csvField, vectorLiteral } from '../db';
import { createRunEmbeddingIndexes } from '../queries/embedding-indexes';
import { copyAudienceEmbeddings, createRunAudienceIndexes } from '../queries/audience-embeddings';
import { activateModelRun } from '../queries/model-runs';
import { INGEST_COLUMNS } from '../queries/dataset-load';
import { copyMovieNeighbours, type MovieNeighboursRow } from '../queries/movie-neighbours';

export interface SeedMovie {
  movieId: number;
  title: string;
  genres: string[];
  ratingCount: number;
  averageRating: number;
  imdbId: number | null;
  tmdbId: number | null;
}

/** Titles exactly as in movies.csv, with rating counts chosen for the resolution table. */
export const SEED_TITLES: ReadonlyArray<[title: string, genres: string, ratingCount: number]> = [
  ['Matrix, The (1999)', 'Action|Sci-Fi|Thriller', 2780],
  ['Matrix Reloaded, The (2003)', 'Action|Adventure|Sci-Fi|Thriller|IMAX', 950],
  ['Mary Poppins (1964)', 'Children|Comedy|Fantasy|Musical', 820],
  ['Mary Poppins Returns (2018)', 'Children|Comedy|Fantasy|Musical', 95],
  ['City of Lost Children, The (Cité des enfants perdus, La) (1995)', 'Adventure|Drama|Fantasy|Mystery|Sci-Fi', 410],
  ['Hamlet (1990)', 'Drama', 160],
  ['Hamlet (1996)', 'Crime|Drama|Romance', 390],
  ['Hamlet (2000)', 'Crime|Drama|Romance|Thriller', 120],
  ['King Kong (1933)', 'Action|Adventure|Fantasy|Horror', 300],
  ['King Kong (1976)', 'Adventure|Fantasy|Romance|Sci-Fi|Thriller', 150],
  ['King Kong (2005)', 'Action|Adventure|Drama|Fantasy|Thriller', 1300],
  ['Shawshank Redemption, The (1994)', 'Crime|Drama', 3170],
  ['Léon: The Professional (a.k.a. The Professional) (Léon) (1994)', 'Action|Crime|Drama|Thriller', 1330],
  ['Impossible, The (Imposible, Lo) (2012)', 'Drama|Thriller', 140],
  ["Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)", 'Comedy|Romance', 1200],
  ['Spider-Man (2002)', 'Action|Adventure|Sci-Fi|Thriller', 1220],
  ["Avventura, L' (Adventure, The) (1960)", 'Drama|Mystery|Romance', 40],
  ["Schindler's List (1993)", 'Drama|War', 2200],
  ['2012 (2009)', 'Action|Drama|Sci-Fi|Thriller', 300],
  ['1917 (2019)', 'War', 180],
  ['Blade Runner 2049 (2017)', 'Sci-Fi', 420],
  ['Blade Runner (1982)', 'Action|Sci-Fi|Thriller', 1900],
  ['Crouching Tiger, Hidden Dragon (Wo hu cang long) (2000)', 'Action|Drama|Romance', 1100],
  ['Hyena Road', '(no genres listed)', 12],
  ['Seven (a.k.a. Se7en) (1995)', 'Mystery|Thriller', 2000],
  ['Godfather, The (1972)', 'Crime|Drama', 2000],
  ['Godfather: Part II, The (1974)', 'Crime|Drama', 1300],
  ['WALL·E (2008)', 'Adventure|Animation|Children|Romance|Sci-Fi', 1050],
  ['Star Wars: Episode IV - A New Hope (1977)', 'Action|Adventure|Sci-Fi', 2500],
  ['Lord of the Rings: The Fellowship of the Ring, The (2001)', 'Adventure|Fantasy', 2100],
  ['Dark Knight, The (2008)', 'Action|Crime|Drama|IMAX', 1490],
  ['Seven Samurai (Shichinin no samurai) (1954)', 'Action|Adventure|Drama', 530],
  ['Rare Gem Nobody Saw (2010)', 'Drama', 3],
];

/** Title typed → title exactly as stored (null: no movie). Checked in SQL (libs/db) and over GraphQL (apps/gateway). */
export const RESOLUTION_TABLE: ReadonlyArray<[typed: string, expected: string | null]> = [
  ['The Matrix', 'Matrix, The (1999)'],
  ['matrix', 'Matrix, The (1999)'],
  ['Matrix, The (1999)', 'Matrix, The (1999)'],
  ['Matrix (1999)', 'Matrix, The (1999)'],
  ['  THE   MATRIX  ', 'Matrix, The (1999)'],
  ['Matrix, The', 'Matrix, The (1999)'],
  ['Matrix (2003)', null],
  ['Mary Poppins', 'Mary Poppins (1964)'],
  ['mary poppins returns', 'Mary Poppins Returns (2018)'],
  ['Cite des enfants perdus', 'City of Lost Children, The (Cité des enfants perdus, La) (1995)'],
  ['La Cité des Enfants Perdus', 'City of Lost Children, The (Cité des enfants perdus, La) (1995)'],
  ['the city of lost children', 'City of Lost Children, The (Cité des enfants perdus, La) (1995)'],
  ['Hamlet', 'Hamlet (1996)'],
  ['Hamlet (1990)', 'Hamlet (1990)'],
  ['Hamlet (2000)', 'Hamlet (2000)'],
  ['King Kong', 'King Kong (2005)'],
  ['King Kong (1933)', 'King Kong (1933)'],
  ['LEON', 'Léon: The Professional (a.k.a. The Professional) (Léon) (1994)'],
  ['The Professional', 'Léon: The Professional (a.k.a. The Professional) (Léon) (1994)'],
  ['Léon: The Professional (a.k.a. The Professional) (Léon) (1994)', 'Léon: The Professional (a.k.a. The Professional) (Léon) (1994)'],
  ['Lo imposible', 'Impossible, The (Imposible, Lo) (2012)'],
  ['amélie', "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)"],
  ['Le fabuleux destin d’Amélie Poulain', "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)"],
  ['Spiderman', 'Spider-Man (2002)'],
  ['spider man', 'Spider-Man (2002)'],
  ['Avventura', "Avventura, L' (Adventure, The) (1960)"],
  ["L'Avventura", "Avventura, L' (Adventure, The) (1960)"],
  ['Schindlers List', "Schindler's List (1993)"],
  ['2012', '2012 (2009)'],
  ['1917', '1917 (2019)'],
  ['Blade Runner 2049', 'Blade Runner 2049 (2017)'],
  ['Blade Runner', 'Blade Runner (1982)'],
  ['Crouching Tiger, Hidden Dragon', 'Crouching Tiger, Hidden Dragon (Wo hu cang long) (2000)'],
  ['hyena road', 'Hyena Road'],
  ['Se7en', 'Seven (a.k.a. Se7en) (1995)'],
  ['The Godfather', 'Godfather, The (1972)'],
  ['Godfather Part II', 'Godfather: Part II, The (1974)'],
  ['Wall-E', 'WALL·E (2008)'],
  ['Star Wars: Episode IV - A New Hope', 'Star Wars: Episode IV - A New Hope (1977)'],
  ['Matrx', null],
  ['Mary', null],
];

const FILLER_GENRES = ['Action', 'Comedy', 'Drama', 'Horror', 'Romance', 'Sci-Fi', 'Thriller', 'Documentary', 'Animation', 'War'];

export interface SeedOptions {
  /** Filler movies besides SEED_TITLES (default 300). */
  fillers?: number;
  /** Embedding dimension (default 8). */
  dim?: number;
  users?: number;
  seed?: number;
  /** Also write audience and blend vectors of this width (issue 13); default none, like a run from before them. */
  audienceDim?: number;
  /** Also add OUT_OF_MODEL_MOVIES to the catalogue, without vectors, and the curation params that left them out. */
  outOfModel?: boolean;
  /** Write the run's exact neighbour lists, as the trainer does (default true; n = 100). */
  neighbourLists?: boolean;
}

/** Catalogue movies a run has no vector for, with the curation step that dropped them (seeded with `outOfModel`). */
export const OUT_OF_MODEL_MOVIES: ReadonlyArray<SeedMovie & { excludedBy: string }> = [
  {
    movieId: 9001,
    title: 'Unloved Sequel, The (2004)',
    genres: ['Action'],
    ratingCount: 168,
    averageRating: 3.25,
    imdbId: 900001,
    tmdbId: null,
    excludedBy: 'MIN_AVG_RATING',
  },
  {
    movieId: 9002,
    title: 'Obscure Short (1931)',
    genres: ['Drama'],
    ratingCount: 3,
    averageRating: 4,
    imdbId: null,
    tmdbId: null,
    excludedBy: 'MIN_MOVIE_RATINGS',
  },
];

/** The curation parameters recorded with the dataset when `outOfModel` is set. */
export const OUT_OF_MODEL_PARAMS = { minAvgRating: 3.5, minMovieRatings: 5, minUserRatings: 1, sampleFraction: null, seed: 42 };

export interface SeedResult {
  datasetId: number;
  runId: number;
  dim: number;
  /** Width of the seeded audience vectors (0: the runs have none). */
  audienceDim: number;
  movies: SeedMovie[];
  userIds: number[];
}

/** Fills an empty, migrated database: catalogue, dataset, one active run. */
export async function seedGatewayFixture(db: Db, opts: SeedOptions = {}): Promise<SeedResult> {
  const dim = opts.dim ?? 8;
  const rng = new Rng(opts.seed ?? 7);
  const movies: SeedMovie[] = [];
  SEED_TITLES.forEach(([title, genres, ratingCount], i) => {
    movies.push({
      movieId: i + 1,
      title,
      genres: genres === '(no genres listed)' ? [] : genres.split('|'),
      ratingCount,
      averageRating: Math.round((2.5 + rng.next() * 2) * 100) / 100,
      imdbId: 100000 + i,
      tmdbId: i % 5 === 0 ? null : 500 + i,
    });
  });
  const fillers = opts.fillers ?? 300;
  for (let i = 0; i < fillers; i++) {
    const g1 = FILLER_GENRES[i % FILLER_GENRES.length];
    const g2 = FILLER_GENRES[(i * 7 + 3) % FILLER_GENRES.length];
    movies.push({
      movieId: 1000 + i,
      title: `Filler Picture ${String(i).padStart(3, '0')} (${1950 + (i % 70)})`,
      genres: g1 === g2 ? [g1] : [g1, g2],
      // a few films below the default floor, most above
      ratingCount: i % 13 === 0 ? 1 + (i % 9) : 10 + rng.int(2000),
      averageRating: Math.round((1 + rng.next() * 4) * 100) / 100,
      imdbId: 200000 + i,
      tmdbId: 9000 + i,
    });
  }
  const userIds = Array.from({ length: opts.users ?? 25 }, (_, i) => i + 1);
  const result = await db.transaction(async (tx) => {
    // COPY, not one INSERT per row: the serving bench seeds ~86k movies.
    const catalogue: (SeedMovie & { excludedBy?: string })[] = opts.outOfModel ? [...movies, ...OUT_OF_MODEL_MOVIES] : movies;
    await tx.copyFrom(
      'movies',
      INGEST_COLUMNS.movies,
      csvRows(catalogue, (m) => {
        const p = parseMovieTitle(m.title);
        const row = [m.movieId, m.title, p.displayTitle, p.year, m.genres, m.imdbId, m.tmdbId, m.ratingCount, m.averageRating];
        return [...row, movieKeys(p), m.excludedBy ?? null];
      }),
    );
    const [{ id: datasetId }] = await tx.query<{ id: number }>(
      `INSERT INTO datasets (source, params, counts, status, active) VALUES ('seed', $2, $1, 'complete', true) RETURNING id`,
      [JSON.stringify({ movies: catalogue.length }), JSON.stringify(opts.outOfModel ? OUT_OF_MODEL_PARAMS : {})],
    );
    const audienceDim = opts.audienceDim ?? 0;
    const runId = await insertRun(tx, datasetId, movies, userIds, dim, rng, audienceDim, opts.neighbourLists !== false);
    return { datasetId, runId, dim, audienceDim, movies, userIds };
  });
  // As the trainer does: indexes, views, active flag, NOTIFY (the trainer's own query).
  await createRunEmbeddingIndexes(db, result.runId, dim);
  if (result.audienceDim)
    await createRunAudienceIndexes(db, result.runId, { audience: result.audienceDim, blend: dim + result.audienceDim });
  await activateModelRun(db, result.runId, dim);
  return result;
}

/**
 * Adds another complete run for `datasetId` with fresh embeddings (seeded) and,
 * when `activate`, switches the active run to it in one transaction and NOTIFYs
 * the gateway as the trainer does.
 */
export async function seedModelRun(
  db: Db,
  fixture: SeedResult,
  opts: { seed: number; activate?: boolean; neighbourLists?: boolean },
): Promise<number> {
  const rng = new Rng(opts.seed);
  const runId = await db.transaction((tx) =>
    insertRun(tx, fixture.datasetId, fixture.movies, fixture.userIds, fixture.dim, rng, fixture.audienceDim, opts.neighbourLists !== false),
  );
  if (fixture.audienceDim)
    await createRunAudienceIndexes(db, runId, { audience: fixture.audienceDim, blend: fixture.dim + fixture.audienceDim });
  if (opts.activate !== false) await activateModelRun(db, runId, fixture.dim);
  return runId;
}

async function insertRun(
  tx: Queryable,
  datasetId: number,
  movies: SeedMovie[],
  userIds: number[],
  dim: number,
  rng: Rng,
  audienceDim: number,
  lists: boolean,
): Promise<number> {
  const epochs = [
    { epoch: 1, trainLoss: 1.1, validLoss: 1.0, validRmse: 1.0, seconds: 0.1 },
    { epoch: 2, trainLoss: 0.8, validLoss: 0.82, validRmse: 0.905, seconds: 0.1 },
  ];
  const [{ id: runId }] = await tx.query<{ id: number }>(
    `INSERT INTO model_runs (dataset_id, params, engine, backend, metrics, status, active)
     VALUES ($1, $2, 'native', 'cpu', $3, 'complete', false) RETURNING id`,
    [
      datasetId,
      JSON.stringify({
        factors: dim,
        epochs: 2,
        lr: 5e-3,
        wd: 0.1,
        yRange: [0, 5.5],
        ...(audienceDim ? { audienceFactors: audienceDim, blendWeight: DEFAULT_BLEND_WEIGHT } : {}),
      }),
      JSON.stringify({ epochs }),
    ],
  );
  const movieEmb = movies.map(() => Array.from({ length: dim }, () => rng.normal(0, 1)));
  const movieBias = movies.map(() => rng.normal(0, 0.5));
  await tx.copyFrom(
    'movie_embeddings',
    ['run_id', 'movie_id', 'embedding', 'bias', 'pc1', 'pc2', 'pc3'],
    csvRows(movies, (m, i) => [runId, m.movieId, vectorLiteral(movieEmb[i]), movieBias[i], movieEmb[i][0], movieEmb[i][1], movieEmb[i][2]]),
  );
  if (lists) await copyMovieNeighbours(tx, runId, 'taste', await seedNeighbourRows(movies, Float32Array.from(movieEmb.flat()), dim));
  const userEmb = userIds.map(() => Array.from({ length: dim }, () => rng.normal(0, 0.3)));
  const userBias = userIds.map(() => rng.normal(0, 0.3));
  await tx.copyFrom(
    'user_embeddings',
    ['run_id', 'user_id', 'embedding', 'bias'],
    csvRows(userIds, (u, i) => [runId, u, vectorLiteral(userEmb[i]), userBias[i]]),
  );
  const weights: ModelWeights = {
    nUsers: userIds.length,
    nMovies: movies.length,
    factors: dim,
    userFactors: Float32Array.from(userEmb.flat()),
    movieFactors: Float32Array.from(movieEmb.flat()),
    userBias: Float32Array.from(userBias),
    movieBias: Float32Array.from(movieBias),
    yRange: [0, 5.5],
  };
  // The trainer's own exporter: the gateway loads exactly what a trained run carries.
  const scorer = buildScorerOnnx(weights, { runId, userIds, movieIds: movies.map((m) => m.movieId) });
  await tx.query(`INSERT INTO model_artifacts (run_id, kind, bytes) VALUES ($1, 'onnx-scorer', $2)`, [runId, scorer]);
  if (audienceDim) {
    const blend = await insertAudience(tx, runId, movies, weights.movieFactors, dim, audienceDim, rng.fork(13));
    // As the trainer: lists for BLEND (the default) beside TASTE's; AUDIENCE scans.
    if (lists) await copyMovieNeighbours(tx, runId, 'blend', await seedNeighbourRows(movies, blend, dim + audienceDim));
  }
  return runId;
}

/** Seeded audience vectors, independent of the taste ones (so the bases answer differently), and the trainer's blend. */
async function insertAudience(
  tx: Queryable,
  runId: number,
  movies: SeedMovie[],
  taste: Float32Array,
  dim: number,
  audienceDim: number,
  rng: Rng,
): Promise<Float32Array> {
  const audience = new Float32Array(movies.length * audienceDim);
  for (let i = 0; i < audience.length; i++) audience[i] = rng.normal(0, 1);
  const blend = blendRows(taste, dim, audience, audienceDim, movies.length, DEFAULT_BLEND_WEIGHT);
  const d = dim + audienceDim;
  await copyAudienceEmbeddings(
    tx,
    runId,
    movies.map((m, i) => ({
      movieId: m.movieId,
      audience: audience.subarray(i * audienceDim, (i + 1) * audienceDim),
      blend: blend.subarray(i * d, (i + 1) * d),
    })),
  );
  return blend;
}

/** CSV lines for copyFrom, one row of fields per item. */
function csvRows<T>(items: readonly T[], fields: (item: T, i: number) => unknown[]): Generator<string> {
  return csvChunks(items, (item, i) => fields(item, i).map(csvField).join(',') + '\n');
}

/** A run's weights read back from its embeddings (tests compute expected ratings with predict()). */
export async function loadRunWeights(
  q: Queryable,
  runId: number,
): Promise<{ weights: ModelWeights; userIds: number[]; movieIds: number[] }> {
  const parse = (s: string) => s.slice(1, -1).split(',').map(Number);
  const movies = await q.query<{ id: number; e: string; b: number }>(
    'SELECT movie_id AS id, embedding::text AS e, bias AS b FROM movie_embeddings WHERE run_id = $1 ORDER BY movie_id',
    [runId],
  );
  const users = await q.query<{ id: number; e: string; b: number }>(
    'SELECT user_id AS id, embedding::text AS e, bias AS b FROM user_embeddings WHERE run_id = $1 ORDER BY user_id',
    [runId],
  );
  const weights: ModelWeights = {
    nUsers: users.length,
    nMovies: movies.length,
    factors: users[0] ? parse(users[0].e).length : 0,
    userFactors: Float32Array.from(users.flatMap((u) => parse(u.e))),
    movieFactors: Float32Array.from(movies.flatMap((m) => parse(m.e))),
    userBias: Float32Array.from(users, (u) => u.b),
    movieBias: Float32Array.from(movies, (m) => m.b),
    yRange: [0, 5.5],
  };
  return { weights, userIds: users.map((u) => u.id), movieIds: movies.map((m) => m.id) };
}

/** The lists the trainer would write for these embeddings (same math: @cinemap/math's exact lists). */
async function seedNeighbourRows(movies: SeedMovie[], emb: Float32Array, dim: number): Promise<MovieNeighboursRow[]> {
  const { ids, matrix } = unitRowsById(
    movies.map((m) => m.movieId),
    emb,
    dim,
  );
  const kernel = await loadNeighbourListKernel().catch(() => null);
  const n = DEFAULT_NEIGHBOUR_LIST_LENGTH;
  const lists = kernel ? kernel.lists(matrix, ids.length, dim, n) : neighbourListsByScan(matrix, ids.length, dim, n);
  return Array.from(ids, (movieId, r) => {
    const len = Math.min(n, ids.length - 1);
    return {
      movieId,
      neighbourIds: Array.from(lists.ids.subarray(r * n, r * n + len), (i) => ids[i]),
      similarities: lists.scores.subarray(r * n, r * n + len),
    };
  });
}
