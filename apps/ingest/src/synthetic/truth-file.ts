// The shape of `<out>/truth.json` (format "cinemap-synthetic-truth/1"), for
// tests and benchmarks that read it back.
import type { DumpCounts } from './generate';
import type { SyntheticScale } from './scales';

export interface SyntheticTruthFile {
  format: 'cinemap-synthetic-truth/1';
  note: string;
  scale: SyntheticScale;
  seed: number;
  counts: DumpCounts;
  model: {
    rating: string;
    latentDim: number;
    globalMean: number;
    userFactorSd: number;
    userBiasSd: number;
    movieBiasSd: number;
    ratingNoiseSd: number;
    genreWeight: number;
    halfStarsFrom: number;
    topCompression: number;
  };
  /** Each franchise's movieIds, in id order; members share one latent vector. */
  franchises: number[][];
  /** The same, as titles (for humans). */
  franchiseTitles: string[][];
  anchors: { title: string; movieId: number; note: string }[];
  /** Each genre's unit direction in the latent space (latentDim numbers). */
  genreFactors: Record<string, number[]>;
}
