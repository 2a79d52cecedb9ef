// Which Chromium the browser tests drive, and how to start it. By default the one the
// @sparticuz/chromium npm package ships (brotli-packed inside the package), so `npm ci`
// is all a Linux x64 machine needs: no apt, no download. CHROMIUM_PATH picks another one.
//
// Why not the package's own executablePath(): it unpacks to a fixed /tmp/chromium shared
// by every checkout and version, writes it in place (a run killed mid-way leaves a
// truncated binary that every later run would start), and sets up the libraries and
// fonts only on AWS. Here the same files are unpacked into a folder per package version
// under node_modules/.cache, built beside it and renamed into place (all or nothing), and
// the browser gets the package's own NSS libraries (LD_LIBRARY_PATH) and fonts
// (FONTCONFIG_FILE): traced with strace on Debian 12, it then opens nothing from the
// system but glibc and libgcc_s, and pages render the same on every machine (Open Sans).
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { brotliDecompressSync, createBrotliDecompress } from 'node:zlib';

const REPO = resolve(__dirname, '../../..');
export const NPM_CHROMIUM_PACKAGE = join(REPO, 'node_modules/@sparticuz/chromium');

/** Flags for every Chromium the tests start; the network is closed, so nothing may phone home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox', // root in CI containers; the pages are our own
  '--disable-gpu',
  '--disable-dev-shm-usage', // containers often give /dev/shm 64 MB, too little for a renderer
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface ChromiumLaunch {
  executablePath: string;
  /** Extra environment for the browser process (libraries and fonts of the npm build). */
  env: Record<string, string>;
  /** Where it came from, for messages: "CHROMIUM_PATH" or "@sparticuz/chromium <version>". */
  source: string;
}

/** Why no Chromium can be started here, or null. Cheap: looks at files only. */
export function chromiumProblem(env: NodeJS.ProcessEnv = process.env, pkgDir = NPM_CHROMIUM_PACKAGE): string | null {
  const custom = env.CHROMIUM_PATH;
  if (custom)
    return existsSync(custom)
      ? null
      : `CHROMIUM_PATH=${custom} does not exist: point it at a Chromium or Chrome binary, or unset it to use the one from the @sparticuz/chromium npm package.`;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return `The npm Chromium (@sparticuz/chromium) runs on Linux x64 only, not ${process.platform} ${process.arch}: set CHROMIUM_PATH to a Chromium or Chrome binary.`;
  }
  if (!existsSync(join(pkgDir, 'bin/chromium.br')))
    return `${pkgDir}/bin/chromium.br is missing: run npm ci (the browser tests use the Chromium inside the @sparticuz/chromium package), or set CHROMIUM_PATH.`;
  return null;
}

/**
 * The Chromium to launch: CHROMIUM_PATH as is, or the npm build, unpacked on first use
 * into `<cacheRoot>/<version>` (a few seconds, ~220 MB) and reused after that.
 */
export async function resolveChromium(
  env: NodeJS.ProcessEnv = process.env,
  pkgDir = NPM_CHROMIUM_PACKAGE,
  cacheRoot = join(REPO, 'node_modules/.cache/cinemap-chromium'),
): Promise<ChromiumLaunch> {
  const problem = chromiumProblem(env, pkgDir);
  if (problem) throw new Error(problem);
  if (env.CHROMIUM_PATH) return { executablePath: env.CHROMIUM_PATH, env: {}, source: 'CHROMIUM_PATH' };
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const dir = await unpackChromium(pkgDir, cacheRoot, version);
  return {
    executablePath: join(dir, 'chromium'),
    env: {
      LD_LIBRARY_PATH: [join(dir, 'lib'), env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      FONTCONFIG_FILE: join(dir, 'fonts.conf'),
    },
    source: `@sparticuz/chromium ${version}`,
  };
}

/** Unpacks the package's bin/*.br into `<cacheRoot>/<version>` unless a complete copy is there. */
export async function unpackChromium(pkgDir: string, cacheRoot: string, version: string): Promise<string> {
  const dir = join(cacheRoot, version);
  // Only a finished unpack is ever renamed to `dir`, so its presence means complete.
  if (existsSync(join(dir, 'chromium'))) return dir;
  mkdirSync(cacheRoot, { recursive: true });
  removeLeftovers(cacheRoot, version);
  const work = mkdtempSync(join(cacheRoot, `.${version}-${process.pid}-`));
  chmodSync(work, 0o755); // mkdtemp makes it private; the copy is shared by whoever runs the tests
  try {
    const bin = join(pkgDir, 'bin');
    await pipeline(
      createReadStream(join(bin, 'chromium.br')),
      createBrotliDecompress(),
      createWriteStream(join(work, 'chromium'), { mode: 0o755 }),
    );
    // swiftshader: libGLESv2/libEGL/Vulkan, which Chromium looks for beside its binary.
    untar(join(bin, 'swiftshader.tar.br'), work);
    // Open Sans and the NSS/expat libraries the binary links (built for Amazon Linux 2023, glibc 2.34).
    untar(join(bin, 'fonts.tar.br'), work);
    untar(join(bin, 'al2023.tar.br'), work);
    for (const f of ['chromium', 'lib/libnss3.so', 'fonts/Open_Sans/OpenSans-Regular.ttf']) {
      if (!existsSync(join(work, f)))
        throw new Error(
          `unpacking ${pkgDir} gave no ${f}: the @sparticuz/chromium package layout changed; update apps/explorer/e2e/chromium.ts`,
        );
    }
    writeFileSync(
      join(work, 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${join(dir, 'fonts')}</dir>\n  <cachedir>${join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
    );
    try {
      renameSync(work, dir);
    } catch (e) {
      // Another test process finished first: use its copy.
      if (!existsSync(join(dir, 'chromium'))) throw e;
      rmSync(work, { recursive: true, force: true });
    }
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    throw e;
  }
  return dir;
}

function untar(file: string, into: string): void {
  const r = spawnSync('tar', ['-x', '-C', into], { input: brotliDecompressSync(readFileSync(file)), stdio: ['pipe', 'ignore', 'pipe'] });
  if (r.error || r.status !== 0) throw new Error(`tar could not unpack ${file}: ${r.error?.message ?? r.stderr.toString().trim()}`);
}

/** Drops other versions and half-done unpacks whose process is gone (a killed run). */
function removeLeftovers(cacheRoot: string, version: string): void {
  for (const name of readdirSync(cacheRoot)) {
    const partial = /^\.(.+)-(\d+)-[^-]+$/.exec(name);
    const stale = partial ? !alive(Number(partial[2])) : name !== version || !existsSync(join(cacheRoot, name, 'chromium'));
    if (stale) rmSync(join(cacheRoot, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
