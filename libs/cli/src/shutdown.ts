// Clean stops on SIGINT/SIGTERM for every long-running command (the gateway, `npm start`'s
// serve step, db:serve). The handlers go in before the command starts what it serves: a
// signal that came while the database was opening, migrating or the model loading used to
// find Node's default action and kill the process mid-start (for the embedded database, a
// crash's recovery on the next open; for a pod, a rollout's SIGTERM did that). Now such a
// signal is remembered: the start finishes, then everything is closed in order and the
// process exits 0. A second signal while starting or closing exits at once (130), as a
// second Ctrl-C does.

export interface SignalProcess {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  exit(code: number): never | void;
}

export interface Shutdown {
  /** The command is up: `close` stops it (now, if a signal already came). */
  ready(close: () => Promise<void>): void;
  /** Whether a signal has come. */
  readonly requested: boolean;
}

/**
 * Installs the handlers now; `ready(close)` once started. `say` tells the person what is
 * happening (default: stderr); `proc` is the process (tests pass a stand-in).
 */
export function shutdownOnSignals(
  name: string,
  o: { say?: (line: string) => void; proc?: SignalProcess; signals?: NodeJS.Signals[] } = {},
): Shutdown {
  const say = o.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  const proc = o.proc ?? process;
  const signals = o.signals ?? ['SIGINT', 'SIGTERM'];
  let close: (() => Promise<void>) | null = null;
  let requested = false;
  let stopping = false;
  const stop = () => {
    stopping = true;
    close!().then(
      () => proc.exit(0),
      (e: Error) => {
        say(`${name}: could not close cleanly: ${e.message}`);
        proc.exit(1);
      },
    );
  };
  const onSignal = () => {
    if (requested) {
      say(`${name}: second signal while ${stopping ? 'closing' : 'starting'}: exiting now`);
      proc.exit(130);
      return;
    }
    requested = true;
    if (close) stop();
    else say(`${name}: stopping as soon as the start has finished (a second signal exits now)`);
  };
  for (const s of signals) proc.on(s, onSignal);
  return {
    ready(c) {
      close = c;
      if (requested) stop();
    },
    get requested() {
      return requested;
    },
  };
}
