// Progress for long steps: a bar with rate and ETA on a TTY. Off when stderr is not a
// terminal (a pipe, a log file, a test), so errors stay the only thing there; `--progress`
// turns it on anyway, as a line every few seconds. One reporter per step label.

export type ProgressFn = (label: string, done: number, total: number) => void;

function mb(n: number): string {
  return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr, opts: { tty?: boolean; intervalMs?: number; enabled?: boolean } = {}): ProgressFn & { finish(): void } {
  const tty = opts.tty ?? Boolean(stream.isTTY);
  if (!(opts.enabled ?? tty)) return Object.assign(() => {}, { finish: () => {} });
  const interval = opts.intervalMs ?? (tty ? 100 : 5000);
  let current = '';
  let started = 0;
  let lastDraw = 0;
  let open = false;
  const fn = ((label: string, done: number, total: number) => {
    const now = Date.now();
    if (label !== current) {
      if (open && tty) stream.write('\n');
      current = label;
      started = now;
      lastDraw = 0;
    }
    const finished = Number.isFinite(total) && total > 0 && done >= total;
    if (!finished && now - lastDraw < interval) return;
    lastDraw = now;
    const secs = Math.max((now - started) / 1000, 1e-3);
    const rate = done / secs;
    const frac = Number.isFinite(total) && total > 0 ? Math.min(1, done / total) : NaN;
    const eta = Number.isFinite(frac) && rate > 0 ? Math.max(0, (total - done) / rate) : NaN;
    const pct = Number.isFinite(frac) ? `${(frac * 100).toFixed(0).padStart(3)}%` : '';
    const tail = `${mb(done)}${Number.isFinite(total) ? ` / ${mb(total)}` : ''}  ${mb(rate)}/s${Number.isFinite(eta) && !finished ? `  ETA ${eta.toFixed(0)} s` : ''}`;
    if (tty) {
      const width = 24;
      const filled = Number.isFinite(frac) ? Math.round(frac * width) : 0;
      stream.write(`\r${label.padEnd(12)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct} ${tail}\x1b[K`);
      open = true;
      if (finished) {
        stream.write('\n');
        open = false;
        current = '';
      }
    } else {
      stream.write(`${label}: ${pct ? `${pct.trim()} ` : ''}${tail}\n`);
    }
  }) as ProgressFn & { finish(): void };
  fn.finish = () => {
    if (open && tty) stream.write('\n');
    open = false;
  };
  return fn;
}
