#!/usr/bin/env node
// `npm run lint [-- <paths>]`: ESLint over the workspace (eslint.config.mjs). The module
// boundary rule reads Nx's project graph, which `nx show projects` writes first: without
// it @nx/enforce-module-boundaries would skip itself with only a warning.
import './require-node.mjs'; // first: an old Node stops here, with one line
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(
    'Usage: npm run lint [-- <paths> | --fix]\nESLint (typescript-eslint, Nx module boundaries, function length) over the workspace; `npm test` runs it too.',
  );
  process.exit(0);
}
const env = { ...process.env, NX_DAEMON: 'false' };
const graph = spawnSync(process.execPath, ['node_modules/nx/dist/bin/nx.js', 'show', 'projects'], {
  env,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (graph.status !== 0) process.exit(graph.status ?? 1);
const paths = args.filter((a) => !a.startsWith('-'));
const r = spawnSync(
  process.execPath,
  ['node_modules/eslint/bin/eslint.js', '--max-warnings', '0', ...args.filter((a) => a.startsWith('-')), ...(paths.length ? paths : ['.'])],
  { env, stdio: 'inherit' },
);
process.exit(r.status ?? 1);
