// API protection for a public /graphql, off unless configured (config.ts): API keys
// (api-keys.ts) and a per-client rate limit (rate-limit.ts), combined into one guard
// the HTTP server calls where a /graphql request enters, after CORS preflights. The
// guard answers 429 or 401 itself (GraphQL-shaped JSON errors, RATE_LIMITED /
// UNAUTHENTICATED) and returns false; otherwise it returns true and the request goes on.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiKeys, parseApiKeyHashes } from './api-keys';
import { RateLimiter, clientAddress } from './rate-limit';

export interface ProtectionOptions {
  /** `client:sha256hex` entries (CINEMAP_API_KEY_HASHES); empty or unset: no keys needed */
  apiKeyHashes?: string;
  /** requests per second per client (CINEMAP_RATE_LIMIT_RPS); 0 or unset: no limit */
  rateLimitRps?: number;
  /** bucket size (CINEMAP_RATE_LIMIT_BURST); default twice the rate, at least 1 */
  rateLimitBurst?: number;
  /** proxies in front that append to X-Forwarded-For (CINEMAP_TRUSTED_PROXY_HOPS); default 0 */
  trustedProxyHops?: number;
}

export type RequestGuard = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The guard for these options, or null when both protections are off (no per-request cost). */
export function createRequestGuard(opts: ProtectionOptions | undefined): RequestGuard | null {
  const keys = opts?.apiKeyHashes?.trim() ? new ApiKeys(parseApiKeyHashes(opts.apiKeyHashes)) : null;
  const rps = opts?.rateLimitRps ?? 0;
  const limiter = rps > 0 ? new RateLimiter({ rate: rps, burst: opts?.rateLimitBurst || Math.max(1, Math.ceil(2 * rps)) }) : null;
  if (!keys && !limiter) return null;
  const hops = opts?.trustedProxyHops ?? 0;
  return (req, res) => {
    const id = keys?.identify(req);
    // Keyed clients are limited by key; everyone else (including bad keys) by address,
    // so a flood of wrong keys is throttled before it is refused.
    if (limiter) {
      const d = limiter.take(id?.client ? `key:${id.client}` : `ip:${clientAddress(req, hops)}`);
      if (!d.ok) {
        res.setHeader('Retry-After', String(d.retryAfterSeconds));
        send(res, 429, 'RATE_LIMITED', `Too many requests from this client; retry in ${d.retryAfterSeconds} s.`);
        return false;
      }
    }
    if (id && id.client === null) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="cinemap"');
      send(
        res,
        401,
        'UNAUTHENTICATED',
        id.reason === 'missing'
          ? 'This API needs a key: send it as "Authorization: Bearer <key>" (or "X-API-Key: <key>").'
          : 'The API key is not valid.',
      );
      return false;
    }
    return true;
  };
}

function send(res: ServerResponse, status: number, code: string, message: string): void {
  const text = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
