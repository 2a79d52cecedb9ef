import { table, ratio } from './table';

describe('bench table', () => {
  it('keeps one row per figure even when notes hold pipes and newlines, with machine and date columns', () => {
    const md = table(
      [
        {
          key: 'a',
          figure: 'parse',
          cinemap: 300,
          baselineName: 'pandas',
          baseline: 100,
          unit: 'MB/s',
          higherIsBetter: true,
          notes: 'dump 1 | step 2\nmore',
        },
        { key: 'b', figure: 'p99', cinemap: 5, baselineName: 'bare', baseline: 4, unit: 'ms', higherIsBetter: false },
      ],
      '2026-11-27T16:00:00.000Z',
      '2× CPU, 24 GiB, linux, Node 20',
    );
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---'));
    expect(rows).toHaveLength(3);
    for (const r of rows) expect(r.split(/(?<!\\)\|/).length).toBe(9);
    expect(rows[1]).toContain('| 3.00× | 2× CPU, 24 GiB | 2026-11-27 |');
    expect(rows[1]).toContain('dump 1 \\| step 2 more');
  });
  it('computes ratios in the direction that is better', () => {
    expect(ratio({ key: 'x', figure: '', cinemap: 5, baseline: 4, unit: 'ms', higherIsBetter: false })).toBeCloseTo(0.8);
    expect(ratio({ key: 'x', figure: '', cinemap: 5, unit: 'ms', higherIsBetter: true })).toBeUndefined();
  });
});
