// How a serving process's Node starts: every way of running the gateway (`npm start`,
// `npm run serve`, the container image, the serving bench's host) starts it with these,
// so the memory the bench reports is the memory a deployment gets. Tests hold package.json's
// scripts (tools/src/serving-runtime.spec.ts) and the Dockerfile (k8s/test/dockerfiles.spec.ts)
// to them.
//
// Both are about memory a large run's load leaves behind, not about speed (measured on the
// 86k-film bench catalogue, embedded store, 2026-12-03: docs/BENCHMARKS.md, issue 19 tenth
// round): the snapshot is read page by page, and each page's buffers are freed at once, but
//  - V8 grows its young generation to 128 MB while the pages stream through and keeps it;
//  - glibc's malloc raises its mmap threshold each time a large buffer is freed (up to
//    32 MB), so later pages' buffers are carved from the heap arenas and their freed space
//    stays resident (~70 MB at start, ~90 MB after a load, on that catalogue).

/** Node flags: 16 MB semi-spaces, a young generation of 32 MB (V8 would grow it to 128 MB and keep it). */
export const SERVING_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16'];

/**
 * glibc tunable: buffers of 1 MB and more get their own mapping, returned to the system
 * when freed, however large the buffers freed before (glibc's default threshold starts at
 * 128 KB and follows them up to 32 MB). Not lower: smaller buffers a request may take (a
 * filtered scan's row numbers, 344 KB at 86k films) stay in the heap, not a mapping
 * made and unmapped per request. Ignored by other C libraries.
 */
export const SERVING_MALLOC_TUNABLE = 'glibc.malloc.mmap_threshold=1048576';

/**
 * The environment a serving process starts with: `env` with SERVING_MALLOC_TUNABLE added to
 * GLIBC_TUNABLES (after any tunables already set; a threshold already set is left as it is).
 */
export function servingEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const have = env['GLIBC_TUNABLES'] ?? '';
  if (/(^|:)glibc\.malloc\.mmap_threshold=/.test(have)) return { ...env };
  return { ...env, GLIBC_TUNABLES: have ? `${have}:${SERVING_MALLOC_TUNABLE}` : SERVING_MALLOC_TUNABLE };
}
