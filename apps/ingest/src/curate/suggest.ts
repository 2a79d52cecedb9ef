// Thresholds scaled to a dump. The blog's defaults keep ~2.5% of the full dump's
// rated movies (2,145 of ~84k) and ~1% of its users (~3k of ~330k); on a small dump
// the same absolute numbers keep nothing. suggestCuration keeps the same spirit by
// rank: the movie threshold is the rating count of the K-th most-rated movie among
// those with a good enough average, the user threshold the count of the U-th most
// active user, with floors so a small dump still yields a useful set.
import { CurationParams, DEFAULT_CURATION } from './params';
import { DumpStats } from './curate';

export interface CurationSuggestion {
  params: CurationParams;
  /** One line per threshold saying how it was chosen (printed by the CLI and npm start). */
  why: string[];
}

/** Share of movies/users the blog's defaults keep on the full dump, and floors for small dumps. */
const MOVIE_SHARE = 0.025,
  MOVIE_FLOOR = 500;
const USER_SHARE = 0.01,
  USER_FLOOR = 300;
/** Below this many ratings after steps 1-3, sampling would only throw signal away. */
const SAMPLE_ABOVE = 1_000_000;

function kthLargest(values: number[], k: number): number {
  if (!values.length) return 0;
  const sorted = values.sort((a, b) => b - a);
  return sorted[Math.min(k, sorted.length) - 1];
}

export function suggestCuration(stats: DumpStats, base: CurationParams = DEFAULT_CURATION): CurationSuggestion {
  const why: string[] = [];
  let minAvgRating = base.minAvgRating;
  const good: number[] = [];
  let rated = 0;
  const collect = () => {
    good.length = 0;
    rated = 0;
    for (let m = 0; m < stats.movieCount.length; m++) {
      const c = stats.movieCount[m];
      if (!c) continue;
      rated++;
      if (stats.movieHalfSum[m] >= 2 * minAvgRating * c - 1e-9) good.push(c);
    }
  };
  collect();
  if (!good.length) {
    why.push(`--min-avg-rating ${minAvgRating} keeps no movie in this dump; using 0`);
    minAvgRating = 0;
    collect();
  } else why.push(`--min-avg-rating ${minAvgRating} (unchanged: ${good.length} of ${rated} rated movies pass)`);

  const kMovies = Math.min(good.length, Math.max(MOVIE_FLOOR, Math.ceil(MOVIE_SHARE * rated)));
  const minMovieRatings = Math.max(1, Math.min(base.minMovieRatings, kthLargest(good.slice(), kMovies)));
  why.push(
    `--min-movie-ratings ${minMovieRatings} (the rating count of the ${kMovies}th most-rated of those movies: max(${MOVIE_FLOOR}, ${MOVIE_SHARE * 100}% of ${rated}))`,
  );

  const users: number[] = [];
  for (let u = 0; u < stats.userCount.length; u++) if (stats.userCount[u]) users.push(stats.userCount[u]);
  const kUsers = Math.min(users.length, Math.max(USER_FLOOR, Math.ceil(USER_SHARE * users.length)));
  const minUserRatings = Math.max(1, Math.min(base.minUserRatings, kthLargest(users, kUsers)));
  why.push(
    `--min-user-ratings ${minUserRatings} (the rating count of the ${kUsers}th most active of ${users.length} users: max(${USER_FLOOR}, ${USER_SHARE * 100}%))`,
  );

  const sampleFraction = stats.ratings > SAMPLE_ABOVE ? base.sampleFraction : null;
  why.push(
    sampleFraction !== null && sampleFraction < 1
      ? `--sample-fraction ${sampleFraction} (the dump has ${stats.ratings} ratings, over ${SAMPLE_ABOVE})`
      : `--sample-fraction none (the dump has only ${stats.ratings} ratings; sampling would throw signal away)`,
  );
  return { params: { minAvgRating, minMovieRatings, minUserRatings, sampleFraction, seed: base.seed }, why };
}
