// Small pieces every route of the gateway's HTTP server uses: reading a body with a
// size limit, sending JSON, the media type of a request, the decoded path (a URL that
// does not decode is the client's mistake, never a 500), a timeout around a promise.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The media type of a Content-Type header without its parameters, lower case ('' when absent). */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

/** The percent-decoded path, or null when it does not decode (bad %XX, invalid UTF-8) or holds NUL. */
export function decodeUrlPath(raw: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return null;
  }
  return path.includes('\0') ? null : path;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, route: string): string {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
  return route;
}

export function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => ok(over ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), ok(v)),
      (e) => (clearTimeout(t), fail(e)),
    );
  });
}

/** Whole responses ended in this turn of the event loop, written together at its end. */
let pending: [ServerResponse, string][] = [];

function endPending(): void {
  const batch = pending;
  pending = [];
  // A client that went away meanwhile, or a response something else ended: nothing to write.
  for (const [res, text] of batch) if (!res.writableEnded && !res.destroyed) res.end(text);
}

/**
 * Ends `res` with `text` (status and headers already set) at the end of this turn of the
 * event loop, together with every other response ended so in it: the answers to the
 * requests read in one turn leave in one burst of writes instead of one write between each
 * request's work. On loopback with 64 connections that raised the gateway's distinct-title
 * throughput by about 40% (and took a bare endpoint's cost of a write from ~27 to ~8 µs:
 * docs/BENCHMARKS.md, issue 19's thirteenth round); a lone request waits one setImmediate.
 * For hot answers only (replays, direct answers, Apollo's complete bodies): everything else
 * ends at once.
 */
export function endTogether(res: ServerResponse, text: string): void {
  if (pending.push([res, text]) === 1) setImmediate(endPending);
}
