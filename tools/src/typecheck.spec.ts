// TypeScript strict over every project (jest's swc transform strips types without
// checking them, and esbuild does the same for the bundles): a type error fails the suite.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '..', '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

describe('typecheck', () => {
  it.each([
    ['apps, libs, bench, k8s, tools', 'tsconfig.json'],
    ['explorer (browser)', 'apps/explorer/tsconfig.json'],
  ])(
    '%s type-check clean (tsc -p %s)',
    async (_name, project) => {
      const r = await promisify(execFile)(process.execPath, [tsc, '-p', project, '--noEmit', '--pretty', 'false'], {
        cwd: root,
        maxBuffer: 16 << 20,
      }).then(
        () => '',
        (e: { stdout?: string }) => e.stdout ?? String(e),
      );
      expect(r.split('\n').filter(Boolean)).toEqual([]);
    },
    240_000,
  );
});
