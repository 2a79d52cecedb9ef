// `npm start` and `npm run serve` start their serving process with the serving runtime
// (libs/cli/src/serving-runtime.ts). The gateway image is checked with the other image
// rules (k8s/test/dockerfiles.spec.ts); the serving bench's host takes the constants
// themselves (bench/src/serve-host.ts), so the memory it reports is the memory these get.
// Fails on a planted mistake too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVING_MALLOC_TUNABLE, SERVING_NODE_FLAGS } from '@cinemap/cli';

/** The npm scripts that leave out the serving runtime: one line each. */
function servingRuntimeProblems(scripts: Record<string, string>): string[] {
  const command = `GLIBC_TUNABLES=${SERVING_MALLOC_TUNABLE} node ${SERVING_NODE_FLAGS.join(' ')} `;
  return [
    ['start', 'dist/apps/cinemap/start.js'],
    ['serve', 'dist/apps/gateway/main.js'],
  ]
    .filter(([name, entry]) => !(scripts[name] ?? '').includes(command + entry))
    .map(([name, entry]) => `package.json scripts.${name} does not run "${command + entry}": ${JSON.stringify(scripts[name])}`);
}

describe('the serving runtime in the npm scripts', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };

  it('npm start and npm run serve start Node with its flags and malloc tunable', () => {
    expect(servingRuntimeProblems(pkg.scripts)).toEqual([]);
  });

  it('names each script that lost a setting (planted mistakes)', () => {
    const noFlag = { ...pkg.scripts, start: pkg.scripts.start.replace(` ${SERVING_NODE_FLAGS[0]}`, '') };
    const noTunable = { ...pkg.scripts, serve: pkg.scripts.serve.replace(`GLIBC_TUNABLES=${SERVING_MALLOC_TUNABLE} `, '') };
    expect(servingRuntimeProblems(noFlag)).toEqual([expect.stringMatching(/^package\.json scripts\.start does not run/)]);
    expect(servingRuntimeProblems(noTunable)).toEqual([expect.stringMatching(/^package\.json scripts\.serve does not run/)]);
  });
});
