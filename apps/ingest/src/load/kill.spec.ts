// Killed at any moment of the load (SIGKILL, or Ctrl-C), the built CLI leaves the
// previous dataset exactly as it was, on real PostgreSQL and on the embedded store;
// the next run then succeeds. The CLI pauses at a chosen load step
// (CINEMAP_INGEST_TEST_PAUSE_AT) so the kill lands inside the load transaction.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Db, openPglite } from '@cinemap/db';
import { getActiveDataset, ingestFingerprint, createTestDatabase } from '@cinemap/db/testing';
import { tinyDump, writeDumpDir } from '@cinemap/movielens/testing';

const ROOT = resolve(__dirname, '../../../..');
const CLI = join(ROOT, 'dist/apps/ingest/main.js');
const FLAGS = ['--min-avg-rating', '3', '--min-movie-ratings', '5', '--min-user-ratings', '10', '--sample-fraction', '0.5'];

function runCli(source: string, env: Record<string, string | undefined>, pauseAt?: string) {
  const child: ChildProcess = spawn(process.execPath, [CLI, '--source', source, ...FLAGS], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', ...env, CINEMAP_INGEST_TEST_PAUSE_AT: pauseAt ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let onPaused: (() => void) | null = null;
  const paused = new Promise<void>((r) => (onPaused = r));
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => {
    out += d;
    if (out.includes('ingest: paused at')) onPaused?.();
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal, out })),
  );
  return {
    child,
    done,
    get paused() {
      return Promise.race([
        paused,
        done.then((d) => {
          throw new Error(`CLI ended before pausing:\n${d.out}`);
        }),
      ]);
    },
  };
}

const haveCli = existsSync(CLI);
const d = haveCli ? describe : describe.skip;

d('kill during load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cinemap-kill-'));
  const dumpA = writeDumpDir(join(dir, 'a'), tinyDump({ seed: 1 }));
  const dumpB = writeDumpDir(join(dir, 'b'), tinyDump({ seed: 2, movies: 40, users: 30 }));

  const pgIt = process.env.DATABASE_URL ? it : it.skip;
  pgIt(
    '[postgres] SIGKILL at each load step and SIGINT leave the tables unchanged; the rerun succeeds',
    async () => {
      const t = await createTestDatabase('postgres');
      const db: Db = t.db;
      try {
        const first = await runCli(dumpA, { DATABASE_URL: t.url }).done;
        expect(first.code).toBe(0);
        const before = await ingestFingerprint(db);
        const activeBefore = (await getActiveDataset(db))!.id;
        for (const step of ['ratings', 'curated', 'swap', 'commit']) {
          const run = runCli(dumpB, { DATABASE_URL: t.url }, step);
          await run.paused;
          run.child.kill('SIGKILL');
          expect((await run.done).signal).toBe('SIGKILL');
          expect(await ingestFingerprint(db)).toEqual(before);
        }
        const int = runCli(dumpB, { DATABASE_URL: t.url }, 'commit');
        await int.paused;
        int.child.kill('SIGINT');
        const intDone = await int.done;
        expect(intDone.code).toBe(130);
        expect(intDone.out).toMatch(/interrupted during the load: nothing was changed/);
        expect(await ingestFingerprint(db)).toEqual(before);
        expect((await getActiveDataset(db))!.id).toBe(activeBefore);

        const again = await runCli(dumpB, { DATABASE_URL: t.url }).done;
        expect(again.code).toBe(0);
        expect((await ingestFingerprint(db)).movies.rows).toBe(40);
      } finally {
        await t.drop();
      }
    },
    60_000,
  );

  it('[pglite] SIGKILL inside the load leaves the embedded store unchanged; the rerun succeeds', async () => {
    const home = join(dir, 'home');
    const env = { DATABASE_URL: '', CINEMAP_HOME: home };
    const fingerprint = async () => {
      const db = await openPglite({ dataDir: join(home, 'db') });
      try {
        return { fp: await ingestFingerprint(db), active: (await getActiveDataset(db))?.id };
      } finally {
        await db.close();
      }
    };
    expect((await runCli(dumpA, env).done).code).toBe(0);
    const before = await fingerprint();
    for (const step of ['ratings', 'commit']) {
      const run = runCli(dumpB, env, step);
      await run.paused;
      run.child.kill('SIGKILL');
      await run.done;
      expect(await fingerprint()).toEqual(before);
    }
    const again = await runCli(dumpB, env).done;
    expect(again.code).toBe(0);
    expect((await fingerprint()).fp.movies.rows).toBe(40);
  }, 90_000);
});
