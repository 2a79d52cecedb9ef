// Images (issue 16 #6): k8s/images.lock.json lists every image; the Dockerfiles, the
// overlays and tools/images.mjs agree with it; the script prints its plan with --help
// and without docker, refuses unverified bases for real builds, and pins digests with
// `docker buildx imagetools inspect`. Docker does not run on the test machines, so the
// pin/build tests put a stand-in `docker` first on PATH that records its arguments and
// answers like buildx does; plan and the refusals run with no docker at all.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render, overlayDirs, type K8sObject } from '../src/kustomize';
import { checkImageLock, type ImageLock } from '../src/images';

const K8S = join(__dirname, '..');
const ROOT = join(K8S, '..');
const lockText = readFileSync(join(K8S, 'images.lock.json'), 'utf8');
const lock = (): ImageLock => JSON.parse(lockText);
const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
const dockerfileNames = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((f) => /(^|\/)Dockerfile(\.[\w-]+)?$/.test(f));
const dockerfiles = () => Object.fromEntries(dockerfileNames.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));
const rendered = () =>
  Object.fromEntries(
    [join(K8S, 'base'), ...overlayDirs(K8S), join(K8S, 'restore')].map((d) => [d.slice(K8S.length + 1), render(d).map((r) => r.object)]),
  ) as Record<string, K8sObject[]>;
const problems = (l: ImageLock, df = dockerfiles(), r = rendered()) => checkImageLock(l, version, df, r).join('\n');

const node = process.execPath;
const script = join(ROOT, 'tools/images.mjs');
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(node, [script, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', ...env }, timeout: 60_000 });
/** A directory holding a stand-in `docker` that logs its argv and answers imagetools inspect with a fixed digest. */
function fakeDocker(): { bin: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-docker-'));
  const log = join(dir, 'calls.log');
  writeFileSync(
    join(dir, 'docker'),
    `#!/bin/sh\necho "$*" >> ${log}\ncase "$*" in *"imagetools inspect"*) printf '{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:%064d","size":1}\\n' 7 ;; esac\n`,
  );
  chmodSync(join(dir, 'docker'), 0o755);
  return { bin: dir, log };
}

describe('k8s/images.lock.json', () => {
  it('lists the four app images and both database images, every Dockerfile of the repository', () => {
    const l = lock();
    expect(l.images.map((i) => `${i.name}:${i.tag}`)).toEqual([
      'gateway:{version}',
      'ingest:{version}',
      'trainer:{version}-cuda11.8',
      'trainer:{version}-cpu',
    ]);
    expect(dockerfileNames.sort()).toEqual(l.images.map((i) => i.dockerfile).sort());
    expect(l.bases.cuda.ref).toBe('nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04');
  });

  it('agrees with the Dockerfiles and every overlay', () => {
    expect(problems(lock())).toBe('');
  });

  describe('planted mistakes', () => {
    it('a Dockerfile the lock does not list, and a base the Dockerfile does not default to', () => {
      const l = lock();
      l.images = l.images.filter((i) => i.dockerfile !== 'apps/trainer/Dockerfile.cpu');
      l.bases.node.ref = 'node:24.1.0-bookworm-slim';
      const p = problems(l);
      expect(p).toMatch(/apps\/trainer\/Dockerfile\.cpu is not in k8s\/images\.lock\.json "images"/);
      expect(p).toMatch(
        /apps\/gateway\/Dockerfile: ARG NODE_IMAGE=node:24\.22\.3-bookworm-slim but the lock builds it from node:24\.1\.0-bookworm-slim/,
      );
    });

    it('a FROM argument the lock does not set (it would build from an unpinned default)', () => {
      const df = dockerfiles();
      df['apps/ingest/Dockerfile'] = df['apps/ingest/Dockerfile']
        .replace('ARG NODE_IMAGE=', 'ARG BASE=node:24.22.3-bookworm-slim\nARG NODE_IMAGE=')
        .replace('FROM ${NODE_IMAGE} AS runtime', 'FROM ${BASE} AS runtime');
      expect(problems(lock(), df)).toMatch(
        /apps\/ingest\/Dockerfile: FROM uses \$BASE, which none of this image's lock bases \(node\) sets/,
      );
    });

    it('an overlay deploying a tag the script never builds, an image outside the lock, a digest the lock lacks', () => {
      const r = rendered();
      const train = r['overlays/prod'].find((o) => o.kind === 'Job' && o.metadata.name === 'cinemap-train')!;
      train.spec.template.spec.containers[0].image = 'registry.example.com/cinemap/trainer:0.1.0-cuda11.2';
      const pg = r['overlays/dev'].find((o) => o.kind === 'StatefulSet')!;
      pg.spec.template.spec.containers[0].image = 'postgres:17';
      r['overlays/prod'].find((o) => o.kind === 'Cluster')!.spec.imageName += `@sha256:${'a'.repeat(64)}`;
      const p = problems(lock(), dockerfiles(), r);
      expect(p).toMatch(
        /overlays\/prod Job\/cinemap-train container train: registry\.example\.com\/cinemap\/trainer:0\.1\.0-cuda11\.2 has tag "0\.1\.0-cuda11\.2", which tools\/images\.mjs never builds \(0\.1\.0-cuda11\.8, 0\.1\.0-cpu\)/,
      );
      expect(p).toMatch(
        /overlays\/dev StatefulSet\/postgres container postgres: postgres:17 is not in k8s\/images\.lock\.json "thirdParty"/,
      );
      expect(p).toMatch(/Cluster\/cinemap-pg spec\.imageName: .* carries a digest the lock does not have/);
    });

    it('a pinned lock entry the manifest does not use by digest, and a malformed digest', () => {
      const l = lock();
      l.thirdParty[0].digest = `sha256:${'b'.repeat(64)}`;
      l.bases.node.digest = 'sha256:abc';
      const p = problems(l);
      expect(p).toMatch(
        /overlays\/dev StatefulSet\/postgres container postgres: the lock pins pgvector\/pgvector:0\.8\.0-pg17@sha256:b{64}; write the image as/,
      );
      expect(p).toMatch(/bases\.node\.digest "sha256:abc" is neither null \(not verified\) nor sha256:<64 hex>/);
    });
  });
});

describe('tools/images.mjs', () => {
  it('--help says what each command does', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: node tools\/images\.mjs \[plan\|build\|push\|pin\]/);
    for (const c of ['plan (default)', 'build ', 'push ', 'pin ', '--allow-unpinned']) expect(r.stdout).toContain(c);
  });

  it('plan (no docker needed) prints every image, its bases and the build command, and flags unverified digests', () => {
    const r = run([], { PATH: '/nonexistent' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^Would build and push 4 image\(s\) to registry\.example\.com\/cinemap \(version 0\.1\.0\); nothing is run in plan mode\./,
    );
    expect(r.stdout).toContain(
      'registry.example.com/cinemap/trainer:0.1.0-cuda11.8\n  from apps/trainer/Dockerfile\n  NODE_IMAGE=node:24.22.3-bookworm-slim   <- digest NOT VERIFIED',
    );
    expect(r.stdout).toContain(
      'docker buildx build -f apps/trainer/Dockerfile --build-arg NODE_IMAGE=node:24.22.3-bookworm-slim --build-arg CUDA_IMAGE=nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04 -t registry.example.com/cinemap/trainer:0.1.0-cuda11.8 --push .',
    );
    expect(r.stdout).toMatch(/ghcr\.io\/cloudnative-pg\/postgresql:17\.5-standard-bookworm {3}<- digest NOT VERIFIED/);
    const j = JSON.parse(run(['plan', '--json', '--registry', 'reg.local/x/', '--version', '9.9.9']).stdout);
    expect(j.images.map((i: any) => i.target)).toEqual([
      'reg.local/x/gateway:9.9.9',
      'reg.local/x/ingest:9.9.9',
      'reg.local/x/trainer:9.9.9-cuda11.8',
      'reg.local/x/trainer:9.9.9-cpu',
    ]);
    expect(j.unpinned).toEqual(['node:24.22.3-bookworm-slim', 'nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04']);
  });

  it('build and push refuse unverified bases; without docker they say so; bad arguments are named', () => {
    let r = run(['build'], { PATH: '/nonexistent' });
    expect([r.status, r.stderr.trim()]).toEqual([
      2,
      expect.stringMatching(
        /^images: base image\(s\) without a verified digest in .*: node:24\.22\.3-bookworm-slim, nvidia\/cuda:.*Run `node tools\/images\.mjs pin` first/,
      ),
    ]);
    r = run(['push', '--allow-unpinned', '--only', 'gateway'], { PATH: '/nonexistent' });
    expect(r.stderr).toMatch(/images: docker is not installed here; push needs docker with buildx \(plan needs nothing\)/);
    expect(run(['deploy']).stderr).toMatch(/unknown argument "deploy"/);
    expect(run(['--only']).stderr).toMatch(/--only needs a value/);
    expect(run(['--only', 'explorer']).stderr).toMatch(/no image named "explorer"/);
  });

  it('pin writes the digests buildx reports into the lock; build then passes the pinned bases', () => {
    const { bin, log } = fakeDocker();
    const tmpLock = join(bin, 'images.lock.json');
    copyFileSync(join(K8S, 'images.lock.json'), tmpLock);
    const env = { PATH: `${bin}:${process.env.PATH}` };
    const pin = run(['pin', '--lock', tmpLock], env);
    expect(pin.status).toBe(0);
    const digest = `sha256:${'0'.repeat(63)}7`;
    const pinned = JSON.parse(readFileSync(tmpLock, 'utf8')) as ImageLock;
    expect([...Object.values(pinned.bases), ...pinned.thirdParty].map((b) => b.digest)).toEqual([digest, digest, digest, digest]);
    expect(readFileSync(log, 'utf8')).toContain('buildx imagetools inspect node:24.22.3-bookworm-slim --format {{json .Manifest}}');
    const build = run(['build', '--lock', tmpLock, '--only', 'ingest'], env);
    expect(build.status).toBe(0);
    expect(readFileSync(log, 'utf8')).toContain(
      `buildx build -f apps/ingest/Dockerfile --build-arg NODE_IMAGE=node:24.22.3-bookworm-slim@${digest} -t registry.example.com/cinemap/ingest:0.1.0 --load .`,
    );
  });

  it('a malformed digest in the lock stops every command, naming the entry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const l = lock();
    l.bases.cuda.digest = 'latest';
    writeFileSync(join(dir, 'l.json'), JSON.stringify(l));
    const r = run(['--lock', join(dir, 'l.json')]);
    expect([r.status, r.stderr]).toEqual([
      2,
      expect.stringMatching(/cuda has digest "latest"; use null \(not verified\) or sha256:<64 hex>/),
    ]);
  });
});
