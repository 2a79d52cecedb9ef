// The table `npm run bench` prints and appends to docs/BENCHMARKS.md.
import type { BenchRow } from './types';

export function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  if (a >= 100) return x.toFixed(0);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

export function ratio(r: BenchRow): number | undefined {
  if (r.baseline === undefined || !Number.isFinite(r.baseline) || r.baseline === 0 || r.cinemap === 0) return undefined;
  return r.higherIsBetter ? r.cinemap / r.baseline : r.baseline / r.cinemap;
}

/** A markdown cell: pipes and newlines inside a value would break the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

export function table(rows: BenchRow[], when: string, host: string): string {
  const shortHost = host.split(',').slice(0, 2).join(',');
  const day = when.slice(0, 10);
  const head = '| figure | cinemap | baseline | ratio | machine | date | notes |\n| --- | --- | --- | --- | --- | --- | --- |';
  const body = rows
    .map((r) => {
      const q = ratio(r);
      const base = r.baselineName ? `${fmt(r.baseline)} ${r.unit} (${r.baselineName})` : '—';
      return `| ${cell(r.figure)} | ${fmt(r.cinemap)} ${r.unit} | ${cell(base)} | ${q === undefined ? '—' : `${q.toFixed(2)}×`} | ${shortHost} | ${day} | ${cell(r.notes ?? '')} |`;
    })
    .join('\n');
  return `${head}\n${body}\n\nMachine: ${host}. Date: ${when}.`;
}
