// Opens the store, serves GraphQL and (embedded mode) SQL on 127.0.0.1 for psql,
// and shuts both down cleanly on SIGINT/SIGTERM. Used by bin/main.ts (`npm run serve`) and apps/cinemap (`npm start`).
import pino from 'pino';
import { openDb, serveSql } from '@cinemap/db';

type SqlServer = Awaited<ReturnType<typeof serveSql>>;
import { configFromEnv, type GatewayConfig } from './config';
import { startGateway, type Gateway } from './http/server';

export interface ServeResult {
  gateway: Gateway;
  sql: SqlServer | null;
  close(): Promise<void>;
}

export async function serveGateway(overrides: Partial<GatewayConfig> = {}): Promise<ServeResult> {
  const config = { ...configFromEnv(), ...overrides };
  const log = pino({ level: process.env.LOG_LEVEL ?? 'info' });
  const db = await openDb({ statementTimeoutMs: config.statementTimeoutMs, max: config.poolSize, applicationName: 'cinemap-gateway' });
  let sql: SqlServer | null = null;
  if (db.backend === 'pglite') {
    try {
      sql = await serveSql(db, { port: config.sqlPort });
      log.info(
        { psql: `psql -h 127.0.0.1 -p ${sql.port}`, writer: `psql -h 127.0.0.1 -p ${sql.port} -U cinemap_writer` },
        'embedded database served for psql (one connection at a time; read-only unless -U cinemap_writer)',
      );
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'could not serve SQL for psql; GraphQL still starts');
    }
  }
  const gateway = await startGateway({ db, log, ...config });
  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      await gateway.close();
      await sql?.close().catch(() => {});
      await db.close();
    })());
  return { gateway, sql, close };
}
