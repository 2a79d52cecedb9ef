// `npm start`: the whole pipeline on the embedded default, then the gateway. The
// composition root, and all of apps/cinemap: ingest (official ml-latest-small;
// offline → the synthetic `small` dump, saying so), train, serve, print example
// queries. Ingest and trainer run as their built CLIs in child processes, one after
// another (../built-cli.ts: the embedded store admits one process at a time, so the
// gateway opens it only after they exit); the gateway through its public door. A
// second `npm start` reuses the active model unless --force.
import { join } from 'node:path';
import { Command } from 'commander';
import { shutdownOnSignals } from '@cinemap/cli';
import { cinemapHome, getServedModelRun, openDb } from '@cinemap/db';
import { serveGateway } from '@cinemap/gateway';
import { MOVIELENS_DATASETS } from '@cinemap/movielens';
import { runBuiltCli } from '../built-cli';

const OFFICIAL_URL = MOVIELENS_DATASETS['ml-latest-small'].url;

const program = new Command()
  .name('npm start --')
  .description(
    'Ingest MovieLens ml-latest-small (offline: a synthetic dump), train, and serve GraphQL on :4000 — on the embedded database unless DATABASE_URL is set.',
  )
  .option('--force', 'ingest and train again even when a model is already active', false)
  .option('--port <n>', 'HTTP port (env PORT, default 4000)', (v) => Number(v))
  .option('--offline', 'skip the download and use the synthetic small dump', false)
  .parse();

function step(msg: string): void {
  console.log(`\n▶ ${msg}`);
}

async function online(): Promise<boolean> {
  try {
    const r = await fetch(OFFICIAL_URL, { method: 'HEAD', signal: AbortSignal.timeout(5000) });
    return r.ok;
  } catch {
    return false;
  }
}

async function hasActiveModel(): Promise<boolean> {
  const db = await openDb();
  try {
    return (await getServedModelRun(db)) !== null;
  } finally {
    await db.close();
  }
}

async function main(): Promise<void> {
  const o = program.opts<{ force: boolean; port?: number; offline: boolean }>();
  const t0 = Date.now();
  console.log(`cinemap — data in ${process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `${cinemapHome()} (embedded PGlite)`}`);
  if (!o.force && (await hasActiveModel())) {
    step('A trained model is already active: reusing it (npm start -- --force to ingest and train again).');
  } else {
    step('Ingest');
    if (!o.offline && (await online())) {
      console.log(`  downloading the official ml-latest-small (${OFFICIAL_URL})`);
      await runBuiltCli('ingest', ['--source', 'ml-latest-small', '--auto-curation']);
    } else {
      const out = join(cinemapHome(), 'synthetic-small');
      console.log(
        `  ${o.offline ? '--offline given' : `offline (${OFFICIAL_URL} unreachable)`}: using the deterministic synthetic "small" dump in ${out} instead of MovieLens`,
      );
      await runBuiltCli('generate', ['--out', out, '--scale', 'small']);
      await runBuiltCli('ingest', ['--source', out, '--auto-curation']);
    }
    step('Train');
    await runBuiltCli('train', []);
  }
  step('Serve');
  // Before the start: a Ctrl-C while the model loads is kept, and acted on once it is up.
  const shutdown = shutdownOnSignals('npm start');
  const s = await serveGateway(o.port !== undefined ? { port: o.port } : {});
  const url = s.gateway.url;
  shutdown.ready(() => s.close());
  if (shutdown.requested) return; // closing: not "up"
  console.log(`\ncinemap is up after ${Math.round((Date.now() - t0) / 1000)} s: GraphQL at ${url}${s.sql ? `, psql at 127.0.0.1:${s.sql.port} (psql -h 127.0.0.1 -p ${s.sql.port}; read-only, -U cinemap_writer to change rows)` : ''}

Try:
  curl -s ${url} -H 'content-type: application/json' \\
    -d '{"query":"{ similarMovies(title: \\"The Matrix\\", k: 5) { similarity movie { displayTitle year } } }"}'
  curl -s ${url} -H 'content-type: application/json' \\
    -d '{"query":"{ mostAppreciated(limit: 5) { displayTitle bias } }"}'
  curl -s ${url} -H 'content-type: application/json' \\
    -d '{"query":"{ similarMovies(title: \\"Mary Poppins\\", filter: { genres: [\\"Comedy\\"], yearFrom: 1990, minAverageRating: 3.5 }) { movie { displayTitle year } } }"}'
  curl -s ${url} -H 'content-type: application/json' \\
    -d '{"query":"{ recommendFor(ratings: [{ title: \\"The Matrix\\", rating: 5 }, { title: \\"Mary Poppins\\", rating: 2 }], k: 5) { predictedRating movie { displayTitle } } }"}'
  psql:  select * from similar_movies('The Matrix', 5);

Ctrl+C stops.`);
}

main().catch((e) => {
  console.error(`\nnpm start: ${(e as Error).message}`);
  process.exit(1);
});
