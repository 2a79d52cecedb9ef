// WebAssembly text (WAT) to a compiled module, with wabt (an npm package: no build step,
// so jest, tsx and the esbuild bundles load a kernel alike). The one assembly step of
// both hand-written kernels: the gateway's dot-product scan (./dot-scan.ts) and the
// trainer's SIMD training kernel. Pure: text in, module out (a few ms).

type WabtModule = {
  parseWat(
    name: string,
    text: string,
    features: Record<string, boolean>,
  ): { toBinary(o: object): { buffer: Uint8Array<ArrayBuffer> }; destroy(): void };
};

let wabt: Promise<WabtModule> | undefined;
/** Compilations in progress, and the timer that lets wabt go once none has run for a while. */
let inFlight = 0;
let release: ReturnType<typeof setTimeout> | undefined;

/**
 * wabt (an Emscripten module: ~18 MB of heap, ~14 MiB resident) is needed only while
 * kernels are assembled — a handful of times at a process's start — so it is dropped
 * `WABT_IDLE_MS` after the last assembly (an unref'd timer: it never keeps a process alive)
 * and made again if another comes. The gateway measured 14 MiB less resident for it.
 */
const WABT_IDLE_MS = 5_000;

/**
 * Assembles `text` (named `name` in wabt's messages) with the WebAssembly `features` it
 * uses (e.g. { simd: true, threads: true }) and compiles it. Rejects where the text does
 * not assemble or the engine lacks a feature; callers fall back to their TypeScript path.
 */
export async function compileWat(name: string, text: string, features: Record<string, boolean> = {}): Promise<WebAssembly.Module> {
  clearTimeout(release);
  inFlight++;
  try {
    wabt ??= (require('wabt') as () => Promise<WabtModule>)();
    wabt.catch(() => {
      wabt = undefined; // let a later call try again
    });
    const mod = (await wabt).parseWat(name, text, features);
    try {
      return await WebAssembly.compile(mod.toBinary({}).buffer);
    } finally {
      mod.destroy();
    }
  } finally {
    if (--inFlight === 0) {
      release = setTimeout(() => (wabt = undefined), WABT_IDLE_MS);
      release.unref?.();
    }
  }
}
