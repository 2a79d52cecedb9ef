// A per-client rate limit for /graphql: one token bucket per client (an API key's
// client name, else the client's address), refilled at `rate` tokens per second up
// to `burst`. In memory, per gateway process: with N replicas a client gets up to N
// times the rate (docs/deploy.md says how to size it). The number of buckets is
// bounded: the least recently seen client is forgotten first, which at worst hands a
// forgotten client a fresh burst.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export interface RateLimitOptions {
  /** tokens per second (> 0) */
  rate: number;
  /** bucket size: requests a quiet client may send at once (>= 1) */
  burst: number;
  /** most clients remembered at once */
  maxClients?: number;
  /** clock in milliseconds (tests) */
  now?: () => number;
}

export type Decision = { ok: true } | { ok: false; retryAfterSeconds: number };

export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
  private readonly maxClients: number;
  private readonly now: () => number;

  constructor(private opts: RateLimitOptions) {
    if (!(opts.rate > 0) || !Number.isFinite(opts.rate)) throw new Error(`rate limit: rate must be a number > 0 (got ${opts.rate})`);
    if (!(opts.burst >= 1) || !Number.isFinite(opts.burst)) throw new Error(`rate limit: burst must be >= 1 (got ${opts.burst})`);
    this.maxClients = opts.maxClients ?? 10_000;
    this.now = opts.now ?? (() => performance.now());
  }

  get clients(): number {
    return this.buckets.size;
  }

  /** Takes one token for `client`, or says when the next one is due. */
  take(client: string): Decision {
    const t = this.now();
    let b = this.buckets.get(client);
    if (b) {
      this.buckets.delete(client); // re-inserted below: Map order is recency order
      b.tokens = Math.min(this.opts.burst, b.tokens + ((t - b.at) / 1000) * this.opts.rate);
      b.at = t;
    } else {
      b = { tokens: this.opts.burst, at: t };
      while (this.buckets.size >= this.maxClients) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(client, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.opts.rate)) };
  }
}

/**
 * The client's address. With `trustedHops` proxies in front (an ingress controller is
 * one), each appending the address it saw to X-Forwarded-For, the client is the entry
 * `trustedHops` places from the right; entries further left were written by the client
 * and are not trusted. With 0, or when the header is shorter, the socket's address.
 */
export function clientAddress(req: IncomingMessage, trustedHops: number): string {
  const socket = req.socket.remoteAddress ?? 'unknown';
  if (trustedHops <= 0) return socket;
  const header = req.headers['x-forwarded-for'];
  const list = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const entry = list[list.length - trustedHops];
  if (!entry) return socket;
  const bare = entry.replace(/^\[([^\]]+)\](?::\d+)?$/, '$1').replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, '$1');
  return isIP(bare) ? bare : socket;
}
