// Prettier owns the layout: every file it formats is formatted (npm run format writes
// them; .prettierignore lists what it leaves alone), and the check does fail on a file
// that is not.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

describe('prettier', () => {
  it('finds every file formatted (npm run format -- --check)', () => {
    const r = spawnSync(process.execPath, [join(root, 'node_modules/prettier/bin/prettier.cjs'), '--check', '--log-level', 'warn', '.'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  }, 180_000);

  it('catches a file that is not formatted (planted)', async () => {
    const prettier = await import('prettier');
    const options = { ...(await prettier.resolveConfig(join(root, 'apps/x.ts'))), filepath: join(root, 'apps/x.ts') };
    expect(await prettier.check('const  a = {b:1}\n', options)).toBe(false);
    expect(await prettier.check('const a = { b: 1 };\n', options)).toBe(true);
  });
});
