// A signal before the command is up is kept and acted on once it is; after, it closes at
// once; a second one exits 130; a failing close exits 1 saying why. The last test sends a
// real SIGTERM to a real child process while it is still starting.
import { EventEmitter } from 'node:events';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { shutdownOnSignals, type SignalProcess } from './shutdown';

function standIn() {
  const events = new EventEmitter();
  const exits: number[] = [];
  const said: string[] = [];
  const proc: SignalProcess & { emit(s: string): void } = {
    on: (s, l) => events.on(s, l),
    exit: (code: number) => void exits.push(code),
    emit: (s) => void events.emit(s),
  };
  return { proc, exits, said, say: (l: string) => said.push(l) };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('shutdownOnSignals', () => {
  it('keeps a signal that comes while starting, and closes once the command is up', async () => {
    const t = standIn();
    const s = shutdownOnSignals('serve', { proc: t.proc, say: t.say });
    t.proc.emit('SIGTERM');
    expect(s.requested).toBe(true);
    expect(t.said).toEqual(['serve: stopping as soon as the start has finished (a second signal exits now)']);
    await settle();
    expect(t.exits).toEqual([]); // nothing closed yet: nothing to close
    let closed = 0;
    s.ready(async () => void closed++);
    await settle();
    expect(closed).toBe(1);
    expect(t.exits).toEqual([0]);
  });

  it('closes at once on a signal after the start, once', async () => {
    const t = standIn();
    const s = shutdownOnSignals('serve', { proc: t.proc, say: t.say });
    let closed = 0;
    s.ready(async () => void closed++);
    await settle();
    expect(closed).toBe(0);
    t.proc.emit('SIGINT');
    await settle();
    expect([closed, t.exits, t.said]).toEqual([1, [0], []]);
  });

  it('exits 130 on a second signal while starting or closing', async () => {
    const t = standIn();
    shutdownOnSignals('serve', { proc: t.proc, say: t.say });
    t.proc.emit('SIGINT');
    t.proc.emit('SIGINT');
    expect(t.exits).toEqual([130]);
    expect(t.said[1]).toBe('serve: second signal while starting: exiting now');

    const u = standIn();
    const s = shutdownOnSignals('serve', { proc: u.proc, say: u.say });
    s.ready(() => new Promise<void>(() => {})); // a close that hangs
    u.proc.emit('SIGTERM');
    u.proc.emit('SIGTERM');
    expect(u.exits).toEqual([130]);
    expect(u.said).toEqual(['serve: second signal while closing: exiting now']);
  });

  it('exits 1 saying why when the close fails', async () => {
    const t = standIn();
    const s = shutdownOnSignals('db:serve', { proc: t.proc, say: t.say });
    s.ready(async () => {
      throw new Error('database busy');
    });
    t.proc.emit('SIGTERM');
    await settle();
    await settle();
    expect(t.exits).toEqual([1]);
    expect(t.said).toEqual(['db:serve: could not close cleanly: database busy']);
  });

  it('in a real process: SIGTERM during a slow start waits for it, closes, exits 0', async () => {
    const script = `
      require(${JSON.stringify(require.resolve('tsx/cjs'))});
      const { shutdownOnSignals } = require(${JSON.stringify(join(__dirname, 'shutdown.ts'))});
      const s = shutdownOnSignals('slow');
      process.stdout.write('starting\\n');
      setTimeout(() => s.ready(async () => { process.stdout.write('closed\\n'); }), 1500);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '',
      err = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out === 'starting\n') child.kill('SIGTERM');
    });
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((ok) => child.on('exit', ok));
    expect({ code, out, err }).toEqual({
      code: 0,
      out: 'starting\nclosed\n',
      err: 'slow: stopping as soon as the start has finished (a second signal exits now)\n',
    });
  }, 20_000);
});
