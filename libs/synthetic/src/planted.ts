// The planted truth behind a synthetic dump: every movie's title, genres,
// popularity, quality bias and latent vector, the franchises, the anchors, how
// many ratings each user gives and which films each user is the first to rate.
// Pure (no I/O) and deterministic per (scale, seed), so tests can rebuild exactly
// what the generator used.
//
// The rating model (README.md "The planted model") is the trainer's dot-bias model
// under the kinds of noise real ratings carry, calibrated so the trainer gains as
// little over a biases-only baseline as it does on real MovieLens:
//   x = GLOBAL + b_user + scale_user * (b_movie + u·m + noise)   (+ a rare unexplained low)
//   rating = x rounded to the user's habit (whole stars, or halves used sparingly), clipped
// Each genre owns a unit direction in LATENT_DIM dimensions; a movie's vector
// mixes its genres' directions with its own random part; franchise members share
// only PART of one vector, so they are neighbours in the planted space but no
// easier to find in a trained one than real franchises are.
import { Rng } from '@cinemap/math';
import { type ScaleSpec } from './scales';
import { ANCHORS, anchorRank, alternateTitle, formatTitle, syntheticName } from './titles';

export const LATENT_DIM = 16;

/** The numbers of the planted rating model (recorded in truth.json's `model`). */
export interface RatingModel {
  globalMean: number;
  /** sd of u·m (movie vectors have norm 1; user factors are N(0, userFactorSd² · spectrum_d²)). */
  userFactorSd: number;
  /**
   * Taste is dominated by a few directions, as in real ratings: dimension d of the
   * user factors is scaled by latentDecay^d (then normalised so the scales' squares
   * average 1). 1 = every direction equally strong.
   */
  latentDecay: number;
  userBiasSd: number;
  movieBiasSd: number;
  /** Added to the bias of the most-rated films, fading to 0 at the least rated (popular films are liked more). */
  popularityBias: number;
  /** sd of the per-rating noise the model cannot explain. */
  ratingNoiseSd: number;
  /** sd of log(scale_user): some users use the whole scale, others stay near their mean. */
  userScaleSd: number;
  /**
   * How people use the star scale, a monotone bend of the opinion x: above 4 it
   * rises with slope topSlope (top marks are given sparingly), below 3 with slope
   * bottomSlope (the bad end is stretched), so 4.0 is the mode and low ratings are
   * spread out as on MovieLens.
   */
  topSlope: number;
  bottomSlope: number;
  /** Share of ratings that are an unexplained low (a film that disappointed), and the mean drop. */
  lowShare: number;
  lowDrop: number;
  /** Share of users who rate in half stars once the site allows it (the others use whole stars). */
  halfStarUsers: number;
  /** A half-star user keeps a half star this often; otherwise rounds to the nearer whole star (whole stars are favoured, as on MovieLens). */
  keepHalf: number;
  /** Share of a regular movie's direction that comes from its genres. */
  genreWeight: number;
  /** Franchise vectors lean less on genres, so a franchise stands apart from its genre-mates. */
  franchiseGenreWeight: number;
  /** Weight of the franchise's shared vector in each member's (the rest is the member's own): uniform in this range per franchise. */
  franchiseShare: [number, number];
  /**
   * sd of a user's fandom for one franchise: a taste for that franchise alone (one
   * more latent direction per franchise, beyond the LATENT_DIM shared ones), added to
   * the user's opinion of each member times the member's `fandomLoad`.
   */
  fandomSd: number;
  /**
   * Fans watch the sequels: when a user draws a franchise film by popularity, its
   * sequels follow one by one, each with this probability if the user's fandom is
   * positive (a third of it otherwise), until one is skipped; so franchise members
   * share raters, and each sequel has fewer, as on MovieLens.
   */
  franchiseFollow: number;
}

export const PLANTED_MODEL: Readonly<RatingModel> = {
  globalMean: 3.6,
  userFactorSd: 0.48,
  latentDecay: 0.7,
  userBiasSd: 0.5,
  movieBiasSd: 0.45,
  popularityBias: 0.3,
  ratingNoiseSd: 0.5,
  userScaleSd: 0.2,
  topSlope: 0.9,
  bottomSlope: 1.1,
  lowShare: 0.065,
  lowDrop: 1.5,
  halfStarUsers: 0.75,
  keepHalf: 0.9,
  genreWeight: 0.6,
  franchiseGenreWeight: 0.3,
  franchiseShare: [0.5, 0.85],
  fandomSd: 1.2,
  franchiseFollow: 0.75,
};

export function ratingModel(overrides: Partial<RatingModel> = {}): RatingModel {
  return { ...PLANTED_MODEL, ...overrides };
}

/**
 * The model at a scale: the taste terms (userFactorSd, fandomSd) times tasteScale,
 * the noise grown by what they lost, so ratings spread as before while the share
 * a model of taste can learn shrinks.
 */
export function scaleModel(model: RatingModel, tasteScale: number): RatingModel {
  if (tasteScale === 1) return model;
  const lost = (1 - tasteScale ** 2) * model.userFactorSd ** 2;
  return {
    ...model,
    userFactorSd: model.userFactorSd * tasteScale,
    fandomSd: model.fandomSd * tasteScale,
    ratingNoiseSd: Math.sqrt(model.ratingNoiseSd ** 2 + lost),
  };
}

/** Per-dimension sd of the user factors: userFactorSd * latentDecay^d, scaled so their squares sum to LATENT_DIM * userFactorSd². */
export function userFactorSds(model: RatingModel): Float64Array {
  const s = new Float64Array(LATENT_DIM);
  let sum = 0;
  for (let d = 0; d < LATENT_DIM; d++) sum += (s[d] = model.latentDecay ** d) ** 2;
  const k = model.userFactorSd * Math.sqrt(LATENT_DIM / sum);
  for (let d = 0; d < LATENT_DIM; d++) s[d] *= k;
  return s;
}

/** MovieLens genres (ml-latest README), with rough frequencies in ml-latest. */
export const GENRES: readonly { name: string; freq: number }[] = [
  { name: 'Action', freq: 0.08 },
  { name: 'Adventure', freq: 0.045 },
  { name: 'Animation', freq: 0.03 },
  { name: 'Children', freq: 0.03 },
  { name: 'Comedy', freq: 0.16 },
  { name: 'Crime', freq: 0.05 },
  { name: 'Documentary', freq: 0.06 },
  { name: 'Drama', freq: 0.22 },
  { name: 'Fantasy', freq: 0.03 },
  { name: 'Film-Noir', freq: 0.005 },
  { name: 'Horror', freq: 0.06 },
  { name: 'IMAX', freq: 0.004 },
  { name: 'Musical', freq: 0.01 },
  { name: 'Mystery', freq: 0.03 },
  { name: 'Romance', freq: 0.08 },
  { name: 'Sci-Fi', freq: 0.035 },
  { name: 'Thriller', freq: 0.08 },
  { name: 'War', freq: 0.015 },
  { name: 'Western', freq: 0.01 },
];

export interface PlantedMovies {
  count: number;
  /** movieId per movie index; ascending, with gaps like the real ids. */
  ids: Int32Array;
  titles: string[];
  /** Genre names, alphabetical; empty = "(no genres listed)". */
  genres: string[][];
  /** Release year (start year for a range); 0 = no year in the title. */
  years: Int16Array;
  /** Popularity rank (0 = most rated) and sampling weight. */
  rank: Int32Array;
  weight: Float64Array;
  bias: Float32Array;
  /** count * LATENT_DIM, row-major. */
  factors: Float32Array;
  /** The franchise (index into PlantedTruth.franchises) a movie belongs to, or -1. */
  franchiseOf: Int32Array;
  /** How much of a user's fandom for its franchise a member carries (0 outside franchises). */
  fandomLoad: Float32Array;
  imdbIds: Int32Array;
  /** 0 = empty in links.csv. */
  tmdbIds: Int32Array;
}

export interface PlantedTruth {
  spec: ScaleSpec;
  seed: number;
  model: RatingModel;
  movies: PlantedMovies;
  /** Per franchise, its members' movie indices in id order. */
  franchises: number[][];
  anchors: { title: string; movieIndex: number; note: string }[];
  /** LATENT_DIM numbers per genre. */
  genreFactors: Record<string, number[]>;
  /** Ratings per user, by userId - 1. */
  userRatingCounts: Int32Array;
  /**
   * Every movie has a first rater (MovieLens lists only films someone rated): user
   * index u (userId - 1) rates movies `firstRated.movies[start[u] .. start[u + 1])`
   * for sure, and draws the rest of its count by popularity.
   */
  firstRated: { start: Int32Array; movies: Int32Array };
}

function normalizeInPlace(v: Float64Array): Float64Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s) || 1;
  for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

function randomUnit(rng: Rng): Float64Array {
  const v = new Float64Array(LATENT_DIM);
  for (let i = 0; i < LATENT_DIM; i++) v[i] = rng.normal();
  return normalizeInPlace(v);
}

/** normalize(genreWeight * normalize(sum of genre dirs) + (1 - ...) * random unit). */
function mixVector(rng: Rng, genres: string[], dirs: Map<string, Float64Array>, genreWeight: number): Float64Array {
  const z = randomUnit(rng);
  if (genres.length === 0) return z;
  const g = new Float64Array(LATENT_DIM);
  for (const name of genres) {
    const d = dirs.get(name)!;
    for (let i = 0; i < LATENT_DIM; i++) g[i] += d[i];
  }
  normalizeInPlace(g);
  const w2 = Math.sqrt(1 - genreWeight * genreWeight);
  for (let i = 0; i < LATENT_DIM; i++) g[i] = genreWeight * g[i] + w2 * z[i];
  return normalizeInPlace(g);
}

function pickGenres(rng: Rng): string[] {
  if (rng.next() < 0.03) return [];
  const r = rng.next();
  const n = r < 0.35 ? 1 : r < 0.7 ? 2 : r < 0.9 ? 3 : 4;
  const out = new Set<string>();
  while (out.size < n) {
    let x = rng.next();
    for (const g of GENRES) {
      x -= g.freq;
      if (x <= 0) {
        out.add(g.name);
        break;
      }
    }
    if (x > 0) out.add('Drama'); // frequencies sum to just under 1
  }
  return [...out].sort();
}

/** Release years skew recent, like the catalogue (median around 2000). */
function pickYear(rng: Rng): number {
  const back = Math.floor(-Math.log(1 - rng.next()) * 22);
  return Math.max(1902, 2023 - back);
}

/**
 * Per-user rating counts: a truncated power law (min 20, like MovieLens) on
 * evenly spaced quantiles, its excess over 20 scaled so the total hits the
 * target, then shuffled over userIds (activity is unrelated to the id).
 */
export function userRatingCounts(spec: ScaleSpec, rng: Rng): Int32Array {
  const U = spec.users;
  const cap = Math.max(20, Math.floor(spec.maxUserShare * spec.movies));
  const raw = new Float64Array(U);
  for (let r = 0; r < U; r++) raw[r] = 20 * Math.pow((r + 0.5) / U, -1 / 1.3) - 20;
  const countsFor = (s: number, out: Int32Array): number => {
    let total = 0;
    for (let r = 0; r < U; r++) {
      const x = s * raw[r];
      // Soft cap: grows like x for small x, approaches the cap smoothly.
      const c = 20 + Math.floor((x * (cap - 20)) / (x + (cap - 20)));
      out[r] = c;
      total += c;
    }
    return total;
  };
  const counts = new Int32Array(U);
  let lo = 0,
    hi = 1e6;
  for (let it = 0; it < 100; it++) {
    const mid = (lo + hi) / 2;
    if (countsFor(mid, counts) < spec.ratings) lo = mid;
    else hi = mid;
  }
  countsFor(lo, counts);
  // The heaviest user is set explicitly (ml-latest has one user above 30k ratings).
  counts[0] = Math.min(cap, Math.max(counts[0], spec.topUserRatings));
  return rng.shuffle(counts);
}

/**
 * Popularity weight of the movie at rank r (0 = most rated): a power law over the
 * head that bends steeper past `popularityTailStart`, so that (with every film
 * rated at least once) a third of the films have exactly one rating while the top
 * 10% hold most of them, as in ml-latest-small.
 */
export function popularityWeight(spec: ScaleSpec, r: number): number {
  const c = spec.popularityOffset,
    a = spec.popularityExponent;
  const bend = spec.popularityTailStart * spec.movies;
  // The top film (the Shawshank anchor) gets a quarter more, so it is the most rated at any seed.
  if (r === 0) return 1.25 * Math.pow(c, -a);
  if (r < bend) return Math.pow(r + c, -a);
  return Math.pow(bend + c, -a) * Math.pow((r + c) / (bend + c), -spec.popularityTailExponent);
}

/**
 * Which user rates each movie first: the movies in a random order laid along the
 * users' cumulative rating counts (systematic sampling), so user u gets about
 * count_u * movies / ratings of them, never more than its count.
 */
function assignFirstRaters(counts: Int32Array, movies: number, rng: Rng): PlantedTruth['firstRated'] {
  const U = counts.length;
  let total = 0;
  for (let u = 0; u < U; u++) total += counts[u];
  const order = rng.permutation(movies);
  const start = new Int32Array(U + 1);
  const out = new Int32Array(movies);
  const step = total / movies;
  let u = 0,
    cum = counts[0];
  for (let j = 0; j < movies; j++) {
    const pos = (j + 0.5) * step;
    while (pos >= cum && u < U - 1) cum += counts[++u];
    out[j] = order[j];
    start[u + 1]++;
  }
  for (let v = 0; v < U; v++) start[v + 1] += start[v];
  // Movies were laid out in user order, so each user's slice is contiguous already; id order within it.
  for (let v = 0; v < U; v++) out.subarray(start[v], start[v + 1]).sort();
  return { start, movies: out };
}

// eslint-disable-next-line max-lines-per-function -- the planted model built step by step over shared arrays; split with the next calibration change
export function plantTruth(spec: ScaleSpec, seed: number, overrides: Partial<RatingModel> = {}): PlantedTruth {
  const model = scaleModel(ratingModel(overrides), spec.tasteScale);
  const root = new Rng(seed);
  const rGenre = root.fork(1),
    rMovie = root.fork(2),
    rUsers = root.fork(3),
    rRank = root.fork(4),
    rFirst = root.fork(5);
  const M = spec.movies;

  const dirs = new Map<string, Float64Array>();
  for (const g of GENRES) dirs.set(g.name, randomUnit(rGenre));

  // Movie index i is the i-th movie in id order; rankOfIndex is a random bijection.
  const rank = rRank.permutation(M);
  const indexOfRank = new Int32Array(M);
  for (let i = 0; i < M; i++) indexOfRank[rank[i]] = i;

  const ids = new Int32Array(M);
  for (let i = 0, id = 0; i < M; i++) {
    id += 1 + rMovie.int(5);
    ids[i] = id;
  }

  const titles = new Array<string>(M);
  const genres = new Array<string[]>(M);
  const years = new Int16Array(M);
  const bias = new Float32Array(M);
  const factors = new Float32Array(M * LATENT_DIM);
  const assigned = new Uint8Array(M);
  const setVector = (i: number, v: Float64Array): void => {
    factors.set(v, i * LATENT_DIM);
  };
  const popularityBoost = (i: number): number => model.popularityBias * (1 - Math.log(rank[i] + 1) / Math.log(M));
  /** Gives the members' slots the given ranks, the most popular to the lowest id (films get ids as they are added). */
  const reassignRanks = (members: number[], ranks: number[]): void => {
    const slots = [...members].sort((a, b) => a - b);
    const rs = [...ranks].sort((a, b) => a - b);
    slots.forEach((i, j) => {
      rank[i] = rs[j];
      indexOfRank[rs[j]] = i;
    });
  };

  // Anchors first: fixed titles at fixed ranks.
  const anchors: PlantedTruth['anchors'] = [];
  const anchorFranchises = new Map<string, number[]>();
  const usedNames = new Set<string>();
  // An anchored franchise's first film gets the lowest movieId, as on MovieLens.
  const groups = new Map<string, number[]>();
  ANCHORS.forEach((a, k) => {
    if (a.franchise) groups.set(a.franchise, [...(groups.get(a.franchise) ?? []), k]);
  });
  for (const ks of groups.values()) {
    reassignRanks(
      ks.map((k) => indexOfRank[anchorRank(ANCHORS[k], M)]),
      ks.map((k) => anchorRank(ANCHORS[k], M)),
    );
  }
  for (const a of ANCHORS) {
    const i = indexOfRank[anchorRank(a, M)];
    titles[i] = a.title;
    genres[i] = [...a.genres].sort();
    years[i] = a.year ?? 0;
    bias[i] = a.bias + rMovie.normal(0, 0.05);
    assigned[i] = 1;
    anchors.push({ title: a.title, movieIndex: i, note: a.note });
    if (a.franchise) {
      const list = anchorFranchises.get(a.franchise) ?? [];
      list.push(i);
      anchorFranchises.set(a.franchise, list);
    } else {
      setVector(i, mixVector(rMovie, genres[i], dirs, model.genreWeight));
    }
  }

  // Franchises: members share PART of one vector (weight `share`, the rest is their
  // own genre-mixed vector); the first film sits inside the rank band, each sequel
  // is rated less often and less well; some franchises change genre along the way.
  const franchises: number[][] = [];
  const franchiseOf = new Int32Array(M).fill(-1);
  const fandomLoad = new Float32Array(M);
  const plantFranchise = (members: number[], shared: Float64Array, share: number): void => {
    const own = Math.sqrt(1 - share * share);
    for (const i of members) {
      franchiseOf[i] = franchises.length;
      fandomLoad[i] = 0.5 + 0.5 * rMovie.next();
      const mine = mixVector(rMovie, genres[i], dirs, model.genreWeight);
      const v = new Float64Array(LATENT_DIM);
      for (let d = 0; d < LATENT_DIM; d++) v[d] = share * shared[d] + own * mine[d];
      setVector(i, normalizeInPlace(v));
    }
    franchises.push([...members].sort((a, b) => a - b));
  };
  const [shareLo, shareHi] = model.franchiseShare;
  for (const members of anchorFranchises.values()) {
    plantFranchise(members, mixVector(rMovie, ['Action', 'Sci-Fi', 'Thriller'], dirs, 0.45), shareHi);
  }
  const [bandLo, bandHi] = spec.franchiseRankBand;
  const freeRankFrom = (r: number): number => {
    for (let x = Math.min(r, M - 1); x < M; x++) if (!assigned[indexOfRank[x]]) return x;
    for (let x = Math.min(r, M - 1); x >= 0; x--) if (!assigned[indexOfRank[x]]) return x;
    throw new Error('no free rank left for a franchise member');
  };
  for (let f = 0; f < spec.franchises; f++) {
    const size = 3 + rMovie.int(4);
    const ranks: number[] = [];
    let r = bandLo + rMovie.int(Math.min(bandHi, M) - bandLo);
    for (let k = 0; k < size; k++) {
      r = freeRankFrom(r);
      assigned[indexOfRank[r]] = 1;
      ranks.push(r);
      // The next sequel is 1.3-3x further down the popularity ranking.
      r = Math.floor(r * (1.3 + 1.7 * rMovie.next())) + 1;
    }
    const members = ranks.map((x) => indexOfRank[x]);
    reassignRanks(members, ranks);
    members.sort((a, b) => a - b);
    let name = syntheticName(rMovie);
    while (usedNames.has(name)) name = syntheticName(rMovie);
    usedNames.add(name);
    const g = pickGenres(rMovie);
    const mixesGenres = rMovie.next() < 0.3;
    const y0 = Math.min(pickYear(rMovie), 2023 - 3 * size);
    const quality = 0.3 + rMovie.normal(0, 0.15);
    members.forEach((i, k) => {
      // Article after the sequel number, like "Matrix Reloaded, The".
      const numbered = k === 0 ? name : `${name} ${k + 1}`;
      const year = y0 + 3 * k;
      titles[i] = formatTitle(numbered, { year });
      // A franchise that mixes genres: each sequel keeps one of the first film's genres and adds its own.
      genres[i] = k > 0 && mixesGenres ? [...new Set([g[rMovie.int(Math.max(1, g.length))] ?? 'Drama', ...pickGenres(rMovie)])].sort() : g;
      years[i] = year;
      bias[i] = quality - 0.25 * k + rMovie.normal(0, 0.15);
    });
    plantFranchise(members, mixVector(rMovie, g, dirs, model.franchiseGenreWeight), shareLo + (shareHi - shareLo) * rMovie.next());
  }

  // Everything else.
  for (let i = 0; i < M; i++) {
    if (assigned[i]) continue;
    const g = pickGenres(rMovie);
    const name = syntheticName(rMovie);
    const u = rMovie.next();
    let year: number | null = pickYear(rMovie);
    let yearEnd: number | undefined;
    if (u < 0.01) year = null;
    else if (u < 0.013) yearEnd = Math.min(2023, year + 1 + rMovie.int(8));
    const alternate = rMovie.next() < 0.08 ? alternateTitle(rMovie) : undefined;
    titles[i] = formatTitle(name, { year, yearEnd, alternate });
    genres[i] = g;
    years[i] = year ?? 0;
    bias[i] = rMovie.normal(0, model.movieBiasSd) + popularityBoost(i);
    setVector(i, mixVector(rMovie, g, dirs, model.genreWeight));
  }

  const weight = new Float64Array(M);
  for (let i = 0; i < M; i++) weight[i] = popularityWeight(spec, rank[i]);

  const imdbIds = new Int32Array(M);
  const tmdbIds = new Int32Array(M);
  for (let i = 0; i < M; i++) {
    // Increasing with the index keeps them unique without a lookup table.
    imdbIds[i] = 100_000 + i * 97 + rMovie.int(97);
    tmdbIds[i] = rMovie.next() < 0.005 ? 0 : 2 + i * 13 + rMovie.int(13);
  }

  const genreFactors: Record<string, number[]> = {};
  for (const [name, d] of dirs) genreFactors[name] = Array.from(d, (x) => Math.round(x * 1e6) / 1e6);

  const userRatingCountsArr = userRatingCounts(spec, rUsers);
  return {
    spec,
    seed,
    model,
    movies: { count: M, ids, titles, genres, years, rank, weight, bias, factors, franchiseOf, fandomLoad, imdbIds, tmdbIds },
    franchises,
    anchors,
    genreFactors,
    userRatingCounts: userRatingCountsArr,
    firstRated: assignFirstRaters(userRatingCountsArr, M, rFirst),
  };
}
