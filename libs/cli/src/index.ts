// @cinemap/cli: what every command-line tool of cinemap shows a person: progress with
// rate and ETA, and aligned tables; where a worker thread's script is; clean stops on signals;
// how a serving process's Node starts (the serving runtime).
// The only public door.
export { createProgress, countsOf, shortCount, formatSeconds, BYTES } from './progress';
export type { Progress, ProgressOptions, ProgressUnit } from './progress';
export { formatTable } from './table';
export type { TableOptions } from './table';
export { resolveWorkerScript } from './worker-script';
export { shutdownOnSignals } from './shutdown';
export { SERVING_NODE_FLAGS, SERVING_MALLOC_TUNABLE, servingEnv } from './serving-runtime';
export type { Shutdown, SignalProcess } from './shutdown';
