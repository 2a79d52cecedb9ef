// @cinemap/cli: what every command-line tool of cinemap shows a person: progress with
// rate and ETA, and aligned tables; where a worker thread's script is; clean stops on signals.
// The only public door.
export { createProgress, countsOf, shortCount, formatSeconds, BYTES } from './progress';
export type { Progress, ProgressOptions, ProgressUnit } from './progress';
export { formatTable } from './table';
export type { TableOptions } from './table';
export { resolveWorkerScript } from './worker-script';
export { shutdownOnSignals } from './shutdown';
export type { Shutdown, SignalProcess } from './shutdown';
