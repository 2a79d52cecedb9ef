// The /graphql route: CORS (opt-in per origin), the request body (size-limited), the
// replay of whole neighbour-query responses for the same run snapshot, and Apollo's
// framework-neutral execution. Every protection runs before a replay: the size limit,
// CSRF (only an application/json POST can be replayed: never a "simple" request) and
// the token, depth and cost limits (only bodies that once passed them and executed
// without error are stored; the key is the whole body, variables included).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { Logger } from 'pino';
import type { Db } from '@cinemap/db';
import { createContext, type GatewayContext } from '../graphql/context';
import type { ModelStore } from '../model/model-store';
import type { ModelSnapshot } from '../model/snapshot';
import type { GatewayMetrics } from './metrics';
import { endTogether, mediaType, readBody, sendJson } from './responses';
import type { DirectAnswers } from './direct-answers';

const REPLAY_MAX_BODY = 4096;

export interface GraphqlRouteOptions {
  apollo: ApolloServer<GatewayContext>;
  db: Db;
  store: ModelStore;
  log: Logger;
  metrics: GatewayMetrics;
  /** Origins allowed to call from a browser; '*' allows any. */
  cors: ReadonlySet<string>;
  maxBodyBytes: number;
  /** API keys and rate limit (protection.ts): false means it has answered (401/429). Null: off. */
  guard: ((req: IncomingMessage, res: ServerResponse) => boolean) | null;
  /** Neighbour queries answered without Apollo's pipeline (./direct-answers.ts); null: off. */
  direct: DirectAnswers | null;
}

/** A POST body as read: parsed (JSON) or raw text, and the replay cache it may be stored in. */
interface PostBody {
  body: unknown;
  raw: string;
  replayCache: ModelSnapshot['responseCache'] | null;
  /** Parsed from an application/json body. */
  json?: boolean;
}

/** The route handler: answers the request and resolves to its metrics route label. */
export function graphqlRoute(
  opts: GraphqlRouteOptions,
): (req: IncomingMessage, res: ServerResponse, requestId: string, search: string) => Promise<string> {
  return async (req, res, requestId, search) => {
    allowOrigin(req, res, opts.cors);
    if (req.method === 'OPTIONS') return preflight(res);
    if (opts.guard && !opts.guard(req, res)) return 'graphql';
    const snapshot = opts.store.current;
    let post: PostBody = { body: undefined, raw: '', replayCache: null };
    let ctxValue: GatewayContext | undefined;
    const context = () => (ctxValue ??= createContext(opts.db, opts.store, opts.log, requestId));
    if (req.method === 'POST') {
      const read = await readPost(req, res, snapshot, opts);
      if (typeof read === 'string') return read;
      post = read;
      if (opts.direct && snapshot && read.json) {
        const answered = await opts.direct.answer(req, res, read.body, context);
        if (answered) {
          if (post.replayCache && ctxValue?.snapshot === snapshot) post.replayCache.set(post.raw, answered);
          return 'graphql';
        }
      }
    }
    await execute(req, res, search, snapshot, post, opts, context);
    return 'graphql';
  };
}

function allowOrigin(req: IncomingMessage, res: ServerResponse, cors: ReadonlySet<string>): void {
  const origin = req.headers.origin;
  if (origin && (cors.has('*') || cors.has(origin))) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
  }
}

function preflight(res: ServerResponse): string {
  if (res.hasHeader('Access-Control-Allow-Origin')) {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'content-type, apollo-require-preflight, x-apollo-operation-name, x-request-id');
    res.setHeader('Access-Control-Max-Age', '600');
  }
  res.statusCode = 204;
  res.end();
  return 'graphql';
}

/**
 * Reads a POST body. Answers at once (resolving to the route label) when it is too
 * large, not JSON though it says so, or a replay hit; otherwise the body to execute.
 */
async function readPost(
  req: IncomingMessage,
  res: ServerResponse,
  snapshot: ModelSnapshot | null,
  opts: GraphqlRouteOptions,
): Promise<PostBody | string> {
  // The media type proper (parameters dropped), as Apollo's CSRF check reads it: a
  // "simple" request (text/plain; charset=application/json …) is never JSON here, so it
  // cannot reach the response cache and Apollo refuses it.
  const json = mediaType(req.headers['content-type']) === 'application/json';
  const raw = await readBody(req, opts.maxBodyBytes);
  if (raw === null)
    return sendJson(
      res,
      413,
      { errors: [{ message: `Request body over ${opts.maxBodyBytes} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] },
      'graphql',
    );
  let replayCache: PostBody['replayCache'] = null;
  if (json && snapshot && raw.length <= REPLAY_MAX_BODY) {
    replayCache = snapshot.responseCache;
    const hit = replayCache.get(raw);
    if (hit) {
      const t0 = performance.now();
      res.writeHead(200, { 'content-type': hit.contentType, 'content-length': Buffer.byteLength(hit.text) });
      endTogether(res, hit.text);
      opts.metrics.observeOperation(hit.operation, (performance.now() - t0) / 1e3);
      return 'graphql';
    }
  }
  if (!json) return { body: raw, raw, replayCache };
  let body: unknown;
  try {
    body = raw.length ? JSON.parse(raw) : undefined;
  } catch {
    return sendJson(res, 400, { errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] }, 'graphql');
  }
  return { body, raw, json: true, replayCache: typeof body !== 'object' || body === null ? null : replayCache };
}

/**
 * Executes through Apollo with the request's context, stores a replayable answer for this
 * snapshot, teaches the direct answers a document a plan answered, and writes the response.
 */
async function execute(
  req: IncomingMessage,
  res: ServerResponse,
  search: string,
  snapshot: ModelSnapshot | null,
  post: PostBody,
  opts: GraphqlRouteOptions,
  context: () => GatewayContext,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  let ctxValue: GatewayContext | undefined;
  const result = await opts.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'GET', headers, search, body: post.body },
    context: async () => (ctxValue = context()),
  });
  const ok =
    ctxValue?.replay.operation && ctxValue.snapshot === snapshot && result.body.kind === 'complete' && (result.status ?? 200) === 200;
  if (ok && post.replayCache && result.body.kind === 'complete') {
    post.replayCache.set(post.raw, {
      text: result.body.string,
      contentType: result.headers.get('content-type') ?? 'application/json; charset=utf-8',
      operation: ctxValue!.replay.operation!,
    });
  }
  const planned = ctxValue?.replay.planned;
  if (ok && planned && opts.direct && post.json) opts.direct.learn(post.body, { ...planned, label: ctxValue!.replay.operation! });
  for (const [k, v] of result.headers) res.setHeader(k, v);
  res.statusCode = result.status ?? 200;
  if (result.body.kind === 'complete') endTogether(res, result.body.string);
  else {
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }
}
