// `npm run serve`: the gateway alone, against DATABASE_URL or the embedded store.
import 'reflect-metadata';
import { Command } from 'commander';
import { shutdownOnSignals } from '@cinemap/cli';
import { serveGateway } from '../serve';

const program = new Command()
  .name('serve')
  .description(
    'Serve the cinemap GraphQL API (and, embedded, SQL for psql on 127.0.0.1).\nEnv: DATABASE_URL, CINEMAP_HOME, PORT, CINEMAP_SQL_PORT, CINEMAP_CORS_ORIGINS, CINEMAP_INTROSPECTION, LOG_LEVEL, NODE_ENV.',
  )
  .option('--port <n>', 'HTTP port (env PORT, default 4000)', (v) => Number(v))
  .option('--sql-port <n>', 'embedded mode: psql port on 127.0.0.1 (env CINEMAP_SQL_PORT, default 5433)', (v) => Number(v))
  .parse();

async function main(): Promise<void> {
  const o = program.opts<{ port?: number; sqlPort?: number }>();
  // Before the start: a SIGTERM while the store opens or the model loads is kept, not fatal.
  const shutdown = shutdownOnSignals('serve');
  const s = await serveGateway({
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(o.sqlPort !== undefined ? { sqlPort: o.sqlPort } : {}),
  });
  shutdown.ready(() => s.close());
}

main().catch((e) => {
  console.error(`serve: ${(e as Error).message}`);
  process.exit(1);
});
