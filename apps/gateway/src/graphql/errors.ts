// The errors a client can act on, each with a stable extensions.code.
import { GraphQLError } from 'graphql';

export function badUserInput(message: string, argumentName?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(argumentName ? { argumentName } : {}) } });
}

/** `lookupLimit`: set when no suggestions were looked up because the request used its allowance. */
export function movieNotFound(title: string, suggestions: string[], argumentName = 'title', lookupLimit?: number): GraphQLError {
  const hint = suggestions.length
    ? `; did you mean ${suggestions.map((s) => JSON.stringify(s)).join(', ')}?`
    : lookupLimit !== undefined
      ? `; suggestions are looked up for the first ${lookupLimit} unknown titles of a request only: try searchMovies to find the exact title`
      : '; try searchMovies to find the exact title';
  return new GraphQLError(`Movie ${JSON.stringify(title)} not found${hint}`, {
    extensions: { code: 'MOVIE_NOT_FOUND', argumentName, title, suggestions },
  });
}

/**
 * The movie exists but has no vector in the run; `why` is the domain's sentence for its
 * recorded reason (exclusionSentence), `excludedBy` the reason itself.
 */
export function movieNotInModel(title: string, runId: number, why: string, excludedBy: string, argumentName = 'title'): GraphQLError {
  return new GraphQLError(
    `Movie ${JSON.stringify(title)} is not in the active model (run ${runId}): ${why}. Pick another title (searchMovies(query, inModel: true) lists the ones it can use).`,
    { extensions: { code: 'MOVIE_NOT_IN_MODEL', argumentName, title, runId, excludedBy } },
  );
}

export function noActiveModel(): GraphQLError {
  return new GraphQLError('No model run is active yet: train one (npm run train) and the gateway picks it up without a restart.', {
    extensions: { code: 'NO_ACTIVE_MODEL' },
  });
}

/**
 * The code for a database failure a client should retry, or null: the server went away
 * or refused connections (restart, failover) → DATABASE_UNAVAILABLE; the statement
 * timeout cancelled the query → DATABASE_TIMEOUT. Anything else stays internal.
 */
export function databaseErrorCode(e: unknown): 'DATABASE_UNAVAILABLE' | 'DATABASE_TIMEOUT' | null {
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : '';
  const message = typeof err?.message === 'string' ? err.message : '';
  if (code === '57014') return 'DATABASE_TIMEOUT';
  if (/^(08|57P0[1-3])/.test(code) || /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND)$/.test(code)) return 'DATABASE_UNAVAILABLE';
  if (
    /Connection terminated|connection (is )?closed|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
      message,
    )
  )
    return 'DATABASE_UNAVAILABLE';
  return null;
}
