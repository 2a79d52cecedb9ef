// The shape of `<out>/truth.json` (format "cinemap-synthetic-truth/2"), for
// tests and benchmarks that read it back.
import type { DumpCounts } from './generate';
import type { RatingModel } from './planted';
import type { SyntheticScale } from './scales';

export interface SyntheticTruthFile {
  format: 'cinemap-synthetic-truth/2';
  note: string;
  scale: SyntheticScale;
  seed: number;
  /** GENERATOR_VERSION of the generator that wrote it (absent before version 2). */
  generatorVersion: number;
  counts: DumpCounts;
  /** The planted rating model's numbers (planted.ts RatingModel), its formula and the half-star date. */
  model: RatingModel & { rating: string; latentDim: number; halfStarsFrom: number };
  /** Each franchise's movieIds, in id order; members share part of one latent vector. */
  franchises: number[][];
  /** The same, as titles (for humans). */
  franchiseTitles: string[][];
  anchors: { title: string; movieId: number; note: string }[];
  /** Each genre's unit direction in the latent space (latentDim numbers). */
  genreFactors: Record<string, number[]>;
}
