// Progress for long work, the one look every CLI uses (ingest's download, parse and
// load, the trainer's epochs, the synthetic generator): on a terminal a bar with rate
// and ETA, redrawn in place; elsewhere (a pipe, a log file, a test) off by default so
// errors stay the only thing on stderr, or, when asked, a plain line every few seconds.
// One reporter serves several steps: a new label starts a new bar.

/** How an amount is shown: bytes as MB, or counts of a noun (ratings, users). */
export interface ProgressUnit {
  amount(n: number): string;
  rate(perSecond: number): string;
}

function mb(n: number): string {
  return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;
}

/** 1.23M, 45.6k, 789: a count or a rate, short. */
export function shortCount(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0);
}

export const BYTES: ProgressUnit = { amount: mb, rate: (r) => `${mb(r)}/s` };

/** Counts of `noun` ("ratings"): "1.23M ratings", "45.6k ratings/s". */
export function countsOf(noun: string): ProgressUnit {
  return { amount: (n) => `${shortCount(n)} ${noun}`, rate: (r) => `${shortCount(r)} ${noun}/s` };
}

export interface ProgressOptions {
  /** Draw a bar in place (default: the stream is a terminal). */
  tty?: boolean;
  /** Report at all (default: only on a terminal; `--progress` turns lines on elsewhere). */
  enabled?: boolean;
  /** Least time between two draws (default 100 ms on a terminal, 5 s for lines). */
  intervalMs?: number;
  unit?: ProgressUnit;
  /** Erase a finished bar instead of leaving it on its own line (a table is printed under it). */
  transient?: boolean;
  /** Where lines go when not on a terminal (default: the stream, one line each). */
  writeLine?: (line: string) => void;
  /** The clock (tests). */
  now?: () => number;
}

/** Reports `done` of `total` (Infinity or 0: unknown) for the step `label`; `detail` is appended. */
export type Progress = ((label: string, done: number, total: number, detail?: string) => void) & {
  /** Ends the current bar (call before printing anything else, and at the end). */
  finish(): void;
};

const BAR_WIDTH = 24;
const LABEL_WIDTH = 12;

export function createProgress(
  stream: (NodeJS.WritableStream & { isTTY?: boolean }) | undefined = process.stderr,
  opts: ProgressOptions = {},
): Progress {
  const tty = opts.tty ?? Boolean(stream?.isTTY);
  if (!(opts.enabled ?? tty) || (tty && !stream)) return Object.assign(() => {}, { finish: () => {} });
  const unit = opts.unit ?? BYTES;
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? (tty ? 100 : 5000);
  const writeLine = opts.writeLine ?? ((l: string) => stream?.write(`${l}\n`));
  let current = '';
  let started = 0;
  /** What was done when the step's first report came: the rate counts from there. */
  let base = 0;
  let lastDraw = -Infinity;
  let open = false;
  const close = () => {
    if (open) stream!.write(opts.transient ? '\r\x1b[K' : '\n');
    open = false;
  };
  const fn = ((label: string, done: number, total: number, detail?: string) => {
    const t = now();
    if (label !== current) {
      if (tty) close();
      current = label;
      started = t;
      base = done;
      lastDraw = -Infinity;
    }
    const finished = Number.isFinite(total) && total > 0 && done >= total;
    if (!finished && t - lastDraw < interval) return;
    lastDraw = t;
    // No rate on a step's first report: nothing has been timed yet.
    const rate = t > started ? (done - base) / ((t - started) / 1000) : NaN;
    const frac = Number.isFinite(total) && total > 0 ? Math.min(1, done / total) : NaN;
    const eta = Number.isFinite(frac) && rate > 0 ? Math.max(0, (total - done) / rate) : NaN;
    const pct = Number.isFinite(frac) ? `${(frac * 100).toFixed(0).padStart(3)}%` : '';
    const tail =
      `${unit.amount(done)}${Number.isFinite(total) && total > 0 ? ` / ${unit.amount(total)}` : ''}${Number.isFinite(rate) ? `  ${unit.rate(rate)}` : ''}` +
      `${Number.isFinite(eta) && !finished ? `  ETA ${formatSeconds(eta)}` : ''}${detail ? `  ${detail}` : ''}`;
    if (tty) {
      const filled = Number.isFinite(frac) ? Math.round(frac * BAR_WIDTH) : 0;
      stream!.write(`\r${label.padEnd(LABEL_WIDTH)} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${pct} ${tail}\x1b[K`);
      open = true;
      if (finished) {
        close();
        current = '';
      }
    } else {
      writeLine(`${label}: ${pct ? `${pct.trim()} ` : ''}${tail}`);
    }
  }) as Progress;
  fn.finish = close;
  return fn;
}

/** 42 s, 3m05s, 1h02m: an ETA or a duration, short. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const r = Math.round(s);
  if (r < 60) return `${r} s`;
  if (r < 3600) return `${Math.floor(r / 60)}m${String(r % 60).padStart(2, '0')}s`;
  return `${Math.floor(r / 3600)}h${String(Math.floor((r % 3600) / 60)).padStart(2, '0')}m`;
}
