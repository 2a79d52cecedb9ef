#!/usr/bin/env node
// Builds (and pushes) every cinemap image from k8s/images.lock.json, the one list of
// images: base images pinned by digest through the Dockerfiles' ARGs, app images
// tagged from package.json's version. Without a command it only prints the plan.
// Docs: docs/deploy.md "Images".
import './require-node.mjs'; // first: an old Node stops here, with one line
import { readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const USAGE = `Usage: node tools/images.mjs [plan|build|push|pin] [options]

  plan (default)  print every image it would build and push, with its pinned
                  bases and the exact docker commands; runs nothing
  build           docker buildx build each image into the local image store
  push            build each image and push it to the registry, then print the
                  kustomize commands that pin the pushed digests in k8s/overlays/prod
  pin             look up the digest of every base and third-party image
                  (docker buildx imagetools inspect) and write them to the lock file

Options:
  --registry <r>    registry and path prefix (default: the lock file's "registry")
  --version <v>     app image version (default: package.json "version")
  --only <name>     only this image (gateway, ingest, trainer)
  --allow-unpinned  build/push even though a base has no verified digest
  --lock <file>     lock file (default: k8s/images.lock.json)
  --json            plan: print the plan as JSON
  -h, --help        show this help

build, push and pin need docker with buildx; plan needs nothing.`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}

function fail(msg) {
  console.error(`images: ${msg}`);
  process.exit(2);
}

const opts = { command: 'plan', allowUnpinned: false, json: false };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const value = () => {
    const v = args[++i];
    if (v === undefined || v.startsWith('--')) fail(`${a} needs a value (see --help)`);
    return v;
  };
  if (['plan', 'build', 'push', 'pin'].includes(a) && i === 0) opts.command = a;
  else if (a === '--registry') opts.registry = value();
  else if (a === '--version') opts.version = value();
  else if (a === '--only') opts.only = value();
  else if (a === '--lock') opts.lock = value();
  else if (a === '--allow-unpinned') opts.allowUnpinned = true;
  else if (a === '--json') opts.json = true;
  else fail(`unknown argument "${a}" (commands: plan, build, push, pin; see --help)`);
}

const lockPath = opts.lock ?? join(ROOT, 'k8s/images.lock.json');
let lock;
try {
  lock = JSON.parse(readFileSync(lockPath, 'utf8'));
} catch (e) {
  fail(`cannot read ${lockPath}: ${e.message}`);
}
const DIGEST = /^sha256:[0-9a-f]{64}$/;
for (const [k, b] of [...Object.entries(lock.bases ?? {}), ...(lock.thirdParty ?? []).map((t) => [t.ref, t])]) {
  if (b.digest !== null && !DIGEST.test(String(b.digest)))
    fail(`${lockPath}: ${k} has digest ${JSON.stringify(b.digest)}; use null (not verified) or sha256:<64 hex>`);
}
const version = opts.version ?? JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
const registry = (opts.registry ?? lock.registry).replace(/\/+$/, '');
const pinned = (b) => (b.digest ? `${b.ref}@${b.digest}` : b.ref);

const images = lock.images
  .filter((img) => !opts.only || img.name === opts.only)
  .map((img) => {
    const target = `${registry}/${img.name}:${img.tag.replaceAll('{version}', version)}`;
    const bases = img.bases.map((k) => {
      const b = lock.bases[k];
      if (!b) fail(`${lockPath}: image ${img.dockerfile} names base "${k}", which "bases" does not define`);
      return { arg: b.arg, ref: b.ref, digest: b.digest, value: pinned(b) };
    });
    const buildArgs = bases.flatMap((b) => ['--build-arg', `${b.arg}=${b.value}`]);
    return {
      name: img.name,
      dockerfile: img.dockerfile,
      target,
      bases,
      build: ['docker', 'buildx', 'build', '-f', img.dockerfile, ...buildArgs, '-t', target],
    };
  });
if (!images.length) fail(`no image named "${opts.only}" in ${lockPath} (${[...new Set(lock.images.map((i) => i.name))].join(', ')})`);
const unpinned = [...new Set(images.flatMap((i) => i.bases.filter((b) => !b.digest).map((b) => b.ref)))];

if (opts.command === 'plan') {
  if (opts.json) {
    console.log(JSON.stringify({ registry, version, images, unpinned, thirdParty: lock.thirdParty }, null, 2));
    process.exit(0);
  }
  console.log(`Would build and push ${images.length} image(s) to ${registry} (version ${version}); nothing is run in plan mode.\n`);
  for (const i of images) {
    console.log(`${i.target}`);
    console.log(`  from ${i.dockerfile}`);
    for (const b of i.bases)
      console.log(`  ${b.arg}=${b.value}${b.digest ? '' : '   <- digest NOT VERIFIED (run: node tools/images.mjs pin)'}`);
    console.log(`  ${[...i.build, '--push', '.'].join(' ')}\n`);
  }
  console.log('Third-party images the manifests run:');
  for (const t of lock.thirdParty ?? []) console.log(`  ${pinned(t)}${t.digest ? '' : '   <- digest NOT VERIFIED'}  (${t.usedBy})`);
  if (unpinned.length)
    console.log(`\n${unpinned.length} base image(s) without a verified digest: build and push refuse them unless --allow-unpinned.`);
  process.exit(0);
}

function docker(argv, capture = false) {
  const r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8' });
  if (r.error?.code === 'ENOENT') fail(`${argv[0]} is not installed here; ${opts.command} needs docker with buildx (plan needs nothing)`);
  if (r.status !== 0) fail(`failed (exit ${r.status}): ${argv.join(' ')}`);
  return r.stdout ?? '';
}

if (opts.command === 'pin') {
  const lookUp = (ref) => {
    const out = docker(['docker', 'buildx', 'imagetools', 'inspect', ref, '--format', '{{json .Manifest}}'], true);
    const digest = /"digest"\s*:\s*"(sha256:[0-9a-f]{64})"/.exec(out)?.[1];
    if (!digest) fail(`no digest in the answer for ${ref}: ${out.slice(0, 200)}`);
    console.log(`${ref} -> ${digest}`);
    return digest;
  };
  for (const b of Object.values(lock.bases)) b.digest = lookUp(b.ref);
  for (const t of lock.thirdParty ?? []) t.digest = lookUp(t.ref);
  writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`wrote ${lockPath}. Now set the third-party digests in the manifests (k8s/test/images.spec.ts says where) and commit both.`);
  process.exit(0);
}

if (unpinned.length && !opts.allowUnpinned)
  fail(
    `base image(s) without a verified digest in ${lockPath}: ${unpinned.join(', ')}. Run \`node tools/images.mjs pin\` first, or pass --allow-unpinned for a local try.`,
  );
for (const i of images) {
  console.log(`\n== ${i.target}`);
  if (opts.command === 'build') docker([...i.build, '--load', '.']);
  else {
    const meta = join(ROOT, `.images-${i.name}-${process.pid}.json`);
    docker([...i.build, '--push', '--metadata-file', meta, '.']);
    const digest = JSON.parse(readFileSync(meta, 'utf8'))['containerimage.digest'];
    unlinkSync(meta);
    const overlay = i.target.endsWith('-cpu') ? 'k8s/overlays/dev' : 'k8s/overlays/prod';
    console.log(
      `pushed ${i.target}@${digest}\n  pin it: (cd ${overlay} && kustomize edit set image cinemap/${i.name}=${i.target}@${digest})`,
    );
  }
}
