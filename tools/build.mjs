#!/usr/bin/env node
// Builds every runnable entry point with esbuild. Convention: each file
// `<project>/src/bin/<name>.ts` becomes `dist/<project>/<name>.js`, a CommonJS
// bundle in which @cinemap/* path aliases are inlined (so they work at runtime)
// and npm packages stay external (native and WASM modules load from node_modules).
// Usage: node tools/build.mjs [--project apps/ingest] [--quiet]
import './require-node.mjs'; // first: an old Node stops here, with one line
import { build } from 'esbuild';
import { readdirSync, existsSync, statSync, readFileSync } from 'node:fs';
import { join, basename } from 'node:path';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(
    'Usage: node tools/build.mjs [--project <dir>] [--quiet]\nBundles <project>/src/bin/*.ts into dist/<project>/*.js (and the explorer with Vite).',
  );
  process.exit(0);
}
const quiet = args.includes('--quiet');
const pi = args.indexOf('--project');
const only = pi >= 0 ? args[pi + 1] : undefined;
const projects = ['apps/ingest', 'apps/trainer', 'apps/gateway', 'apps/cinemap', 'libs/db', 'bench'].filter((p) => !only || p === only);

// esbuild cannot emit decorator metadata, which type-graphql reads; TypeScript files
// that use decorators go through swc first (the same transform jest uses).
const swcDecorators = {
  name: 'swc-decorators',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (a) => {
      const src = readFileSync(a.path, 'utf8');
      if (!/^\s*@[A-Za-z]/m.test(src)) return undefined;
      const { transform } = await import('@swc/core');
      const out = await transform(src, {
        filename: a.path,
        sourceMaps: 'inline',
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'es6' },
      });
      return { contents: out.code, loader: 'js' };
    });
  },
};

const t0 = Date.now();
const entryPoints = {};
for (const p of projects) {
  const dir = join(p, 'src', 'bin');
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.ts') || f.endsWith('.spec.ts')) continue;
    entryPoints[join(p, basename(f, '.ts'))] = join(dir, f);
  }
}
if (Object.keys(entryPoints).length) {
  await build({
    entryPoints,
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    packages: 'external',
    sourcemap: true,
    tsconfig: 'tsconfig.base.json',
    logLevel: quiet ? 'warning' : 'info',
    plugins: [swcDecorators],
  });
}
// The explorer is a browser app built by Vite into dist/apps/explorer (served by the gateway).
if ((!only || only === 'apps/explorer') && existsSync('apps/explorer/vite.config.ts') && needsExplorerBuild()) {
  const r = spawnSync(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'build', '--config', 'apps/explorer/vite.config.ts', ...(quiet ? ['--logLevel', 'warn'] : [])],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (!quiet) console.log(`build finished in ${Date.now() - t0} ms`);

function newest(dir) {
  let m = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    m = Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return m;
}
function needsExplorerBuild() {
  const out = 'dist/apps/explorer/index.html';
  if (!existsSync(out)) return true;
  return newest('apps/explorer') > statSync(out).mtimeMs;
}
