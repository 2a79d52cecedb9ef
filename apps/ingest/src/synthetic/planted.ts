// The planted truth behind a synthetic dump: every movie's title, genres,
// popularity, quality bias and latent vector, the franchises, the anchors and
// how many ratings each user gives. Pure (no I/O) and deterministic per
// (scale, seed), so tests can rebuild exactly what the generator used.
//
// The rating model is the one the trainer fits (a dot-bias model):
//   rating = clip(round(GLOBAL + b_user + b_movie + u·m + noise))
// Each genre owns a unit direction in LATENT_DIM dimensions; a movie's vector
// mixes its genres' directions with its own random part; franchise members
// share one vector (plus a whisper of noise), so they should be each other's
// nearest neighbours in any model that learns the factors.
import { Rng } from '@cinemap/math';
import { type ScaleSpec } from './scales';
import { ANCHORS, anchorRank, alternateTitle, formatTitle, syntheticName } from './titles';

export const LATENT_DIM = 16;
export const GLOBAL_MEAN = 3.55;
export const USER_FACTOR_SD = 0.8;
export const USER_BIAS_SD = 0.3;
export const MOVIE_BIAS_SD = 0.4;
export const RATING_NOISE_SD = 0.45;
/** Share of a regular movie's direction that comes from its genres. */
export const GENRE_WEIGHT = 0.6;
/** Franchise vectors lean less on genres, so a franchise stands apart from its genre-mates. */
export const FRANCHISE_GENRE_WEIGHT = 0.3;

/** MovieLens genres (ml-latest README), with rough frequencies in ml-latest. */
export const GENRES: readonly { name: string; freq: number }[] = [
  { name: 'Action', freq: 0.08 }, { name: 'Adventure', freq: 0.045 }, { name: 'Animation', freq: 0.03 },
  { name: 'Children', freq: 0.03 }, { name: 'Comedy', freq: 0.16 }, { name: 'Crime', freq: 0.05 },
  { name: 'Documentary', freq: 0.06 }, { name: 'Drama', freq: 0.22 }, { name: 'Fantasy', freq: 0.03 },
  { name: 'Film-Noir', freq: 0.005 }, { name: 'Horror', freq: 0.06 }, { name: 'IMAX', freq: 0.004 },
  { name: 'Musical', freq: 0.01 }, { name: 'Mystery', freq: 0.03 }, { name: 'Romance', freq: 0.08 },
  { name: 'Sci-Fi', freq: 0.035 }, { name: 'Thriller', freq: 0.08 }, { name: 'War', freq: 0.015 },
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
  imdbIds: Int32Array;
  /** 0 = empty in links.csv. */
  tmdbIds: Int32Array;
}

export interface PlantedTruth {
  spec: ScaleSpec;
  seed: number;
  movies: PlantedMovies;
  /** Per franchise, its members' movie indices in id order. */
  franchises: number[][];
  anchors: { title: string; movieIndex: number; note: string }[];
  /** LATENT_DIM numbers per genre. */
  genreFactors: Record<string, number[]>;
  /** Ratings per user, by userId - 1. */
  userRatingCounts: Int32Array;
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
      if (x <= 0) { out.add(g.name); break; }
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
  let lo = 0, hi = 1e6;
  for (let it = 0; it < 100; it++) {
    const mid = (lo + hi) / 2;
    if (countsFor(mid, counts) < spec.ratings) lo = mid; else hi = mid;
  }
  countsFor(lo, counts);
  // The heaviest user is set explicitly (ml-latest has one user above 30k ratings).
  counts[0] = Math.min(cap, Math.max(counts[0], spec.topUserRatings));
  return rng.shuffle(counts);
}

export function plantTruth(spec: ScaleSpec, seed: number): PlantedTruth {
  const root = new Rng(seed);
  const rGenre = root.fork(1), rMovie = root.fork(2), rUsers = root.fork(3), rRank = root.fork(4);
  const M = spec.movies;

  const dirs = new Map<string, Float64Array>();
  for (const g of GENRES) dirs.set(g.name, randomUnit(rGenre));

  // Movie index i is the i-th movie in id order; rankOfIndex is a random bijection.
  const rank = rRank.permutation(M);
  const indexOfRank = new Int32Array(M);
  for (let i = 0; i < M; i++) indexOfRank[rank[i]] = i;

  const ids = new Int32Array(M);
  for (let i = 0, id = 0; i < M; i++) { id += 1 + rMovie.int(5); ids[i] = id; }

  const titles = new Array<string>(M);
  const genres = new Array<string[]>(M);
  const years = new Int16Array(M);
  const bias = new Float32Array(M);
  const factors = new Float32Array(M * LATENT_DIM);
  const assigned = new Uint8Array(M);
  const setVector = (i: number, v: Float64Array): void => { factors.set(v, i * LATENT_DIM); };
  const popularityBoost = (i: number): number => 0.3 * (1 - Math.log(rank[i] + 1) / Math.log(M));

  // Anchors first: fixed titles at fixed ranks.
  const anchors: PlantedTruth['anchors'] = [];
  const anchorFranchises = new Map<string, number[]>();
  const usedNames = new Set<string>();
  // An anchored franchise's first film gets the lowest movieId, as on MovieLens
  // (ids grow as films are added): reorder the ranks among the group's slots.
  const groups = new Map<string, number[]>();
  ANCHORS.forEach((a, k) => { if (a.franchise) groups.set(a.franchise, [...(groups.get(a.franchise) ?? []), k]); });
  for (const ks of groups.values()) {
    const slots = ks.map((k) => indexOfRank[anchorRank(ANCHORS[k], M)]).sort((a, b) => a - b);
    ks.forEach((k, j) => { const r = anchorRank(ANCHORS[k], M); rank[slots[j]] = r; indexOfRank[r] = slots[j]; });
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
      setVector(i, mixVector(rMovie, genres[i], dirs, GENRE_WEIGHT));
    }
  }

  // Franchises: members share one vector; placed inside the rank band so they
  // get enough ratings to survive curation and be learnable.
  const franchises: number[][] = [];
  const plantFranchise = (members: number[], shared: Float64Array): void => {
    members.sort((a, b) => a - b);
    for (const i of members) {
      const v = new Float64Array(LATENT_DIM);
      for (let d = 0; d < LATENT_DIM; d++) v[d] = shared[d] + rMovie.normal(0, 0.05 / Math.sqrt(LATENT_DIM));
      setVector(i, normalizeInPlace(v));
    }
    franchises.push(members);
  };
  for (const members of anchorFranchises.values()) {
    plantFranchise(members, mixVector(rMovie, ['Action', 'Sci-Fi', 'Thriller'], dirs, 0.45));
  }
  const [bandLo, bandHi] = spec.franchiseRankBand;
  for (let f = 0; f < spec.franchises; f++) {
    const size = 3 + rMovie.int(4);
    const members: number[] = [];
    while (members.length < size) {
      const i = indexOfRank[bandLo + rMovie.int(Math.min(bandHi, M) - bandLo)];
      if (!assigned[i]) { assigned[i] = 1; members.push(i); }
    }
    let name = syntheticName(rMovie);
    while (usedNames.has(name)) name = syntheticName(rMovie);
    usedNames.add(name);
    const g = pickGenres(rMovie);
    const y0 = Math.min(pickYear(rMovie), 2023 - 3 * size);
    members.sort((a, b) => a - b);
    members.forEach((i, k) => {
      // Article after the sequel number, like "Matrix Reloaded, The".
      const numbered = k === 0 ? name : `${name} ${k + 1}`;
      const year = y0 + 3 * k;
      titles[i] = formatTitle(numbered, { year });
      genres[i] = g;
      years[i] = year;
      bias[i] = 0.4 + rMovie.normal(0, 0.1);
    });
    plantFranchise(members, mixVector(rMovie, g, dirs, FRANCHISE_GENRE_WEIGHT));
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
    bias[i] = rMovie.normal(0, MOVIE_BIAS_SD) + popularityBoost(i);
    setVector(i, mixVector(rMovie, g, dirs, GENRE_WEIGHT));
  }

  const weight = new Float64Array(M);
  for (let i = 0; i < M; i++) weight[i] = Math.pow(rank[i] + spec.popularityOffset, -spec.popularityExponent);

  const imdbIds = new Int32Array(M);
  const tmdbIds = new Int32Array(M);
  for (let i = 0; i < M; i++) {
    // Increasing with the index keeps them unique without a lookup table.
    imdbIds[i] = 100_000 + i * 97 + rMovie.int(97);
    tmdbIds[i] = rMovie.next() < 0.005 ? 0 : 2 + i * 13 + rMovie.int(13);
  }

  const genreFactors: Record<string, number[]> = {};
  for (const [name, d] of dirs) genreFactors[name] = Array.from(d, (x) => Math.round(x * 1e6) / 1e6);

  return {
    spec, seed,
    movies: { count: M, ids, titles, genres, years, rank, weight, bias, factors, imdbIds, tmdbIds },
    franchises, anchors, genreFactors,
    userRatingCounts: userRatingCounts(spec, rUsers),
  };
}
