// The shape of a ratings dump, as the calibration table in README.md reports it:
// rating histogram, mean/sd, how concentrated popularity and activity are, the
// long tail of films, and how much movies and users differ on average. Pure (no
// I/O): the caller hands in the ratings as columns (ingest's RatingColumns fit),
// so the same figures come out for a synthetic dump and a real one.
import { formatTable } from '@cinemap/cli';

/** The ratings to describe; `halfStars` is rating * 2 (1..10). Arrays may be longer than `length`. */
export interface StatsInput {
  length: number;
  userId: ArrayLike<number>;
  movieId: ArrayLike<number>;
  halfStars: ArrayLike<number>;
}

export interface DumpStats {
  ratings: number;
  users: number;
  /** Movies with at least one rating. */
  movies: number;
  /** Share of ratings per value, keys "0.5" … "5.0" (all ten, zeros included). */
  histogram: Record<string, number>;
  mean: number;
  sd: number;
  /** Ratings of the most-rated film and of the most active user. */
  topFilmRatings: number;
  topUserRatings: number;
  /** Shares of all ratings. */
  topFilmShare: number;
  topUserShare: number;
  top1PctFilmsShare: number;
  top10PctFilmsShare: number;
  top10PctUsersShare: number;
  /** Shares of the rated films. */
  filmsWith1Rating: number;
  filmsUnder5Ratings: number;
  filmsWith20Plus: number;
  medianRatingsPerFilm: number;
  /** Ratings per user at the 0, 25, 50, 75, 90, 99 and 100th percentiles (linear interpolation, as pandas). */
  userQuantiles: number[];
  /** Sample sd (ddof 1, as pandas) of per-film means over films with >= 20 ratings, and of per-user means. */
  sdMovieMeans20: number;
  sdUserMeans: number;
}

export const USER_QUANTILES = [0, 0.25, 0.5, 0.75, 0.9, 0.99, 1] as const;

/** pandas' default quantile (linear between the closest ranks) of an ascending array. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos),
    hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function sampleSd(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 2) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i];
  const m = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (xs[i] - m) ** 2;
  return Math.sqrt(v / (n - 1));
}

/** Count and sum of half stars per distinct id. */
function perId(ids: ArrayLike<number>, halfStars: ArrayLike<number>, n: number): { count: Float64Array; sum: Float64Array } {
  const slot = new Map<number, number>();
  const countL: number[] = [],
    sumL: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = slot.get(ids[i]);
    if (s === undefined) {
      s = countL.length;
      slot.set(ids[i], s);
      countL.push(0);
      sumL.push(0);
    }
    countL[s]++;
    sumL[s] += halfStars[i];
  }
  return { count: Float64Array.from(countL), sum: Float64Array.from(sumL) };
}

function shareOfTop(countsDesc: Float64Array, fraction: number, total: number): number {
  const k = Math.max(1, Math.floor(fraction * countsDesc.length));
  let s = 0;
  for (let i = 0; i < k; i++) s += countsDesc[i];
  return s / total;
}

export function dumpStats(r: StatsInput): DumpStats {
  const n = r.length;
  if (n === 0) throw new Error('no ratings to describe');
  const hist = new Float64Array(11);
  let sum = 0,
    sum2 = 0;
  for (let i = 0; i < n; i++) {
    const h = r.halfStars[i];
    if (!(h >= 1 && h <= 10)) throw new Error(`rating ${h / 2} at row ${i + 1} is outside 0.5..5.0`);
    hist[h]++;
    sum += h / 2;
    sum2 += (h / 2) ** 2;
  }
  const mean = sum / n;
  const movies = perId(r.movieId, r.halfStars, n);
  const users = perId(r.userId, r.halfStars, n);
  const mc = Float64Array.from(movies.count).sort().reverse();
  const uc = Float64Array.from(users.count).sort().reverse();
  const M = mc.length,
    U = uc.length;
  let ones = 0,
    under5 = 0,
    over20 = 0;
  for (let i = 0; i < M; i++) {
    if (mc[i] === 1) ones++;
    if (mc[i] < 5) under5++;
    if (mc[i] >= 20) over20++;
  }
  const movieMeans20: number[] = [];
  for (let i = 0; i < M; i++) if (movies.count[i] >= 20) movieMeans20.push(movies.sum[i] / movies.count[i] / 2);
  const userMeans = new Float64Array(U);
  for (let i = 0; i < U; i++) userMeans[i] = users.sum[i] / users.count[i] / 2;
  const ucAsc = Float64Array.from(uc).reverse();
  const mcAsc = Float64Array.from(mc).reverse();
  const histogram: Record<string, number> = {};
  for (let h = 1; h <= 10; h++) histogram[(h / 2).toFixed(1)] = hist[h] / n;
  return {
    ratings: n,
    users: U,
    movies: M,
    histogram,
    mean,
    sd: Math.sqrt(Math.max(0, (sum2 - n * mean * mean) / (n - 1))),
    topFilmRatings: mc[0],
    topUserRatings: uc[0],
    topFilmShare: mc[0] / n,
    topUserShare: uc[0] / n,
    top1PctFilmsShare: shareOfTop(mc, 0.01, n),
    top10PctFilmsShare: shareOfTop(mc, 0.1, n),
    top10PctUsersShare: shareOfTop(uc, 0.1, n),
    filmsWith1Rating: ones / M,
    filmsUnder5Ratings: under5 / M,
    filmsWith20Plus: over20 / M,
    medianRatingsPerFilm: quantileSorted(mcAsc, 0.5),
    userQuantiles: USER_QUANTILES.map((q) => quantileSorted(ucAsc, q)),
    sdMovieMeans20: sampleSd(movieMeans20),
    sdUserMeans: sampleSd(userMeans),
  };
}

const pct = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)}%`;

/** The stats as aligned "name  value" lines, in the order of the README's calibration table. */
export function formatStats(s: DumpStats): string {
  const rows: [string, string][] = [
    [
      'ratings / users / rated films',
      `${s.ratings.toLocaleString('en-US')} / ${s.users.toLocaleString('en-US')} / ${s.movies.toLocaleString('en-US')}`,
    ],
    [
      'rating histogram',
      Object.entries(s.histogram)
        .map(([k, v]) => `${k}:${v.toFixed(3)}`)
        .join(' '),
    ],
    ['mean, sd', `${s.mean.toFixed(2)}, ${s.sd.toFixed(2)}`],
    ['top film / top user (ratings)', `${s.topFilmRatings.toLocaleString('en-US')} / ${s.topUserRatings.toLocaleString('en-US')}`],
    ['top film / top user share', `${pct(s.topFilmShare, 2)} / ${pct(s.topUserShare, 2)}`],
    ['top 1% / 10% of films hold', `${pct(s.top1PctFilmsShare)} / ${pct(s.top10PctFilmsShare)}`],
    ['top 10% of users hold', pct(s.top10PctUsersShare)],
    [
      'films with 1 / < 5 / >= 20 ratings',
      `${pct(s.filmsWith1Rating)} / ${pct(s.filmsUnder5Ratings)} / ${pct(s.filmsWith20Plus)} (median ${s.medianRatingsPerFilm})`,
    ],
    [
      `ratings per user at ${USER_QUANTILES.map((q) => `${q * 100}`).join('/')}%`,
      s.userQuantiles.map((q) => String(Math.round(q))).join(', '),
    ],
    ['sd of film means (>= 20 ratings) / user means', `${s.sdMovieMeans20.toFixed(2)} / ${s.sdUserMeans.toFixed(2)}`],
  ];
  return `${formatTable(rows)}\n`;
}
