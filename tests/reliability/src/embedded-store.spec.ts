// The embedded store's folder and lock, black-box through the built migrate CLI
// (every CLI opens the store the same way): issue 14 #7 (a stale lock whose pid was
// reused blocked the store) and the unclear messages for a read-only CINEMAP_HOME
// ("ENOENT … mkdir") and a full disk ("Could not open …: undefined"). Namespaces
// (unshare) give a real pid 1, a real read-only file system and a real full disk; where
// unshare is not permitted those cases are skipped and say so.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, builtClis, run, tempDir } from './support/harness';
import { writeReport } from './support/report';

const d = builtClis ? describe : describe.skip;
const EMBEDDED = { DATABASE_URL: '' };

/** Whether this machine lets us make user, pid and mount namespaces (root, or unprivileged user namespaces). */
const namespaces = spawnSync('unshare', ['-Upfrm', '--mount-proc', 'true']).status === 0;
const nsIt = namespaces ? it : it.skip;

/**
 * Runs `script` in fresh namespaces after `setup` (shell, as root of the namespace).
 * Without `after`, node replaces the shell (so it is pid 1); with it, `after` runs once
 * node has exited, inside the same namespaces (e.g. to look at a tmpfs mounted there).
 */
function inNamespace(
  setup: string,
  env: Record<string, string>,
  after?: string,
  script = CLI.migrate,
): { code: number | null; stdout: string; stderr: string; ms: number } {
  const t0 = Date.now();
  const assignments = Object.entries({ ...EMBEDDED, ...env })
    .map(([k, v]) => `${k}='${v}'`)
    .join(' ');
  const node = `${assignments} ${after ? '' : 'exec '}'${process.execPath}' '${script}'`;
  const r = spawnSync(
    'unshare',
    ['-Upfrm', '--mount-proc', 'sh', '-c', after ? `${setup} ${node}; rc=$?; ${after}; exit $rc` : `${setup} ${node}`],
    { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

function ownStart(pid: number): string {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ')[19];
}
function bootId(): string {
  return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
}

const observed: Record<string, unknown>[] = [];
const firstLine = (s: string) => s.trim().split('\n')[0];

d('[pglite] embedded store: folder and lock', () => {
  let home: string;
  let lock: string;
  beforeAll(async () => {
    home = tempDir('store');
    lock = join(home, 'db', 'pgdata.lock');
    const r = await run(CLI.migrate, [], { ...EMBEDDED, CINEMAP_HOME: home });
    expect(r.code).toBe(0);
  }, 90_000);
  afterAll(() => {
    writeReport('embedded-store', observed);
    rmSync(home, { recursive: true, force: true });
  });

  const migrate = async (name: string) => {
    const r = await run(CLI.migrate, [], { ...EMBEDDED, CINEMAP_HOME: home });
    observed.push({ case: name, exit: r.code, stderr: firstLine(r.stderr), stdout: firstLine(r.stdout) });
    return r;
  };

  nsIt(
    '#7 a lock naming pid 1, opened by a restarted container (this process is pid 1 now): taken over',
    () => {
      writeFileSync(lock, '1'); // what an older version wrote as pid 1 of the previous container
      const r = inNamespace('', { CINEMAP_HOME: home });
      observed.push({
        case: 'bare-pid lock "1", opener is pid 1 (pid namespace)',
        exit: r.code,
        stderr: firstLine(r.stderr),
        stdout: firstLine(r.stdout),
      });
      expect(r.stderr).not.toMatch(/already open|in use/);
      expect(r.code).toBe(0);
      expect(existsSync(lock)).toBe(false); // released on exit
    },
    60_000,
  );

  nsIt(
    '#7 a lock naming pid 1 written by this version, opened as pid 1 of a new container: taken over',
    () => {
      writeFileSync(lock, JSON.stringify({ pid: 1, start: '12345', boot: bootId(), host: hostname(), since: '2026-01-01T00:00:00.000Z' }));
      const r = inNamespace('', { CINEMAP_HOME: home });
      observed.push({ case: 'lock {pid 1, other start time}, opener is pid 1', exit: r.code, stderr: firstLine(r.stderr) });
      expect(r.code).toBe(0);
    },
    60_000,
  );

  it('#7 a lock naming a live pid with another start time (the pid was reused): taken over', async () => {
    writeFileSync(
      lock,
      JSON.stringify({
        pid: process.pid,
        start: String(Number(ownStart(process.pid)) + 1),
        boot: bootId(),
        host: hostname(),
        since: '2026-01-01T00:00:00.000Z',
      }),
    );
    const r = await migrate('lock {live pid, other start time}');
    expect(r.code).toBe(0);
  }, 60_000);

  it('#7 a bare-pid lock older than the live process with that pid: taken over', async () => {
    writeFileSync(lock, String(process.pid));
    utimesSync(lock, new Date('2001-01-01'), new Date('2001-01-01')); // written long before this process started
    const r = await migrate('bare-pid lock of a live pid, written before that process started');
    expect(r.code).toBe(0);
  }, 60_000);

  it('#7 a lock held by a live process (same pid and start time) is refused, naming the holder and what to do', async () => {
    writeFileSync(
      lock,
      JSON.stringify({
        pid: process.pid,
        start: ownStart(process.pid),
        boot: bootId(),
        host: hostname(),
        since: '2026-01-01T00:00:00.000Z',
      }),
    );
    const r = await migrate('lock held by a live process');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`in use by process ${process.pid} on host ${hostname()}`));
    expect(r.stderr).toMatch(/Stop that process|another CINEMAP_HOME|DATABASE_URL/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const bare = (writeFileSync(lock, String(process.ppid)), await migrate('bare-pid lock of a live older process'));
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(new RegExp(`in use by process ${process.ppid}`));
    rmSync(lock);
  }, 60_000);

  it('#7 a lock from another host cannot be checked: refused with the command that removes it; after it, the store opens', async () => {
    writeFileSync(
      lock,
      JSON.stringify({ pid: 1, start: '999', boot: 'other-boot', host: 'old-container-7f3a', since: '2026-01-01T00:00:00.000Z' }),
    );
    const r = await migrate('lock from another host');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/locked by process 1 on host old-container-7f3a/);
    expect(r.stderr).toContain(`rm ${lock}`);
    rmSync(lock);
    expect((await migrate('after rm of the foreign lock')).code).toBe(0);
  }, 60_000);

  nsIt(
    'read-only CINEMAP_HOME: says read-only and what to do (was "ENOENT … mkdir")',
    () => {
      const ro = tempDir('ro');
      const r = inNamespace(`mount -t tmpfs -o ro none '${ro}' &&`, { CINEMAP_HOME: join(ro, 'home') });
      observed.push({ case: 'CINEMAP_HOME on a read-only file system', exit: r.code, stderr: r.stderr.trim() });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/read-only/);
      expect(r.stderr).toMatch(/CINEMAP_HOME=.*home/);
      expect(r.stderr).toMatch(/Set CINEMAP_HOME to a folder this user can write|DATABASE_URL/);
      expect(r.stderr).not.toMatch(/ENOENT|\n\s+at /);
    },
    60_000,
  );

  nsIt(
    'a full disk when the store is created: says so, and leaves no half-written store (was "…: undefined")',
    () => {
      const full = tempDir('full');
      const r = inNamespace(
        `mount -t tmpfs -o size=2m none '${full}' &&`,
        { CINEMAP_HOME: join(full, 'home') },
        `echo "left: $(ls -A '${full}/home/db')"`,
      );
      observed.push({
        case: 'CINEMAP_HOME on a full disk (2 MB tmpfs)',
        exit: r.code,
        stderr: r.stderr.trim(),
        left: r.stdout.trim(),
        ms: r.ms,
      });
      expect(r.code).toBe(1);
      expect(r.stdout.trim()).toBe('left:'); // no pgdata folder, no lock
      expect(r.stderr).toMatch(/no space left on the device/);
      expect(r.stderr).toMatch(/Free some space|another disk|DATABASE_URL/);
      expect(r.stderr).not.toMatch(/undefined|\n\s+at /);
    },
    90_000,
  );

  it("a folder that can never be created (under /proc) fails at once with a message (Node's recursive mkdir looped forever)", async () => {
    const t0 = Date.now();
    const r = await run(CLI.migrate, [], { ...EMBEDDED, CINEMAP_HOME: '/proc/cinemap-no-such' });
    observed.push({ case: 'CINEMAP_HOME=/proc/cinemap-no-such', exit: r.code, stderr: r.stderr.trim(), ms: Date.now() - t0 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /Cannot use \/proc\/cinemap-no-such\/db for the embedded database: .*(cannot be created|read-only|permission)/,
    );
  }, 30_000);

  it('CINEMAP_HOME is a file: says a part of the path is a file', async () => {
    const file = join(tempDir('file'), 'not-a-folder');
    writeFileSync(file, 'x');
    const r = await run(CLI.migrate, [], { ...EMBEDDED, CINEMAP_HOME: file });
    observed.push({ case: 'CINEMAP_HOME is a file', exit: r.code, stderr: r.stderr.trim() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/a part of the path is a file, not a folder/);
  }, 30_000);
});
