// The counts table every ingest prints (and stores in datasets.counts).
import type { StepCounts } from './curate';

const fmt = (n: number) => n.toLocaleString('en-US');

export function formatCountsTable(steps: StepCounts[]): string {
  const rows = steps.map((s, i) => [i === 0 ? 'dump' : `${i}. ${s.step}`, s.threshold, fmt(s.ratings), fmt(s.movies), fmt(s.users)]);
  const head = ['step', 'keeps', 'ratings', 'movies', 'users'];
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((x, c) => (c >= 2 ? x.padStart(w[c]) : x.padEnd(w[c]))).join('  ').trimEnd();
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}
