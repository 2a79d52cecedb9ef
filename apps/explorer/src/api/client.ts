// The explorer's only door to the server: POST /graphql with JSON (Apollo's CSRF
// prevention accepts application/json), errors turned into ApiError values the page
// can show as a person would want them ("No film called 'Matrx' — did you mean …").

/** One entry of a GraphQL response's `errors`. */
export interface GraphQLErrorEntry {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; suggestions?: unknown; [k: string]: unknown };
}

export class ApiError extends Error {
  constructor(
    message: string,
    /** GraphQL `extensions.code` (MOVIE_NOT_FOUND, BAD_USER_INPUT, …), or NETWORK / HTTP_<status>. */
    readonly code: string,
    /** For MOVIE_NOT_FOUND: titles the server suggests instead (at most 5). */
    readonly suggestions: string[] = [],
    /** The error's other `extensions` (e.g. MOVIE_NOT_IN_MODEL's `excludedBy`). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * Titles from `extensions.suggestions`, whatever their form: plain titles or objects
 * carrying a `title` (a server may send movies). Anything else is ignored.
 */
export function parseSuggestions(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  const out: string[] = [];
  for (const s of raw) {
    const t =
      typeof s === 'string'
        ? s
        : s && typeof s === 'object' && typeof (s as { title?: unknown }).title === 'string'
          ? (s as { title: string }).title
          : null;
    if (t && !out.includes(t)) out.push(t);
  }
  return out.slice(0, 5);
}

/** The error to show for a response's `errors`: a MOVIE_NOT_FOUND first (it is the one a person can fix), else the first. */
export function toApiError(errors: GraphQLErrorEntry[]): ApiError {
  const e = errors.find((x) => x.extensions?.code === 'MOVIE_NOT_FOUND') ?? errors[0];
  const code = typeof e?.extensions?.code === 'string' ? e.extensions.code : 'GRAPHQL_ERROR';
  return new ApiError(
    e?.message ?? 'The server answered with an error',
    code,
    parseSuggestions(e?.extensions?.suggestions),
    e?.extensions ?? {},
  );
}

export interface RequestOptions {
  signal?: AbortSignal;
  endpoint?: string;
  fetchImpl?: typeof fetch;
}

/** Runs one GraphQL operation; resolves with `data`, rejects with ApiError (or AbortError when aborted). */
export async function graphql<T>(query: string, variables: Record<string, unknown> = {}, opts: RequestOptions = {}): Promise<T> {
  const f = opts.fetchImpl ?? fetch;
  let res: Response;
  try {
    res = await f(opts.endpoint ?? '/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
      signal: opts.signal,
    });
  } catch (err) {
    if ((err as Error)?.name === 'AbortError') throw err;
    throw new ApiError(`Cannot reach the cinemap server (${(err as Error)?.message ?? err}). Is the gateway running?`, 'NETWORK');
  }
  let body: { data?: T | null; errors?: GraphQLErrorEntry[] } | undefined;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  // Apollo answers some errors (validation, bad input) with 4xx and a JSON body: read it first.
  if (body?.errors && body.errors.length > 0) throw toApiError(body.errors);
  if (!res.ok || !body || body.data === undefined || body.data === null) {
    throw new ApiError(`The cinemap server answered HTTP ${res.status} ${res.statusText}`.trim(), `HTTP_${res.status}`);
  }
  return body.data;
}
