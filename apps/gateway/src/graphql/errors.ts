// The errors a client can act on, each with a stable extensions.code.
import { GraphQLError } from 'graphql';

export function badUserInput(message: string, argumentName?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(argumentName ? { argumentName } : {}) } });
}

export function movieNotFound(title: string, suggestions: string[], argumentName = 'title'): GraphQLError {
  const hint = suggestions.length ? `; did you mean ${suggestions.map((s) => JSON.stringify(s)).join(', ')}?` : '; try searchMovies to find the exact title';
  return new GraphQLError(`Movie ${JSON.stringify(title)} not found${hint}`, {
    extensions: { code: 'MOVIE_NOT_FOUND', argumentName, title, suggestions },
  });
}

export function movieNotInModel(title: string, runId: number, argumentName = 'title'): GraphQLError {
  return new GraphQLError(
    `Movie ${JSON.stringify(title)} is in the catalogue but not in the active model (run ${runId}): it had too few ratings to be trained on. Pick another title.`,
    { extensions: { code: 'MOVIE_NOT_IN_MODEL', argumentName, title, runId } },
  );
}

export function noActiveModel(): GraphQLError {
  return new GraphQLError('No model run is active yet: train one (npm run train) and the gateway picks it up without a restart.', {
    extensions: { code: 'NO_ACTIVE_MODEL' },
  });
}
