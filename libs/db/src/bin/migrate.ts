// `node dist/libs/db/migrate.js`: applies cinemap's migrations to DATABASE_URL (or the
// embedded store) and reports the schema version. Used by the Kubernetes migrate Job.
import { openDb } from '../open';
import { migrate } from '../migrate';
import { ROLE_PASSWORD_ENV, setRolePasswords, CinemapRole } from '../roles';

const HELP = `Usage: node dist/libs/db/migrate.js [--help]

Applies every pending migration (idempotent; each in its own transaction) and creates
the roles cinemap_writer, cinemap_gateway (read-only) and cinemap_analyst (read-only).

Environment:
  DATABASE_URL   PostgreSQL to migrate (connect as the schema owner / writer).
                 Unset: the embedded PGlite store under CINEMAP_HOME (default ./.cinemap).
  CINEMAP_WRITER_PASSWORD, CINEMAP_GATEWAY_PASSWORD, CINEMAP_ANALYST_PASSWORD
                 When set, the role gets LOGIN with that password (PostgreSQL only).`;

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(HELP);
    return;
  }
  const db = await openDb({ migrate: false });
  try {
    const r = await migrate(db);
    console.log(`${db.location}: schema version ${r.current}${r.applied.length ? ` (applied ${r.applied.join(', ')})` : ' (up to date)'}`);
    if (db.backend === 'postgres') {
      const pw: Partial<Record<CinemapRole, string>> = {};
      for (const [role, env] of Object.entries(ROLE_PASSWORD_ENV)) if (process.env[env]) pw[role as CinemapRole] = process.env[env];
      const changed = await setRolePasswords(db, pw);
      if (changed.length) console.log(`login enabled for ${changed.join(', ')}`);
    }
  } finally {
    await db.close();
  }
}

main().catch((e) => {
  console.error(`migrate: ${(e as Error).message}`);
  process.exit(1);
});
