// Given a reporter on a fake terminal or a pipe and a fake clock, when a step reports,
// then the terminal gets a bar redrawn in place and a pipe gets throttled lines (or nothing).
import { countsOf, createProgress, formatSeconds, shortCount } from './progress';

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { stream: { isTTY, write: (s: string) => (out.push(s), true) } as unknown as NodeJS.WriteStream, text: () => out.join('') };
}

describe('createProgress', () => {
  it('on a terminal: a bar with percentage, amount, rate and ETA, redrawn in place, ended with a newline', () => {
    let t = 0;
    const s = sink(true);
    const p = createProgress(s.stream, { now: () => t });
    p('ratings', 0, 20e6);
    t = 1000;
    p('ratings', 5e6, 20e6);
    t = 2000;
    p('ratings', 20e6, 20e6);
    expect(s.text()).toBe(
      '\rratings      [........................]   0% 0.0 MB / 20 MB\x1b[K' +
        '\rratings      [######..................]  25% 5.0 MB / 20 MB  5.0 MB/s  ETA 3 s\x1b[K' +
        '\rratings      [########################] 100% 20 MB / 20 MB  10 MB/s\x1b[K\n',
    );
  });

  it('throttles redraws, starts a new line for a new step, and erases a transient bar', () => {
    let t = 0;
    const s = sink(true);
    const p = createProgress(s.stream, { now: () => t, unit: countsOf('ratings'), transient: true });
    p('epoch 1', 0, 100);
    t = 50;
    p('epoch 1', 5, 100); // within 100 ms: not drawn
    t = 500;
    p('epoch 1', 10, 100);
    t = 700;
    p('epoch 2', 1, 100);
    p.finish();
    const draws = s.text().split('\r').filter(Boolean);
    expect(draws).toEqual([
      'epoch 1      [........................]   0% 0 ratings / 100 ratings\x1b[K',
      'epoch 1      [##......................]  10% 10 ratings / 100 ratings  20 ratings/s  ETA 5 s\x1b[K',
      '\x1b[K',
      'epoch 2      [........................]   1% 1 ratings / 100 ratings\x1b[K',
      '\x1b[K',
    ]);
  });

  it('elsewhere: nothing unless enabled, then a line every interval', () => {
    const quiet = sink(false);
    createProgress(quiet.stream)('download', 1, 2);
    expect(quiet.text()).toBe('');
    let t = 0;
    const lines: string[] = [];
    const p = createProgress(undefined, { enabled: true, now: () => t, writeLine: (l) => lines.push(l) });
    for (t = 1000; t <= 12_000; t += 1000) p('download', t * 1000, Infinity, 'from cache');
    expect(lines).toEqual([
      'download: 1.0 MB  from cache',
      'download: 6.0 MB  1.0 MB/s  from cache',
      'download: 11 MB  1.0 MB/s  from cache',
    ]);
  });

  it('formats counts and durations short', () => {
    expect([shortCount(950), shortCount(45_600), shortCount(1_234_567)]).toEqual(['950', '45.6k', '1.23M']);
    expect([formatSeconds(42.4), formatSeconds(185), formatSeconds(3720), formatSeconds(NaN)]).toEqual(['42 s', '3m05s', '1h02m', '?']);
  });
});
