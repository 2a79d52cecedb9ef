// Gateway settings from the environment (docs/architecture.md "Configuration"); CLI flags override.
import type { ProtectionOptions } from './http/protection';
import type { ScorerLoad } from './model/scorer';

export interface GatewayConfig {
  port: number;
  host: string;
  corsOrigins: string[];
  introspection: boolean;
  development: boolean;
  statementTimeoutMs: number;
  modelLoadTimeoutMs: number;
  sqlPort: number;
  staticDir: string;
  poolSize: number;
  /** Moods' scans on a worker thread (CINEMAP_SCAN_THREAD, default on). */
  scanThread: boolean;
  /** When a run's ONNX scorer loads: its first predictRating (lazy, default) or with the run (CINEMAP_SCORER_LOAD). */
  scorerLoad: ScorerLoad;
  /** API keys and per-client rate limit for /graphql; both off unless set (docs/deploy.md). */
  protection: ProtectionOptions;
}

function bool(v: string | undefined, fallback: boolean): boolean {
  if (v === undefined || v === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new Error(`Expected true or false, got ${JSON.stringify(v)}`);
}

function int(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number >= 0 (got ${JSON.stringify(v)})`);
  return n;
}

function scorerLoad(v: string | undefined): ScorerLoad {
  if (v === undefined || v === '') return 'lazy';
  if (v === 'lazy' || v === 'eager') return v;
  throw new Error(
    `CINEMAP_SCORER_LOAD must be lazy (load the ONNX scorer at the first predictRating) or eager (with the run) (got ${JSON.stringify(v)})`,
  );
}

function num(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number >= 0 (got ${JSON.stringify(v)})`);
  return n;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return {
    port: int('PORT', env.PORT, 4000),
    host: env.HOST || '0.0.0.0',
    corsOrigins: (env.CINEMAP_CORS_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    introspection: bool(env.CINEMAP_INTROSPECTION, env.NODE_ENV !== 'production'),
    development: env.NODE_ENV === 'development',
    statementTimeoutMs: int('CINEMAP_STATEMENT_TIMEOUT_MS', env.CINEMAP_STATEMENT_TIMEOUT_MS, 5000),
    modelLoadTimeoutMs: int('CINEMAP_MODEL_LOAD_TIMEOUT_MS', env.CINEMAP_MODEL_LOAD_TIMEOUT_MS, 300_000),
    sqlPort: int('CINEMAP_SQL_PORT', env.CINEMAP_SQL_PORT, 5433),
    staticDir: env.CINEMAP_STATIC_DIR || 'dist/apps/explorer',
    poolSize: int('CINEMAP_DB_POOL', env.CINEMAP_DB_POOL, 10),
    scanThread: bool(env.CINEMAP_SCAN_THREAD, true),
    scorerLoad: scorerLoad(env.CINEMAP_SCORER_LOAD),
    protection: {
      apiKeyHashes: env.CINEMAP_API_KEY_HASHES ?? '',
      rateLimitRps: num('CINEMAP_RATE_LIMIT_RPS', env.CINEMAP_RATE_LIMIT_RPS, 0),
      rateLimitBurst: int('CINEMAP_RATE_LIMIT_BURST', env.CINEMAP_RATE_LIMIT_BURST, 0),
      trustedProxyHops: int('CINEMAP_TRUSTED_PROXY_HOPS', env.CINEMAP_TRUSTED_PROXY_HOPS, 0),
    },
  };
}
