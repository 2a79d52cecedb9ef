// Every way of starting a serving process starts it with the serving runtime
// (libs/cli/src/serving-runtime.ts): `npm start`, `npm run serve` and the gateway image.
// The serving bench's host takes the constants themselves (bench/src/serve-host.ts), so
// the memory it reports is the memory these get. Fails on a planted mistake too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVING_MALLOC_TUNABLE, SERVING_NODE_FLAGS } from '@cinemap/cli';

const root = join(__dirname, '..', '..');
const read = (f: string) => readFileSync(join(root, f), 'utf8');
const DOCKERFILE = 'apps/gateway/Dockerfile';

/** What is missing from the serving commands: one line each. */
function servingRuntimeProblems(scripts: Record<string, string>, dockerfile: string): string[] {
  const problems: string[] = [];
  const command = `GLIBC_TUNABLES=${SERVING_MALLOC_TUNABLE} node ${SERVING_NODE_FLAGS.join(' ')} `;
  for (const [name, entry] of [
    ['start', 'dist/apps/cinemap/start.js'],
    ['serve', 'dist/apps/gateway/main.js'],
  ])
    if (!(scripts[name] ?? '').includes(command + entry))
      problems.push(`package.json scripts.${name} does not run "${command + entry}": ${JSON.stringify(scripts[name])}`);
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
  const argv = entrypoint ? (JSON.parse(entrypoint) as string[]) : [];
  if (argv[0] !== 'node' || SERVING_NODE_FLAGS.some((f, i) => argv[1 + i] !== f))
    problems.push(`${DOCKERFILE}: ENTRYPOINT does not start node with ${SERVING_NODE_FLAGS.join(' ')}: ${entrypoint}`);
  const env = /^ENV ((?:.*\\\n)*.*)$/m.exec(dockerfile)?.[1] ?? '';
  if (!new RegExp(`(^|\\s)GLIBC_TUNABLES=${SERVING_MALLOC_TUNABLE.replace(/\./g, '\\.')}(\\s|$)`).test(env))
    problems.push(`${DOCKERFILE}: ENV does not set GLIBC_TUNABLES=${SERVING_MALLOC_TUNABLE}`);
  return problems;
}

describe('the serving runtime in every serving command', () => {
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  const dockerfile = read(DOCKERFILE);

  it('npm start, npm run serve and the gateway image start Node with its flags and malloc tunable', () => {
    expect(servingRuntimeProblems(scripts, dockerfile)).toEqual([]);
  });

  it('names each command that lost a setting (planted mistakes)', () => {
    const plain = { ...scripts, start: scripts.start.replace(` ${SERVING_NODE_FLAGS[0]}`, '') };
    expect(servingRuntimeProblems(plain, dockerfile)).toEqual([expect.stringMatching(/^package\.json scripts\.start does not run/)]);
    const noEnv = dockerfile.replace(`GLIBC_TUNABLES=${SERVING_MALLOC_TUNABLE}`, 'GLIBC_TUNABLES=');
    const noFlag = dockerfile.replace(`"${SERVING_NODE_FLAGS[0]}", `, '');
    expect(servingRuntimeProblems(scripts, noEnv)).toEqual([expect.stringMatching(/ENV does not set GLIBC_TUNABLES/)]);
    expect(servingRuntimeProblems(scripts, noFlag)).toEqual([expect.stringMatching(/ENTRYPOINT does not start node/)]);
  });
});
