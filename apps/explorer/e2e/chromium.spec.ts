// The browser the explorer's tests use: the Chromium inside the @sparticuz/chromium npm
// package starts here with nothing from apt; CHROMIUM_PATH overrides it; unpacking is
// all or nothing (a killed run's leftovers are dropped, a finished copy is reused) and
// every way it can be missing says what to do. The unpack rules run on a small fake
// package so they cost milliseconds; the real package is unpacked once (shared cache).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { chromiumProblem, resolveChromium, unpackChromium } from './chromium';

jest.setTimeout(120_000);

describe('the npm Chromium', () => {
  it('unpacks and starts with nothing installed by hand (no /usr/bin/chromium needed)', async () => {
    const c = await resolveChromium({ ...process.env, CHROMIUM_PATH: '' });
    expect(c.source).toMatch(/^@sparticuz\/chromium \d+\./);
    const r = spawnSync(c.executablePath, ['--version'], { env: { ...process.env, ...c.env }, encoding: 'utf8', timeout: 30_000 });
    expect(r.stdout).toMatch(/^Chromium \d+\./);
    expect(c.env.FONTCONFIG_FILE && existsSync(c.env.FONTCONFIG_FILE)).toBe(true);
    expect(existsSync(join(c.env.LD_LIBRARY_PATH.split(':')[0], 'libnss3.so'))).toBe(true);
  });

  it('CHROMIUM_PATH picks another browser, as is', async () => {
    const c = await resolveChromium({ CHROMIUM_PATH: process.execPath });
    expect(c).toEqual({ executablePath: process.execPath, env: {}, source: 'CHROMIUM_PATH' });
  });

  describe('planted mistakes', () => {
    it('a CHROMIUM_PATH that does not exist is named, with what to do', async () => {
      expect(chromiumProblem({ CHROMIUM_PATH: '/nowhere/chromium' })).toMatch(
        /CHROMIUM_PATH=\/nowhere\/chromium does not exist: point it at a Chromium or Chrome binary, or unset it/,
      );
      await expect(resolveChromium({ CHROMIUM_PATH: '/nowhere/chromium' })).rejects.toThrow(/does not exist/);
    });
    it('a missing npm package says to run npm ci', () => {
      expect(chromiumProblem({}, '/nowhere/@sparticuz/chromium')).toMatch(/bin\/chromium\.br is missing: run npm ci/);
    });
  });
});

describe('unpacking (fake package)', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'cinemap-chromium-spec-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** A package dir shaped like @sparticuz/chromium: bin/chromium.br and three .tar.br. */
  const fakePackage = (omit?: string) => {
    const src = join(root, 'src');
    const files: Record<string, string[]> = {
      swiftshader: ['libGLESv2.so'],
      fonts: ['fonts/Open_Sans/OpenSans-Regular.ttf'],
      al2023: ['lib/libnss3.so'],
    };
    const pkg = join(root, 'pkg');
    mkdirSync(join(pkg, 'bin'), { recursive: true });
    writeFileSync(join(pkg, 'bin/chromium.br'), brotliCompressSync(Buffer.from('#!/bin/sh\necho Chromium 1.2.3\n')));
    for (const [tar, paths] of Object.entries(files)) {
      const dir = join(src, tar);
      for (const p of paths.filter((x) => x !== omit)) {
        mkdirSync(join(dir, p, '..'), { recursive: true });
        writeFileSync(join(dir, p), tar);
      }
      mkdirSync(dir, { recursive: true });
      const t = spawnSync('tar', ['-c', '-C', dir, '.']);
      writeFileSync(join(pkg, 'bin', `${tar}.tar.br`), brotliCompressSync(t.stdout));
    }
    return pkg;
  };

  it('unpacks everything once, executable, with a fonts.conf pointing at its own fonts', async () => {
    const dir = await unpackChromium(fakePackage(), join(root, 'cache'), '1.2.3');
    expect(dir).toBe(join(root, 'cache', '1.2.3'));
    expect(spawnSync(join(dir, 'chromium'), ['--version'], { encoding: 'utf8' }).stdout).toBe('Chromium 1.2.3\n');
    for (const f of ['libGLESv2.so', 'lib/libnss3.so', 'fonts/Open_Sans/OpenSans-Regular.ttf']) expect(existsSync(join(dir, f))).toBe(true);
    expect(readFileSync(join(dir, 'fonts.conf'), 'utf8')).toContain(`<dir>${join(dir, 'fonts')}</dir>`);
    const mtime = statSync(join(dir, 'chromium')).mtimeMs;
    await unpackChromium(fakePackage(), join(root, 'cache'), '1.2.3');
    expect(statSync(join(dir, 'chromium')).mtimeMs).toBe(mtime); // reused, not redone
  });

  it('two unpacks at once end with one complete copy and no leftovers', async () => {
    const pkg = fakePackage();
    const [a, b] = await Promise.all([
      unpackChromium(pkg, join(root, 'cache'), '1.2.3'),
      unpackChromium(pkg, join(root, 'cache'), '1.2.3'),
    ]);
    expect(a).toBe(b);
    expect(readdirSync(join(root, 'cache'))).toEqual(['1.2.3']);
  });

  describe('planted mistakes', () => {
    it('a killed run (half-done unpack, dead pid), an incomplete copy and an old version are dropped and redone', async () => {
      const cache = join(root, 'cache');
      mkdirSync(join(cache, '.1.2.3-999999999-abcdef', 'lib'), { recursive: true }); // pid beyond pid_max: dead
      mkdirSync(join(cache, '1.2.3', 'lib'), { recursive: true }); // no chromium: never finished
      mkdirSync(join(cache, '1.0.0'), { recursive: true });
      writeFileSync(join(cache, '1.0.0', 'chromium'), '');
      const dir = await unpackChromium(fakePackage(), cache, '1.2.3');
      expect(readdirSync(cache)).toEqual(['1.2.3']);
      expect(existsSync(join(dir, 'chromium'))).toBe(true);
    });
    it('a package whose layout changed is refused, naming the missing file, and leaves nothing behind', async () => {
      const cache = join(root, 'cache');
      await expect(unpackChromium(fakePackage('lib/libnss3.so'), cache, '1.2.3')).rejects.toThrow(
        /gave no lib\/libnss3\.so: the @sparticuz\/chromium package layout changed/,
      );
      expect(readdirSync(cache)).toEqual([]);
    });
  });
});
