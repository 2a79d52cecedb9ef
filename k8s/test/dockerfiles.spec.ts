// Every app image: pinned bases, a non-root numeric USER in the final stage,
// reproducible production-only dependencies, a HEALTHCHECK for the gateway; the
// GPU trainer on a CUDA 11 / cuDNN 8 base tfjs-node-gpu 4.22's libtensorflow 2.9.1 loads.
// Planted mistakes fail. (Which images exist and their pinned bases: images.spec.ts.)
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { SERVING_MALLOC_TUNABLE, SERVING_NODE_FLAGS } from '@cinemap/cli';
import { parseDockerfile, checkDockerfile, DockerfileError } from '../src/dockerfile';

const ROOT = join(__dirname, '..', '..');
const images = [
  { file: 'apps/gateway/Dockerfile', healthcheck: true },
  { file: 'apps/ingest/Dockerfile', healthcheck: false },
  { file: 'apps/trainer/Dockerfile', healthcheck: false },
  { file: 'apps/trainer/Dockerfile.cpu', healthcheck: false },
];
const text = (f: string) => readFileSync(join(ROOT, f), 'utf8');
/** What the gateway image's final stage lacks of the serving runtime (libs/cli/src/serving-runtime.ts), as `npm start` runs it. */
function servingRuntimeProblems(t: string): string[] {
  const final = parseDockerfile(t).stages.at(-1)!.instructions;
  const problems: string[] = [];
  const entrypoint = final.filter((i) => i.keyword === 'ENTRYPOINT').pop()?.args ?? '';
  const argv = entrypoint.startsWith('[') ? (JSON.parse(entrypoint) as string[]) : [];
  if (argv[0] !== 'node' || SERVING_NODE_FLAGS.some((f, i) => argv[1 + i] !== f))
    problems.push(`ENTRYPOINT does not start node with ${SERVING_NODE_FLAGS.join(' ')}: ${entrypoint}`);
  const tunable = `GLIBC_TUNABLES=${SERVING_MALLOC_TUNABLE}`;
  if (!final.some((i) => i.keyword === 'ENV' && i.args.split(/\s+/).includes(tunable))) problems.push(`no ENV ${tunable}`);
  return problems;
}
const check = (t: string, healthcheck = false) =>
  checkDockerfile(parseDockerfile(t), { healthcheck })
    .map((v) => `${v.rule}@${v.line}: ${v.message}`)
    .join('\n');

describe('Dockerfiles', () => {
  it.each(images)('$file passes the image rules', ({ file, healthcheck }) => {
    expect(check(text(file), healthcheck)).toBe('');
  });

  it.each(images)('$file runs on the Node 24 LTS base and as uid 1000', ({ file }) => {
    const d = parseDockerfile(text(file), file);
    expect(d.globalArgs.NODE_IMAGE).toMatch(/^node:24\.\d+\.\d+-bookworm-slim$/);
    const final = d.stages[d.stages.length - 1];
    expect(final.instructions.filter((i) => i.keyword === 'USER').pop()?.args).toBe('1000:1000');
    expect(final.instructions.some((i) => i.keyword === 'ENTRYPOINT' && i.args.includes('dist/apps/'))).toBe(true);
  });

  it('the gateway image starts Node with the serving runtime, as npm start does', () => {
    expect(servingRuntimeProblems(text('apps/gateway/Dockerfile'))).toEqual([]);
  });

  it('the gateway image carries the explorer bundle and the migrations', () => {
    const t = text('apps/gateway/Dockerfile');
    expect(t).toContain('dist/apps/explorer');
    expect(t).toContain('dist/libs/db');
  });

  it('the GPU trainer runs on CUDA 11.8 + cuDNN 8 (libtensorflow 2.9.1 loads CUDA 11 sonames, never 12) and installs tfjs-node-gpu; the CPU one omits it', () => {
    const gpu = parseDockerfile(text('apps/trainer/Dockerfile'));
    expect(gpu.stages[gpu.stages.length - 1].from).toMatch(/^nvidia\/cuda:11\.\d+\.\d+-cudnn8-runtime-ubuntu22\.04$/);
    expect(text('node_modules/@tensorflow/tfjs-node-gpu/scripts/deps-constants.js')).toMatch(/LIBTENSORFLOW_VERSION = '2\.9\.1'/);
    expect(text('apps/trainer/Dockerfile')).toMatch(/\(cd node_modules\/@tensorflow\/tfjs-node-gpu && npm run install\)/);
    expect(text('apps/trainer/Dockerfile.cpu')).toMatch(/npm ci --omit=dev --omit=optional/);
  });

  // allowScripts denies some install scripts (package.json); `npm rebuild <pkg>` obeys
  // it and skips them silently, so an image that needs one must run it by name.
  const denied = Object.entries(JSON.parse(text('package.json')).allowScripts as Record<string, boolean>)
    .filter(([, v]) => v === false)
    .map(([k]) => k);
  const rebuildsDenied = (t: string) => [...t.matchAll(/npm rebuild ([^\s&;]+)/g)].map((m) => m[1]).filter((p) => denied.includes(p));
  it.each(images)('$file never relies on npm rebuild for a package whose install script allowScripts denies', ({ file }) => {
    expect(rebuildsDenied(text(file))).toEqual([]);
  });

  it('a .dockerignore keeps node_modules, dist and .git out of the build context', () => {
    expect(existsSync(join(ROOT, '.dockerignore'))).toBe(true);
    const lines = text('.dockerignore').split('\n');
    for (const p of ['**/node_modules', 'dist', '.git']) expect(lines).toContain(p);
  });

  describe('planted mistakes', () => {
    const gw = text('apps/gateway/Dockerfile');
    it('an unpinned or :latest base', () => {
      expect(check(gw.replace(/^ARG NODE_IMAGE=.*$/m, 'ARG NODE_IMAGE=node:latest'), true)).toMatch(
        /pinned-from@\d+: FROM node:latest: tag "latest" is not a version/,
      );
      expect(check(gw.replace(/^ARG NODE_IMAGE=.*$/m, 'ARG NODE_IMAGE=node'), true)).toMatch(/pinned-from@\d+: FROM node has no tag/);
      expect(check(gw.replace(/^ARG NODE_IMAGE=.*$/m, 'ARG NODE_IMAGE=node:lts-slim'), true)).toMatch(/tag "lts-slim" is not a version/);
    });
    it('a final stage running as root, or without USER', () => {
      expect(check(gw.replace('USER 1000:1000', 'USER root'), true)).toMatch(/non-root-user@\d+: the final stage runs as "root"/);
      expect(check(gw.replace('USER 1000:1000', ''), true)).toMatch(/non-root-user@\d+: the final stage has no USER/);
      expect(check(gw.replace('USER 1000:1000', 'USER node'), true)).toMatch(/use a numeric uid/);
    });
    it('npm install, or dev dependencies shipped', () => {
      expect(check(gw.replace('npm ci --ignore-scripts --no-audit', 'npm install --no-audit'), true)).toMatch(/npm-ci@\d+: use "npm ci"/);
      expect(check(gw.replace('npm ci --omit=dev --omit=optional', 'npm ci --omit=optional'), true)).toMatch(
        /production-deps@\d+: node_modules copied from stage "deps"/,
      );
    });
    it('a gateway without HEALTHCHECK', () => {
      expect(check(gw.replace(/^HEALTHCHECK[\s\S]*?\n(?=ENTRYPOINT)/m, ''), true)).toMatch(
        /healthcheck@\d+: the final stage needs a HEALTHCHECK/,
      );
    });
    it('npm rebuild of a denied install script (it would be skipped silently)', () => {
      expect(
        rebuildsDenied(
          text('apps/trainer/Dockerfile').replace(
            '(cd node_modules/@tensorflow/tfjs-node-gpu && npm run install)',
            'npm rebuild @tensorflow/tfjs-node-gpu',
          ),
        ),
      ).toEqual(['@tensorflow/tfjs-node-gpu']);
    });
    it('a gateway started without the serving runtime', () => {
      const noEnv = gw.replace(`GLIBC_TUNABLES=${SERVING_MALLOC_TUNABLE}`, 'GLIBC_TUNABLES=');
      const noFlag = gw.replace(`"${SERVING_NODE_FLAGS[0]}", `, '');
      expect(servingRuntimeProblems(noEnv)).toEqual([expect.stringMatching(/^no ENV GLIBC_TUNABLES=/)]);
      expect(servingRuntimeProblems(noFlag)).toEqual([expect.stringMatching(/^ENTRYPOINT does not start node with/)]);
    });
    it('a FROM variable without a default', () => {
      expect(() => parseDockerfile('FROM ${BASE}\nUSER 1\n')).toThrow(DockerfileError);
    });
  });
});
