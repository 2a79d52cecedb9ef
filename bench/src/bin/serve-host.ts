// `node dist/bench/serve-host.js --data-dir DIR`: the serving bench's server process
// (../serve-host.ts): the gateway and the bare endpoint on the embedded store in DIR,
// started by `npm run bench -- --only serve` and driven over its IPC channel.
import { Command } from 'commander';
import { runHost } from '../serve-host';

const program = new Command()
  .name('serve-host')
  .description(
    "The serving bench's server process: opens the embedded store in --data-dir, starts the gateway and a bare node:http endpoint doing the same lookups, and answers the bench over IPC (empty caches, watch event-loop delay and GC pauses, counters). Started by the bench (`npm run bench -- --only serve`), not by hand.",
  )
  .requiredOption('--data-dir <dir>', 'the embedded store (a CINEMAP_HOME-style folder holding pgdata/) the bench seeded')
  .parse();

if (!process.send) {
  console.error('serve-host: started without an IPC channel; the serving bench starts it (npm run bench -- --only serve)');
  process.exit(2);
}
runHost(program.opts<{ dataDir: string }>().dataDir);
