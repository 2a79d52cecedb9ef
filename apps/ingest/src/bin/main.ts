// Entry point of `npm run ingest`. Test hook: CINEMAP_INGEST_TEST_PAUSE_AT=<load step>
// makes the load print "ingest: paused at <step>" and wait there, so a test can kill
// the process at a known moment inside the load transaction.
import { main } from '../cli/program';

const pauseAt = process.env.CINEMAP_INGEST_TEST_PAUSE_AT;
let loading = false;

// `npm run ingest -- --help | head` closes stdout early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
});

process.on('SIGINT', () => {
  // The load is one transaction: dying here rolls it back (PostgreSQL) or never commits it (embedded).
  process.stderr.write(
    `\ningest: interrupted${loading ? ' during the load: nothing was changed, the previous dataset is still active' : ''}\n`,
  );
  process.exit(130);
});

main(process.argv.slice(2), {
  out: (l) => console.log(l),
  err: process.stderr,
  onLoadStep: async (step) => {
    loading = true;
    if (pauseAt === step) {
      process.stderr.write(`ingest: paused at ${step}\n`);
      await new Promise((r) => setTimeout(r, 600_000));
    }
  },
}).then((code) => process.exit(code));
