// `npm run db:serve`: opens the embedded store and serves it over the Postgres wire
// protocol on 127.0.0.1:CINEMAP_SQL_PORT (default 5433), so psql works without a server.
import { shutdownOnSignals } from '@cinemap/cli';
import { openDb } from '../open';
import { serveSql } from '../serve';

const HELP = `Usage: npm run db:serve [-- --port 5433]

Serves the embedded database (CINEMAP_HOME, default ./.cinemap) on 127.0.0.1 so that
  psql -h 127.0.0.1 -p 5433
connects, as the read-only role cinemap_analyst; -U cinemap_writer may change rows (not
the schema). One connection at a time; whatever a session set is reset when it ends.
Env CINEMAP_SQL_TRANSACTION_WAIT_MS (2000): how long the serving process waits for a
client's open transaction before rolling it back. Stop with Ctrl-C.
The gateway does this itself when it runs embedded; stop it first (one process per store).`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(HELP);
    return;
  }
  if (process.env.DATABASE_URL) {
    console.error('db:serve: DATABASE_URL is set, so the data is in PostgreSQL already: connect to it directly.');
    process.exit(2);
  }
  const pi = args.indexOf('--port');
  const port = pi >= 0 ? Number(args[pi + 1]) : undefined;
  if (pi >= 0 && !(Number.isInteger(port) && port! >= 0 && port! < 65536)) {
    console.error(`db:serve: --port must be an integer 0..65535, got ${JSON.stringify(args[pi + 1])}`);
    process.exit(2);
  }
  // Before the open: a Ctrl-C while the store opens (and migrates) is kept, then acted on.
  const shutdown = shutdownOnSignals('db:serve');
  const db = await openDb();
  const server = await serveSql(db, { port }).catch(async (e: Error) => {
    await db.close();
    throw e;
  });
  shutdown.ready(async () => {
    await server.close().catch(() => {});
    await db.close();
  });
  if (shutdown.requested) return;
  console.log(
    `Serving ${db.location} on ${server.host}:${server.port} — psql -h ${server.host} -p ${server.port} (read-only; -U cinemap_writer to change rows)`,
  );
}

main().catch((e) => {
  console.error(`db:serve: ${(e as Error).message}`);
  process.exit(1);
});
