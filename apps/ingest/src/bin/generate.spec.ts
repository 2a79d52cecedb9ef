// The `npm run generate` CLI as a user meets it: --help, argument errors, a
// tiny run with --zip, progress on stderr when stderr is not a TTY.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../../../..');
const cli = join(root, 'dist/apps/ingest/generate.js');
const work = mkdtempSync(join(tmpdir(), 'cinemap-generate-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => {
  // `npm test` builds first; a bare jest run may not have.
  if (!existsSync(cli)) spawnSync(process.execPath, ['tools/build.mjs', '--project', 'apps/ingest', '--quiet'], { cwd: root });
});

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run generate', () => {
  it('--help lists the options and an example', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    for (const s of ['--out', '--scale', 'tiny', 'small', 'latest', '--seed', '--zip', '--stats', 'npm run generate --'])
      expect(r.stdout).toContain(s);
  });

  it('rejects a missing --out, an unknown scale and a bad seed with a message naming the argument', () => {
    const a = run('--scale', 'tiny');
    expect(a.status).not.toBe(0);
    expect(a.stderr).toContain('--out');
    const b = run('--out', join(work, 'x'), '--scale', 'huge');
    expect(b.status).not.toBe(0);
    expect(b.stderr).toMatch(/--scale.*huge|huge.*--scale/s);
    const c = run('--out', join(work, 'x'), '--scale', 'tiny', '--seed', 'abc');
    expect(c.status).not.toBe(0);
    expect(c.stderr).toContain('--seed');
    expect(existsSync(join(work, 'x'))).toBe(false);
  });

  it('writes a tiny dump with a zip, reporting counts on stdout and progress on stderr', () => {
    const out = join(work, 'tiny');
    const r = run('--out', out, '--scale', 'tiny', '--seed', '9', '--zip');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/300 movies, \d+ ratings, 100 users/);
    expect(r.stderr).toMatch(/users: 100% 100 users \/ 100 users/);
    expect(readdirSync(out).sort()).toEqual(['links.csv', 'ml-latest-tiny.zip', 'movies.csv', 'ratings.csv', 'tags.csv', 'truth.json']);
  });

  it('--stats prints the shape of a dump (table or JSON), and refuses a wrong folder or a mix with --out', () => {
    const out = join(work, 'tiny');
    if (!existsSync(join(out, 'ratings.csv'))) expect(run('--out', out, '--scale', 'tiny', '--quiet').status).toBe(0);
    const t = run('--stats', out);
    expect(t.status).toBe(0);
    expect(t.stdout).toMatch(/ratings \/ users \/ rated films\s+20,000 \/ 100 \/ 300/);
    expect(t.stdout).toMatch(/rating histogram\s+0\.5:/);
    const j = run('--stats', out, '--json');
    expect(j.status).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ ratings: 20_000, users: 100, movies: 300 });
    const missing = run('--stats', join(work, 'nothing-here'));
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('--stats');
    expect(missing.stderr).toContain('not a folder');
    const both = run('--stats', out, '--out', join(work, 'y'));
    expect(both.status).not.toBe(0);
    expect(both.stderr).toMatch(/--stats.*--out/);
  });
});
