// The sizes of the synthetic dumps. `small` and `latest` copy the published
// shapes of ml-latest-small and ml-latest (README.txt of each); `tiny` exists
// so tests can generate, ingest and train in a couple of seconds.

export type SyntheticScale = 'tiny' | 'small' | 'latest';
export const SYNTHETIC_SCALES: readonly SyntheticScale[] = ['tiny', 'small', 'latest'];

export interface ScaleSpec {
  scale: SyntheticScale;
  /** Folder name inside `--zip` archives, as GroupLens names it. */
  zipFolder: string;
  movies: number;
  users: number;
  /** Target total ratings (the realised count is within a fraction of a percent). */
  ratings: number;
  /** Expected tags over ratings (ml-latest-small: 3,683 / 100,836; ml-latest: 2.33M / 33.8M). */
  tagsPerRating: number;
  /** Most ratings one user may give, as a share of the movies. */
  maxUserShare: number;
  /** The heaviest user's target count (ml-latest: > 30k). */
  topUserRatings: number;
  /**
   * Popularity over movie ranks (planted.ts popularityWeight): (r + offset)^-exponent,
   * bending to a steeper tailExponent past rank tailStart * movies.
   */
  popularityExponent: number;
  popularityOffset: number;
  popularityTailStart: number;
  popularityTailExponent: number;
  /**
   * Share of the planted taste (u·m and franchise fandom, by sd) kept at this scale;
   * the rest becomes unexplained noise, so the ratings' spread stays the same (planted.ts
   * scaleModel). 1 = the model as calibrated on ml-latest-small. Below 1 where the
   * dump's density would otherwise let the trainer gain more over biases-only than it
   * does on the real dumps measured (README.md "Calibration").
   */
  tasteScale: number;
  /** Number of planted franchises and the popularity-rank band their first films are placed in. */
  franchises: number;
  franchiseRankBand: [number, number];
}

export const SCALES: Record<SyntheticScale, ScaleSpec> = {
  tiny: {
    scale: 'tiny',
    zipFolder: 'ml-latest-tiny',
    movies: 300,
    users: 100,
    ratings: 20_000,
    tagsPerRating: 0.02,
    maxUserShare: 0.9,
    topUserRatings: 270,
    popularityExponent: 0.9,
    popularityOffset: 30,
    popularityTailStart: 1,
    popularityTailExponent: 0.9,
    tasteScale: 1,
    franchises: 8,
    franchiseRankBand: [5, 120],
  },
  small: {
    scale: 'small',
    zipFolder: 'ml-latest-small',
    movies: 9_742,
    users: 610,
    ratings: 100_836,
    tagsPerRating: 0.0365,
    maxUserShare: 0.3,
    topUserRatings: 2_698,
    popularityExponent: 0.9,
    popularityOffset: 20,
    popularityTailStart: 0.25,
    popularityTailExponent: 3,
    tasteScale: 1,
    franchises: 40,
    franchiseRankBand: [5, 320],
  },
  latest: {
    scale: 'latest',
    zipFolder: 'ml-latest',
    movies: 86_537,
    users: 330_975,
    ratings: 33_832_162,
    tagsPerRating: 0.0688,
    maxUserShare: 0.45,
    topUserRatings: 33_500,
    popularityExponent: 0.9,
    popularityOffset: 12,
    popularityTailStart: 0.058,
    popularityTailExponent: 2.5,
    tasteScale: 0.66,
    franchises: 400,
    franchiseRankBand: [10, 6_000],
  },
};

export function scaleSpec(scale: string): ScaleSpec {
  const s = (SCALES as Record<string, ScaleSpec | undefined>)[scale];
  if (!s) throw new Error(`Unknown scale "${scale}"; use one of: ${SYNTHETIC_SCALES.join(', ')} (--scale)`);
  return s;
}
