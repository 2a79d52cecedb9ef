// Picks the TF.js backend: tfjs-node-gpu (CUDA) → tfjs-node → wasm → pure-JS cpu,
// each loaded lazily so a missing optional package (tfjs-node-gpu cannot install on
// hosts without CUDA/network) only moves us down the list, saying why.
import { dirname } from 'node:path';
import type * as TfNs from '@tensorflow/tfjs';
import type { BackendName } from '../types';

export type Tf = typeof TfNs;

export interface LoadedTf {
  tf: Tf;
  backend: BackendName;
  /** Every backend tried before the one used, with the reason it was skipped. */
  skipped: { backend: BackendName; reason: string }[];
}

export const BACKEND_ORDER: BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

// A variable module name keeps bundlers and the type checker away from optional packages.
const load = (name: string): unknown => require(name);

const cached = new Map<string, LoadedTf>();

/** Hook for tests: replaces the package loader (to simulate an installed or a broken package). */
export let loadModule: (name: string) => unknown = load;
export function setModuleLoader(fn: ((name: string) => unknown) | undefined): void {
  loadModule = fn ?? load;
  cached.clear();
}

async function tryBackend(b: BackendName): Promise<Tf> {
  if (b === 'tensorflow-gpu') {
    // Registers the 'tensorflow' backend bound to libtensorflow with CUDA; throws without it.
    const tf = loadModule('@tensorflow/tfjs-node-gpu') as Tf;
    if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend did not initialise');
    return tf;
  }
  if (b === 'tensorflow') {
    const tf = loadModule('@tensorflow/tfjs-node') as Tf;
    if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend did not initialise');
    return tf;
  }
  const tf = loadModule('@tensorflow/tfjs') as Tf;
  if (b === 'wasm') {
    const wasm = loadModule('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(p: string): void };
    // In Node the .wasm files are read from the package's dist folder; threads don't start in Node.
    wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
    if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
    return tf;
  }
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
  return tf;
}

/**
 * Loads TF.js on the requested backend, or on the first that works from `auto`'s
 * order. An explicit backend that fails is an error (the user asked for it).
 */
export async function loadTf(requested: BackendName | 'auto' = 'auto'): Promise<LoadedTf> {
  const hit = cached.get(requested);
  if (hit) {
    await hit.tf.setBackend(hit.backend === 'tensorflow-gpu' ? 'tensorflow' : hit.backend);
    return hit;
  }
  const order = requested === 'auto' ? BACKEND_ORDER : [requested];
  const skipped: LoadedTf['skipped'] = [];
  for (const b of order) {
    try {
      const tf = await tryBackend(b);
      await tf.ready();
      const r: LoadedTf = { tf, backend: b, skipped };
      cached.set(requested, r);
      return r;
    } catch (e) {
      skipped.push({ backend: b, reason: firstLine((e as Error).message) });
    }
  }
  const why = skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ');
  throw new Error(
    requested === 'auto'
      ? `No TF.js backend could be loaded (${why}).`
      : `The TF.js backend "${requested}" could not be loaded: ${why}. Use --backend auto (or --engine native).`,
  );
}

/** True when a GPU backend (tfjs-node-gpu) loads: what `--engine auto` asks. */
export async function gpuBackendAvailable(): Promise<{ available: boolean; reason?: string }> {
  try {
    await tryBackend('tensorflow-gpu');
    return { available: true };
  } catch (e) {
    return { available: false, reason: firstLine((e as Error).message) };
  }
}

function firstLine(s: string): string {
  const l = s.split('\n')[0];
  return l.length > 200 ? l.slice(0, 200) + '…' : l;
}
