// The seed blog's curation, exactly the four steps of docs/architecture.md ("The contract") in this order, as pure
// functions over the rating columns. "In total" means over the whole dump: a movie's
// average and count, and a user's count, are taken over every (valid) rating before
// any step runs, so the order of steps 1-3 changes nothing but the per-step counts.
import { stratifiedSample } from '@cinemap/math';
import { movieExclusion, type MovieExclusion } from '@cinemap/domain';
import { CurationParams, sampleShare, checkCurationParams } from './params';

/** The columns curation needs (a RatingColumns fits). */
export interface CurationInput {
  length: number;
  userId: Int32Array;
  movieId: Int32Array;
  /** rating * 2, 1..10 */
  halfStars: Uint8Array;
}

export interface StepCounts {
  step: 'dump' | 'min-avg-rating' | 'min-movie-ratings' | 'min-user-ratings' | 'sample';
  /** The threshold applied by this step, for the table. */
  threshold: string;
  ratings: number;
  movies: number;
  users: number;
}

/** Per-movie and per-user totals over the whole dump, indexed by id. */
export interface DumpStats {
  ratings: number;
  /** movieCount[movieId] = number of ratings. */
  movieCount: Int32Array;
  /** movieHalfSum[movieId] = sum of halfStars (average rating = sum / count / 2). */
  movieHalfSum: Float64Array;
  /** userCount[userId] = number of ratings. */
  userCount: Int32Array;
}

export interface Curation {
  params: CurationParams;
  /** keep[i] = 1 when rating i is in the curated set. */
  keep: Uint8Array;
  steps: StepCounts[];
  stats: DumpStats;
}

export function computeStats(r: CurationInput): DumpStats {
  let maxU = 0,
    maxM = 0;
  for (let i = 0; i < r.length; i++) {
    if (r.userId[i] > maxU) maxU = r.userId[i];
    if (r.movieId[i] > maxM) maxM = r.movieId[i];
  }
  const movieCount = new Int32Array(maxM + 1);
  const movieHalfSum = new Float64Array(maxM + 1);
  const userCount = new Int32Array(maxU + 1);
  for (let i = 0; i < r.length; i++) {
    const m = r.movieId[i];
    movieCount[m]++;
    movieHalfSum[m] += r.halfStars[i];
    userCount[r.userId[i]]++;
  }
  return { ratings: r.length, movieCount, movieHalfSum, userCount };
}

/** Counts the ratings, distinct movies and distinct users where keep[i] = 1. */
export function countKept(r: CurationInput, keep: Uint8Array, stats: DumpStats): { ratings: number; movies: number; users: number } {
  const seenM = new Uint8Array(stats.movieCount.length);
  const seenU = new Uint8Array(stats.userCount.length);
  let ratings = 0,
    movies = 0,
    users = 0;
  for (let i = 0; i < r.length; i++) {
    if (!keep[i]) continue;
    ratings++;
    const m = r.movieId[i],
      u = r.userId[i];
    if (!seenM[m]) {
      seenM[m] = 1;
      movies++;
    }
    if (!seenU[u]) {
      seenU[u] = 1;
      users++;
    }
  }
  return { ratings, movies, users };
}

/** Movies that pass steps 1 and 2: average ≥ minAvgRating and at least minMovieRatings ratings. */
export function moviePasses(s: DumpStats, movieId: number, p: Pick<CurationParams, 'minAvgRating' | 'minMovieRatings'>): boolean {
  const c = s.movieCount[movieId];
  return c > 0 && s.movieHalfSum[movieId] >= 2 * p.minAvgRating * c - 1e-9 && c >= p.minMovieRatings;
}

export function curate(r: CurationInput, params: CurationParams, stats: DumpStats = computeStats(r)): Curation {
  checkCurationParams(params);
  const n = r.length;
  const keep = new Uint8Array(n).fill(1);
  const steps: StepCounts[] = [{ step: 'dump', threshold: '', ...countKept(r, keep, stats) }];

  // 1. Movies whose average (over the whole dump) is below the threshold go.
  const lowAvg = new Uint8Array(stats.movieCount.length);
  for (let m = 0; m < lowAvg.length; m++) {
    const c = stats.movieCount[m];
    if (c && stats.movieHalfSum[m] < 2 * params.minAvgRating * c - 1e-9) lowAvg[m] = 1;
  }
  for (let i = 0; i < n; i++) if (lowAvg[r.movieId[i]]) keep[i] = 0;
  steps.push({ step: 'min-avg-rating', threshold: `average ≥ ${params.minAvgRating}`, ...countKept(r, keep, stats) });

  // 2. Movies with too few ratings (in total) go.
  for (let i = 0; i < n; i++) if (stats.movieCount[r.movieId[i]] < params.minMovieRatings) keep[i] = 0;
  steps.push({ step: 'min-movie-ratings', threshold: `≥ ${params.minMovieRatings} ratings per movie`, ...countKept(r, keep, stats) });

  // 3. Every rating of a user with too few ratings in total goes.
  for (let i = 0; i < n; i++) if (stats.userCount[r.userId[i]] < params.minUserRatings) keep[i] = 0;
  steps.push({ step: 'min-user-ratings', threshold: `≥ ${params.minUserRatings} ratings per user`, ...countKept(r, keep, stats) });

  // 4. Stratified sample of each movie's remaining ratings (each score keeps its share).
  const share = sampleShare(params);
  if (share < 1) {
    let k = 0;
    for (let i = 0; i < n; i++) if (keep[i]) k++;
    const idx = new Int32Array(k);
    const groups = new Int32Array(k);
    const strata = new Uint8Array(k);
    for (let i = 0, j = 0; i < n; i++) {
      if (!keep[i]) continue;
      idx[j] = i;
      groups[j] = r.movieId[i];
      strata[j] = r.halfStars[i];
      j++;
    }
    const sampled = stratifiedSample(groups, strata, share, params.seed);
    for (let j = 0; j < k; j++) if (!sampled[j]) keep[idx[j]] = 0;
  }
  steps.push({
    step: 'sample',
    threshold: share < 1 ? `${share} of each movie, seed ${params.seed}` : 'none',
    ...countKept(r, keep, stats),
  });
  return { params, keep, steps, stats };
}

/**
 * Why each movie id has no curated rating (the first step that removed its last one),
 * indexed by movie id; undefined where curation kept some. What movies.excluded_by
 * records, so the API states the real reason a film is not in the model.
 */
export function movieExclusions(r: CurationInput, c: Curation): (MovieExclusion | undefined)[] {
  const { stats, params, keep } = c;
  const fromKeptUsers = new Int32Array(stats.movieCount.length);
  const kept = new Int32Array(stats.movieCount.length);
  for (let i = 0; i < r.length; i++) {
    const m = r.movieId[i];
    if (stats.userCount[r.userId[i]] >= params.minUserRatings) fromKeptUsers[m]++;
    if (keep[i]) kept[m]++;
  }
  const out: (MovieExclusion | undefined)[] = new Array(stats.movieCount.length);
  for (let m = 0; m < out.length; m++) {
    const counts = {
      ratingCount: stats.movieCount[m],
      ratingSum: stats.movieHalfSum[m] / 2,
      fromKeptUsers: fromKeptUsers[m],
      kept: kept[m],
    };
    out[m] = movieExclusion(counts, params) ?? undefined;
  }
  return out;
}

/** True when curation kept nothing to train on. */
export function isEmptyCuration(c: Curation): boolean {
  return c.steps[c.steps.length - 1].ratings === 0;
}

/**
 * Which step left nothing, and why, in numbers from the dump (for the error message):
 * blaming "the thresholds" when --sample-fraction 1e-9 emptied a large dump misleads.
 */
export function explainEmptyCuration(c: Curation, r: CurationInput): { step: StepCounts['step']; why: string; minFraction?: number } {
  const p = c.params;
  const s = c.stats;
  const i = c.steps.findIndex((x, k) => k > 0 && x.ratings === 0);
  const step = c.steps[i]?.step ?? 'dump';
  if (step === 'dump') return { step, why: 'the dump has no ratings' };
  if (step === 'min-avg-rating') {
    let best = -Infinity;
    for (let m = 0; m < s.movieCount.length; m++) if (s.movieCount[m]) best = Math.max(best, s.movieHalfSum[m] / s.movieCount[m] / 2);
    return {
      step,
      why: `step 1 (--min-avg-rating ${p.minAvgRating}) dropped every movie: the best average rating in this dump is ${best.toFixed(2)}`,
    };
  }
  if (step === 'min-movie-ratings') {
    let most = 0;
    for (let m = 0; m < s.movieCount.length; m++)
      if (s.movieCount[m] > most && moviePasses(s, m, { minAvgRating: p.minAvgRating, minMovieRatings: 0 })) most = s.movieCount[m];
    return {
      step,
      why: `step 2 (--min-movie-ratings ${p.minMovieRatings}) dropped every movie left: the most-rated one has ${most} ratings`,
    };
  }
  if (step === 'min-user-ratings') {
    let most = 0;
    for (let u = 0; u < s.userCount.length; u++) most = Math.max(most, s.userCount[u]);
    return {
      step,
      why: `step 3 (--min-user-ratings ${p.minUserRatings}) dropped every rating left: no user with that many ratings rated one of the ${c.steps[i - 1].movies} movies left (the most active user has ${most} in all)`,
    };
  }
  // Step 4 keeps round(fraction × n) of a movie's n ratings: nothing when fraction × n < 0.5 for every movie.
  const perMovie = new Int32Array(s.movieCount.length);
  let most = 0;
  for (let k = 0; k < r.length; k++) {
    const m = r.movieId[k];
    if (s.userCount[r.userId[k]] >= p.minUserRatings && moviePasses(s, m, p)) most = Math.max(most, ++perMovie[m]);
  }
  const minFraction = most ? 0.5 / most : 1;
  return {
    step,
    why: `step 4 (--sample-fraction ${p.sampleFraction}) kept no rating: each movie keeps round(fraction × its ratings), and the most-rated movie left after steps 1-3 has ${most}, so any fraction below ${minFraction.toPrecision(2)} keeps nothing`,
    minFraction,
  };
}
