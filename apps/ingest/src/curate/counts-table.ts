// The counts table every ingest prints (and stores in datasets.counts).
import { formatTable } from '@cinemap/cli';
import type { StepCounts } from './curate';

const fmt = (n: number) => n.toLocaleString('en-US');

export function formatCountsTable(steps: StepCounts[]): string {
  const rows = steps.map((s, i) => [i === 0 ? 'dump' : `${i}. ${s.step}`, s.threshold, fmt(s.ratings), fmt(s.movies), fmt(s.users)]);
  return formatTable(rows, { head: ['step', 'keeps', 'ratings', 'movies', 'users'], alignRight: (c) => c >= 2 });
}
