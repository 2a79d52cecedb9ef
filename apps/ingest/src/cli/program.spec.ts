// The CLI: --help lists every flag; bad flags and bad sources exit non-zero with a
// message (no stack unless --verbose); the app holds no SQL (it lives in @cinemap/db).
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildProgram, main } from './program';
import { tinyDump, writeDumpDir } from '@cinemap/movielens/testing';

function capture() {
  let text = '';
  const err = new Writable({
    write(c, _e, cb) {
      text += String(c);
      cb();
    },
  }) as unknown as NodeJS.WriteStream;
  const out: string[] = [];
  return { io: { out: (l: string) => out.push(l), err }, text: () => text + out.join('\n') };
}

describe('ingest CLI', () => {
  it('--help names every flag', () => {
    const help = buildProgram().helpInformation();
    for (const f of [
      '--source',
      '--on-invalid',
      '--min-avg-rating',
      '--min-movie-ratings',
      '--min-user-ratings',
      '--sample-fraction',
      '--seed',
      '--report',
      '--auto-curation',
      '--curation',
      '--dry-run',
      '--verbose',
    ])
      expect(help).toContain(f);
  });

  it('a missing source is a one-line error and exit code 1', async () => {
    const c = capture();
    expect(await main(['--source', '/no/such/dump.zip', '--dry-run'], c.io)).toBe(1);
    expect(c.text()).toMatch(/ingest: --source \/no\/such\/dump\.zip: no such file or folder/);
    expect(c.text()).not.toMatch(/\n\s+at /);
  });

  it('a bad flag value names the flag', async () => {
    const c = capture();
    expect(await main(['--source', 'x', '--min-movie-ratings', 'many'], c.io)).not.toBe(0);
    expect(c.text()).toMatch(/--min-movie-ratings wants a whole number, got "many"/);
  });

  it('--sample-fraction none turns sampling off (regression: commander turned null into "")', async () => {
    const c = capture();
    const dir = writeDumpDir(mkdtempSync(join(tmpdir(), 'cinemap-cli-none-')), tinyDump({ seed: 3 }));
    const args = [
      '--source',
      dir,
      '--dry-run',
      '--min-avg-rating',
      '0',
      '--min-movie-ratings',
      '1',
      '--min-user-ratings',
      '1',
      '--sample-fraction',
    ];
    expect(await main([...args, 'none'], c.io)).toBe(0);
    expect(c.text()).toMatch(/4\. sample\s+none/);
    expect(await main([...args, 'often'], capture().io)).not.toBe(0);
  });

  it('--curation floors keeps every film and user with enough ratings for a vector; a flag given overrides one threshold', async () => {
    const dir = writeDumpDir(mkdtempSync(join(tmpdir(), 'cinemap-cli-floors-')), tinyDump({ seed: 3 }));
    const c = capture();
    expect(await main(['--source', dir, '--dry-run', '--curation', 'floors', '--min-movie-ratings', '3'], c.io)).toBe(0);
    expect(c.text()).toMatch(/curation: floors/);
    expect(c.text()).toMatch(/average ≥ 0\b/);
    expect(c.text()).toMatch(/≥ 3 ratings per movie/);
    expect(c.text()).toMatch(/≥ 5 ratings per user/);
    expect(c.text()).toMatch(/4\. sample\s+none/);
    const a = capture();
    expect(await main(['--source', dir, '--dry-run', '--auto-curation'], a.io)).toBe(0);
    expect(a.text()).toMatch(/curation: floors/);
    expect(a.text()).toMatch(/≥ 5 ratings per movie/);
    const b = capture();
    expect(await main(['--source', dir, '--dry-run', '--curation', 'nonsense'], b.io)).not.toBe(0);
    expect(b.text()).toMatch(/floors, blog, blog-scaled/);
  });

  it('apps/ingest contains no SQL', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.endsWith('.spec.ts')) files.push(p);
      }
    };
    walk(join(__dirname, '..'));
    expect(files.length).toBeGreaterThan(10);
    const sql = /\b(SELECT\s+[\w*]|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE|DROP\s+TABLE|ALTER\s+TABLE|TRUNCATE\s+\w)/;
    expect(files.filter((f) => sql.test(readFileSync(f, 'utf8')))).toEqual([]);
  });
});
