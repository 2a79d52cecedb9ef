#!/usr/bin/env node
// `npm run format`: Prettier writes the workspace's layout (.prettierrc.json;
// .prettierignore says what it leaves alone). `npm run format -- --check` only reports;
// `npm test` checks it too (tools/src/format.spec.ts).
import './require-node.mjs'; // first: an old Node stops here, with one line
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(
    'Usage: npm run format [-- --check] [<paths>]\nPrettier over the workspace: rewrites files, or with --check lists the ones not formatted.',
  );
  process.exit(0);
}
const check = args.includes('--check');
const paths = args.filter((a) => !a.startsWith('-'));
const r = spawnSync(
  process.execPath,
  [
    'node_modules/prettier/bin/prettier.cjs',
    check ? '--check' : '--write',
    '--log-level',
    check ? 'warn' : 'log',
    ...(paths.length ? paths : ['.']),
  ],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
