// Writes a synthetic dump in the MovieLens "latest" format (movies.csv,
// ratings.csv, links.csv, tags.csv) plus truth.json, the planted answers.
//
// Memory stays bounded at any scale: the movies' arrays are kept (86k rows at
// `latest`), users are generated one at a time from their own seeded stream,
// and their ratings go straight to disk in userId, movieId order (the order
// of the real ratings.csv). Each file is written as `<name>.partial` and
// renamed when complete; truth.json is written last, so its presence means
// the dump is whole.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@cinemap/math';
import { ByteWriter } from './byte-writer';
import { csvField, imdbField } from './csv';
import { LATENT_DIM, plantTruth, userFactorSds, type PlantedTruth, type RatingModel } from './planted';
import { scaleSpec, type SyntheticScale } from './scales';
import { GENERIC_TAGS, TAGS_BY_GENRE } from './words';
import { zipDump } from './zip';

export const DEFAULT_SEED = 42;
/** First and last rating times of ml-latest (1995-01-09, 2023-07-20), unix seconds. */
export const FIRST_RATING_TS = 789_652_009;
export const LAST_RATING_TS = 1_689_843_600;
/** MovieLens allowed half stars from 2003-02-18; earlier ratings are whole stars. */
export const HALF_STARS_FROM_TS = 1_045_526_400;
export const DUMP_FILES = ['movies.csv', 'ratings.csv', 'links.csv', 'tags.csv'] as const;
export const TRUTH_FILE = 'truth.json';
export const TRUTH_FORMAT = 'cinemap-synthetic-truth/2';
/**
 * Bumped whenever the same scale + seed would give other bytes (the model, the
 * popularity, the draws), so caches of dumps (bench/src/generate-data.ts) can tell a
 * dump of an older generator from a current one. Recorded in truth.json.
 * 1: the easy planted model (until 2026-12); 2: calibrated against real MovieLens.
 */
export const GENERATOR_VERSION = 2;

export interface GenerateProgress {
  phase: 'movies' | 'ratings' | 'zip' | 'done';
  usersDone: number;
  users: number;
  ratings: number;
  /** Bytes of ratings.csv written so far. */
  bytes: number;
}

export interface GenerateOptions {
  /** Output folder (created if missing). */
  out: string;
  scale: SyntheticScale;
  seed?: number;
  /** Also write `<out>/<ml-folder>.zip` with the four CSVs inside a top folder, like GroupLens' zips. */
  zip?: boolean;
  onProgress?: (p: GenerateProgress) => void;
  /** Aborting removes the partial files and rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * For calibration experiments only: other numbers for the planted rating model
   * (planted.ts PLANTED_MODEL). truth.json records the numbers used.
   */
  model?: Partial<RatingModel>;
}

export interface DumpCounts {
  movies: number;
  ratings: number;
  users: number;
  tags: number;
  links: number;
}

export interface GenerateResult {
  dir: string;
  zipPath?: string;
  truthPath: string;
  counts: DumpCounts;
}

/** Vose's alias table: O(1) weighted draws over the movies. */
function aliasTable(w: Float64Array): { prob: Float64Array; alias: Int32Array } {
  const n = w.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += w[i];
  const prob = new Float64Array(n);
  const alias = new Int32Array(n);
  const scaled = new Float64Array(n);
  const small: number[] = [],
    large: number[] = [];
  for (let i = 0; i < n; i++) {
    scaled[i] = (w[i] * n) / sum;
    (scaled[i] < 1 ? small : large).push(i);
  }
  while (small.length && large.length) {
    const s = small.pop()!,
      l = large.pop()!;
    prob[s] = scaled[s];
    alias[s] = l;
    scaled[l] = scaled[l] + scaled[s] - 1;
    (scaled[l] < 1 ? small : large).push(l);
  }
  for (const i of large) prob[i] = 1;
  for (const i of small) prob[i] = 1;
  return { prob, alias };
}

const RATING_TEXT = Array.from({ length: 11 }, (_, k) => Buffer.from(`,${(k / 2).toFixed(1)},`));
const HEADER = {
  movies: 'movieId,title,genres\n',
  ratings: 'userId,movieId,rating,timestamp\n',
  links: 'movieId,imdbId,tmdbId\n',
  tags: 'userId,movieId,tag,timestamp\n',
};

function releaseTs(year: number): number {
  return year === 0 ? FIRST_RATING_TS : Math.floor(Date.UTC(year, 0, 1) / 1000);
}

/** When a user joined and how long they stayed: growth over time, many one-session users. */
function userWindow(r: Rng): [number, number] {
  const span = LAST_RATING_TS - FIRST_RATING_TS;
  const u = r.next();
  // 15% from the early MovieLens years (1996-2001), the rest with a density growing linearly in time.
  const start =
    u < 0.15
      ? FIRST_RATING_TS + Math.floor(r.next() * 6 * 365 * 86400) + 300 * 86400
      : FIRST_RATING_TS + Math.floor(Math.sqrt(r.next()) * span);
  const k = r.next();
  const dur = k < 0.55 ? 600 + r.int(4 * 3600) : k < 0.85 ? Math.floor(-Math.log(1 - r.next()) * 60 * 86400) : r.int(10 * 365 * 86400);
  return [Math.min(start, LAST_RATING_TS - 600), Math.min(dur, LAST_RATING_TS - start)];
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('synthetic generation aborted');
}

export async function generateSyntheticDump(opts: GenerateOptions): Promise<GenerateResult> {
  const spec = scaleSpec(opts.scale);
  const seed = opts.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${String(seed)}`);
  const dir = opts.out;
  mkdirSync(dir, { recursive: true });
  const truthPath = join(dir, TRUTH_FILE);
  // The marker goes first, so a dump interrupted from here on is never taken as complete.
  rmSync(truthPath, { force: true });
  const partial = (f: string): string => join(dir, `${f}.partial`);
  const writers: ByteWriter[] = [];
  const progress = (p: GenerateProgress): void => opts.onProgress?.(p);
  try {
    progress({ phase: 'movies', usersDone: 0, users: spec.users, ratings: 0, bytes: 0 });
    const truth = plantTruth(spec, seed, opts.model);
    const movies = writeMovies(truth, partial('movies.csv'), partial('links.csv'));

    const ratingsW = new ByteWriter(partial('ratings.csv'));
    const tagsW = new ByteWriter(partial('tags.csv'));
    writers.push(ratingsW, tagsW);
    const { ratings, tags } = await writeRatings(truth, ratingsW, tagsW, seed, progress, opts.signal);
    ratingsW.close();
    tagsW.close();

    for (const f of DUMP_FILES) renameSync(partial(f), join(dir, f));
    const counts: DumpCounts = { movies: movies, ratings, users: spec.users, tags, links: movies };

    let zipPath: string | undefined;
    if (opts.zip) {
      progress({ phase: 'zip', usersDone: spec.users, users: spec.users, ratings, bytes: ratingsW.bytes });
      zipPath = join(dir, `${spec.zipFolder}.zip`);
      await zipDump(dir, DUMP_FILES, spec.zipFolder, zipPath, readmeText(spec.scale, seed, counts), opts.signal);
    }
    writeFileSync(`${truthPath}.partial`, JSON.stringify(truthJson(truth, counts), null, 1) + '\n');
    renameSync(`${truthPath}.partial`, truthPath);
    progress({ phase: 'done', usersDone: spec.users, users: spec.users, ratings, bytes: ratingsW.bytes });
    return { dir, zipPath, truthPath, counts };
  } catch (e) {
    for (const w of writers) w.abandon();
    for (const f of [...DUMP_FILES, TRUTH_FILE]) rmSync(partial(f), { force: true });
    throw e;
  }
}

function writeMovies(truth: PlantedTruth, moviesPath: string, linksPath: string): number {
  const m = truth.movies;
  const mw = new ByteWriter(moviesPath);
  const lw = new ByteWriter(linksPath);
  mw.text(HEADER.movies);
  lw.text(HEADER.links);
  for (let i = 0; i < m.count; i++) {
    const g = m.genres[i].length ? m.genres[i].join('|') : '(no genres listed)';
    mw.text(`${m.ids[i]},${csvField(m.titles[i])},${csvField(g)}\n`);
    lw.text(`${m.ids[i]},${imdbField(m.imdbIds[i])},${m.tmdbIds[i] === 0 ? '' : m.tmdbIds[i]}\n`);
  }
  mw.close();
  lw.close();
  return m.count;
}

// eslint-disable-next-line max-lines-per-function -- the generator's hot loop (34M ratings for `latest`): its state stays in locals
async function writeRatings(
  truth: PlantedTruth,
  rw: ByteWriter,
  tw: ByteWriter,
  seed: number,
  progress: (p: GenerateProgress) => void,
  signal?: AbortSignal,
): Promise<{ ratings: number; tags: number }> {
  const { movies: m, spec } = truth;
  const M = m.count,
    D = LATENT_DIM;
  const { prob, alias } = aliasTable(m.weight);
  const rel = new Int32Array(M);
  for (let i = 0; i < M; i++) rel[i] = releaseTs(m.years[i]);
  // Each movie's tag candidates, pre-quoted for the CSV.
  const tagPool: string[][] = m.genres.map((gs) => [...gs.flatMap((g) => TAGS_BY_GENRE[g] ?? []), ...GENERIC_TAGS].map(csvField));

  const counts = truth.userRatingCounts;
  const model = truth.model;
  const { start: firstStart, movies: firstMovies } = truth.firstRated;
  const stamp = new Int32Array(M); // stamp[i] === userId: movie i already chosen by this user
  const chosen = new Int32Array(M);
  const keys = new Float64Array(M);
  const order = new Int32Array(M);
  const uvec = new Float64Array(D);
  const uSd = userFactorSds(model);
  // A user's fandom per franchise, drawn from the user's stream when first needed.
  const fandom = new Float64Array(truth.franchises.length);
  const fandomStamp = new Int32Array(truth.franchises.length);
  const fandomOf = (f: number, userId: number, r: Rng): number => {
    if (fandomStamp[f] !== userId) {
      fandomStamp[f] = userId;
      fandom[f] = r.normal(0, model.fandomSd);
    }
    return fandom[f];
  };
  const usersRng = new Rng(seed).fork(10);
  const taggerShare = 0.1;
  // 1.3 tags per tagged movie on average (a second tag 30% of the time).
  const tagProb = Math.min(1, spec.tagsPerRating / (taggerShare * 1.3));
  let ratings = 0,
    tags = 0;
  const step = Math.max(1, Math.floor(spec.users / 200));

  rw.text(HEADER.ratings);
  tw.text(HEADER.tags);
  for (let userId = 1; userId <= spec.users; userId++) {
    const r = usersRng.fork(userId);
    const n = Math.min(counts[userId - 1], M);
    // The films this user is the first to rate (every film has one), then draws by popularity.
    let k = 0;
    for (let j = firstStart[userId - 1]; j < firstStart[userId] && k < n; j++) {
      stamp[firstMovies[j]] = userId;
      chosen[k++] = firstMovies[j];
    }
    if (n > M / 8) {
      // Heavy user: weighted sampling without replacement by exponential keys
      // (Efraimidis-Spirakis), the same distribution as repeated draws with rejection.
      for (let i = 0; i < M; i++) {
        keys[i] = stamp[i] === userId ? Infinity : -Math.log(1 - r.next()) / m.weight[i];
        order[i] = i;
      }
      const sorted = order.sort((a, b) => keys[a] - keys[b]);
      for (let j = 0; k < n; j++) chosen[k++] = sorted[j];
    } else {
      while (k < n) {
        const x = r.int(M);
        const i = r.next() < prob[x] ? x : alias[x];
        if (stamp[i] === userId) continue;
        stamp[i] = userId;
        chosen[k++] = i;
        const f = m.franchiseOf[i];
        if (f >= 0 && model.franchiseFollow > 0) {
          const follow = model.franchiseFollow * (fandomOf(f, userId, r) > 0 ? 1 : 1 / 3);
          // Members are in id order, i.e. release order: the later ones are i's sequels,
          // watched one after the other until the first one skipped.
          for (const j of truth.franchises[f]) {
            if (j <= i || stamp[j] === userId) continue;
            if (k >= n || r.next() >= follow) break;
            stamp[j] = userId;
            chosen[k++] = j;
          }
        }
      }
    }
    const mine = chosen.subarray(0, n).sort();

    for (let d = 0; d < D; d++) uvec[d] = r.normal(0, uSd[d]);
    const bu = r.normal(0, model.userBiasSd);
    const scale = Math.exp(r.normal(0, model.userScaleSd));
    const halfStarUser = r.next() < model.halfStarUsers;
    const [start, dur] = userWindow(r);
    const tagger = r.next() < taggerShare;

    for (let k = 0; k < n; k++) {
      const i = mine[k];
      let dot = 0;
      const off = i * D;
      for (let d = 0; d < D; d++) dot += uvec[d] * m.factors[off + d];
      const f = m.franchiseOf[i];
      if (f >= 0) dot += m.fandomLoad[i] * fandomOf(f, userId, r);
      let x = model.globalMean + bu + scale * (m.bias[i] + dot + r.normal(0, model.ratingNoiseSd));
      // Now and then a film disappoints for reasons no model of taste sees.
      if (r.next() < model.lowShare) x -= model.lowDrop * 2 * r.next();
      // The star scale is used unevenly: top marks sparingly, the bad end spread out.
      if (x > 4) x = 4 + model.topSlope * (x - 4);
      else if (x < 3) x = 3 + model.bottomSlope * (x - 3);
      let ts = start + Math.floor(r.next() * dur);
      if (ts < rel[i]) {
        // Nobody rates a film before its release year: move the rating after it.
        const room = Math.max(1, Math.min(LAST_RATING_TS - rel[i], 2 * 365 * 86400));
        ts = rel[i] + Math.floor(r.next() * room);
      }
      let halves = 2 * Math.min(5, Math.max(1, Math.round(x)));
      if (halfStarUser && ts >= HALF_STARS_FROM_TS) {
        // Half stars, used sparingly: a half that is not kept goes to the nearer whole star.
        const h = Math.min(10, Math.max(1, Math.round(2 * x)));
        if (h % 2 === 0 || r.next() < model.keepHalf) halves = h;
      }
      rw.uint(userId);
      rw.byte(44);
      rw.uint(m.ids[i]);
      rw.raw(RATING_TEXT[halves]);
      rw.uint(ts);
      rw.byte(10);

      if (tagger && r.next() < tagProb) {
        const pool = tagPool[i];
        const first = r.int(pool.length);
        const second = r.next() < 0.3 ? r.int(pool.length) : -1;
        for (const t of second >= 0 && second !== first ? [first, second] : [first]) {
          tw.text(`${userId},${m.ids[i]},${pool[t]},${ts + r.int(600)}\n`);
          tags++;
        }
      }
    }
    ratings += n;
    if (userId % step === 0 || userId === spec.users) {
      progress({ phase: 'ratings', usersDone: userId, users: spec.users, ratings, bytes: rw.bytes });
      // Let signals (Ctrl-C) and timers run; a few hundred yields in total.
      await new Promise<void>((res) => setImmediate(res));
      if (signal?.aborted) throw abortError(signal);
    }
  }
  return { ratings, tags };
}

function truthJson(truth: PlantedTruth, counts: DumpCounts): unknown {
  const ids = truth.movies.ids;
  return {
    format: TRUTH_FORMAT,
    note: 'Planted truth of a synthetic cinemap dump; not a MovieLens file. See libs/synthetic/README.md.',
    scale: truth.spec.scale,
    seed: truth.seed,
    counts,
    generatorVersion: GENERATOR_VERSION,
    model: {
      rating:
        'x = globalMean + userBias + exp(N(0, userScaleSd)) * (movieBias + userFactors . movieFactors + fandomLoad * N(0, fandomSd) for franchise members (one draw per user and franchise) + N(0, ratingNoiseSd)); with probability lowShare, x -= U(0, 2 lowDrop); then x = 4 + topSlope (x - 4) above 4 and 3 + bottomSlope (x - 3) below 3; whole stars (before halfStarsFrom and for 1 - halfStarUsers of users), else half stars of which a share keepHalf is kept (the rest go to the nearer whole star); clipped to 0.5..5',
      latentDim: LATENT_DIM,
      ...truth.model,
      halfStarsFrom: HALF_STARS_FROM_TS,
    },
    franchises: truth.franchises.map((f) => f.map((i) => ids[i])),
    franchiseTitles: truth.franchises.map((f) => f.map((i) => truth.movies.titles[i])),
    anchors: truth.anchors.map((a) => ({ title: a.title, movieId: ids[a.movieIndex], note: a.note })),
    genreFactors: truth.genreFactors,
  };
}

function readmeText(scale: string, seed: number, c: DumpCounts): string {
  return [
    `Synthetic MovieLens-format dump generated by cinemap (scale ${scale}, seed ${seed}).`,
    'Not MovieLens data: titles, users and ratings are made up from a planted latent-factor model.',
    `movies.csv ${c.movies} rows, ratings.csv ${c.ratings}, links.csv ${c.links}, tags.csv ${c.tags}; ${c.users} users.`,
    'Files and columns follow the ml-latest README (UTF-8, RFC 4180 quoting, LF line endings).',
    '',
  ].join('\n');
}

/** True when `dir` holds a complete dump (truth.json is written last). */
export function isCompleteDump(dir: string): boolean {
  return existsSync(join(dir, TRUTH_FILE)) && DUMP_FILES.every((f) => existsSync(join(dir, f)));
}
