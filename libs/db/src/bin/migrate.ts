// `node dist/libs/db/migrate.js`: applies cinemap's migrations to DATABASE_URL (or the
// embedded store) and reports the schema version. Used by the Kubernetes migrate Job.
import { openDb } from '../open';
import { migrate } from '../migrate';

const HELP = `Usage: node dist/libs/db/migrate.js [--help]

Applies every pending migration (idempotent; each in its own transaction) and creates
the roles cinemap_writer, cinemap_gateway (read-only) and cinemap_analyst (read-only).

Environment:
  DATABASE_URL   PostgreSQL to migrate (connect as the schema owner / writer).
                 Unset: the embedded PGlite store under CINEMAP_HOME (default ./.cinemap).`;

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(HELP);
    return;
  }
  const db = await openDb({ migrate: false });
  try {
    const r = await migrate(db);
    console.log(`${db.location}: schema version ${r.current}${r.applied.length ? ` (applied ${r.applied.join(', ')})` : ' (up to date)'}`);
  } finally {
    await db.close();
  }
}

main().catch((e) => {
  console.error(`migrate: ${(e as Error).message}`);
  process.exit(1);
});
