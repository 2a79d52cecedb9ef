#!/usr/bin/env node
// `npm test`: one jest run over every project, then the plain closing line
// `N passed, N failed[, N skipped]` that CI reads. Extra arguments go to jest
// (e.g. `npm test -- libs/db`). With DATABASE_URL set, database suites run on
// real PostgreSQL as well as on PGlite; each test name says which backend ran.
import './require-node.mjs'; // first: an old Node stops here, with one line
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync, existsSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(
    'Usage: npm test [-- <jest args>]\nRuns all unit, integration and browser tests. Set DATABASE_URL to include real PostgreSQL.',
  );
  process.exit(0);
}
mkdirSync('reports', { recursive: true });
const out = 'reports/jest.json';
// Build first: some tests run the built CLIs and the explorer bundle.
const b = spawnSync(process.execPath, ['tools/build.mjs', '--quiet'], { stdio: 'inherit' });
if (b.status !== 0) process.exit(b.status ?? 1);
const env = {
  ...process.env,
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings`.trim(),
  NX_DAEMON: 'false',
};
const r = spawnSync(
  process.execPath,
  ['node_modules/jest/bin/jest.js', '-c', 'jest.config.cjs', '--json', `--outputFile=${out}`, ...args],
  { stdio: 'inherit', env },
);
let passed = 0,
  failed = 0,
  skipped = 0;
if (existsSync(out)) {
  const j = JSON.parse(readFileSync(out, 'utf8'));
  passed = j.numPassedTests;
  failed = j.numFailedTests + (j.numRuntimeErrorTestSuites ?? 0);
  skipped = j.numPendingTests + j.numTodoTests;
} else failed = 1;
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(r.status === 0 && failed === 0 ? 0 : 1);
