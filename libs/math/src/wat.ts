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

/**
 * Assembles `text` (named `name` in wabt's messages) with the WebAssembly `features` it
 * uses (e.g. { simd: true, threads: true }) and compiles it. Rejects where the text does
 * not assemble or the engine lacks a feature; callers fall back to their TypeScript path.
 */
export async function compileWat(name: string, text: string, features: Record<string, boolean> = {}): Promise<WebAssembly.Module> {
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
}
