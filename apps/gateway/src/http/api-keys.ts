// Optional API keys for /graphql (docs/deploy.md "Protecting a public API"). The
// gateway never sees the keys themselves at rest: it is given SHA-256 hashes, one per
// client (CINEMAP_API_KEY_HASHES, from a Secret), and hashes what a request presents.
// A plain SHA-256 is enough because keys are long random tokens (32 bytes from a
// CSPRNG), not passwords a person chose: there is nothing to brute-force from a hash.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const CLIENT = /^[A-Za-z0-9._-]{1,64}$/;
const HEX = /^[0-9a-f]{64}$/;

/** The hex SHA-256 of a key, as CINEMAP_API_KEY_HASHES lists it. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Parses `client:sha256hex` entries separated by commas, spaces or newlines (a Secret
 * value may hold one per line). Throws, naming the variable and the entry, on anything
 * else: a raw key pasted instead of its hash, a short hash, a duplicate.
 */
export function parseApiKeyHashes(spec: string, source = 'CINEMAP_API_KEY_HASHES'): Map<string, string> {
  const byHash = new Map<string, string>();
  const clients = new Set<string>();
  const entries = spec.split(/[\s,]+/).filter(Boolean);
  entries.forEach((entry, i) => {
    const where = `${source} entry ${i + 1} (${JSON.stringify(entry.length > 20 ? `${entry.slice(0, 12)}…` : entry)})`;
    const colon = entry.indexOf(':');
    if (colon < 0) throw new Error(`${where}: expected <client>:<sha256 hex of the key>; make the hash with: printf %s "$KEY" | sha256sum`);
    const client = entry.slice(0, colon);
    const hash = entry.slice(colon + 1).toLowerCase();
    if (!CLIENT.test(client)) throw new Error(`${where}: the client name must be 1-64 of A-Z a-z 0-9 . _ -`);
    if (!HEX.test(hash))
      throw new Error(`${where}: "${client}" needs the 64-hex-digit SHA-256 of its key, not the key itself (printf %s "$KEY" | sha256sum)`);
    if (clients.has(client)) throw new Error(`${where}: client "${client}" is listed twice`);
    if (byHash.has(hash)) throw new Error(`${where}: the same key hash is given to "${byHash.get(hash)}" and "${client}"`);
    clients.add(client);
    byHash.set(hash, client);
  });
  if (!byHash.size) throw new Error(`${source} is set but lists no key`);
  return byHash;
}

/** The key a request presents: `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function presentedKey(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const x = req.headers['x-api-key'];
  return typeof x === 'string' && x.trim() ? x.trim() : null;
}

export type Identity = { client: string } | { client: null; reason: 'missing' | 'invalid' };

export class ApiKeys {
  constructor(private byHash: Map<string, string>) {}

  get size(): number {
    return this.byHash.size;
  }

  /** The client a request's key belongs to, or why there is none. */
  identify(req: IncomingMessage): Identity {
    const key = presentedKey(req);
    if (key === null) return { client: null, reason: 'missing' };
    // A Map lookup on the digest: timing reveals at most a hash prefix, never the key.
    const client = this.byHash.get(hashApiKey(key));
    return client ? { client } : { client: null, reason: 'invalid' };
  }
}
