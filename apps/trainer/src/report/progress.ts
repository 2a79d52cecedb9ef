// What the user sees during a run: fast.ai's per-epoch table, and inside an epoch a
// progress bar with rate and ETA on a TTY (periodic log lines otherwise).
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

export function formatRate(r: number): string {
  return r >= 1e6 ? `${(r / 1e6).toFixed(2)}M` : r >= 1e3 ? `${(r / 1e3).toFixed(1)}k` : r.toFixed(0);
}

/** A progress reporter for one epoch's ratings. */
export function progressBar(label: string, stream: NodeJS.WriteStream | undefined, log: Log): { update(done: number, total: number): void; end(): void } {
  const tty = !!stream?.isTTY;
  const t0 = performance.now();
  let lastLog = t0;
  let drawn = false;
  return {
    update(done, total) {
      const now = performance.now();
      const secs = (now - t0) / 1000;
      const rate = done / Math.max(1e-9, secs);
      const eta = rate > 0 ? (total - done) / rate : 0;
      if (tty && stream) {
        const width = 30, filled = Math.round((width * done) / Math.max(1, total));
        stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${((100 * done) / Math.max(1, total)).toFixed(0).padStart(3)}% ${formatRate(rate)} ratings/s ETA ${clock(eta)}  `);
        drawn = true;
      } else if (now - lastLog > 10_000) {
        log(`${label}: ${done}/${total} ratings (${formatRate(rate)}/s, ETA ${clock(eta)})`);
        lastLog = now;
      }
    },
    end() {
      if (drawn && stream) stream.write('\r' + ' '.repeat(90) + '\r');
    },
  };
}
