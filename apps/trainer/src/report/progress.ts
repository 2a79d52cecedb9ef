// What the user sees during a run: fast.ai's per-epoch table (the progress bar inside
// an epoch is @cinemap/cli's, the one every CLI shows).
import { shortCount } from '@cinemap/cli';
import type { EpochStats } from '../engines/types';

export type Log = (line: string) => void;

export function epochTableHeader(): string {
  return 'epoch  train_loss  valid_loss  valid_rmse  time      ratings/s';
}

function clock(seconds: number): string {
  const s = Math.round(seconds);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export function epochTableRow(s: EpochStats): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(6) : String(x)).padEnd(10);
  return `${String(s.epoch).padEnd(5)}  ${f(s.trainMse)}  ${f(s.validMse)}  ${f(s.validRmse)}  ${clock(s.seconds).padEnd(8)}  ${formatRate(s.ratingsPerSecond)}`;
}

/** 1.23M, 45.6k: ratings per second in the table. */
export const formatRate = shortCount;
