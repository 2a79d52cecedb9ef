// What the page says when an answer cannot be shown, in a film fan's words: no error
// codes, run numbers or model jargon (the server's own message goes to the console for
// developers). Pure; see messages.spec.ts.

export interface FanMessage {
  heading: string;
  text: string;
}

/**
 * The message for an API error code (ApiError.code) about `film` (the film asked about,
 * when there is one). MOVIE_NOT_FOUND is not here: it gets its suggestions (notFoundMessage).
 */
export function fanMessage(code: string, film?: string, excludedBy?: unknown): FanMessage {
  const it = film ? `“${film}”` : 'this film';
  switch (code) {
    case 'MOVIE_NOT_IN_MODEL':
      return {
        heading: 'No recommendations for this film yet',
        text:
          excludedBy === 'MIN_AVG_RATING'
            ? `cinemap learned only from films people rate well, and ${it} is not one of them, so it cannot say which films are like it. Try another film.`
            : `Not enough people have rated ${it} for cinemap to know which films are like it. Try another film.`,
      };
    case 'NO_ACTIVE_MODEL':
      return { heading: 'cinemap is still learning', text: 'The recommendations are not ready yet. Try again in a few minutes.' };
    case 'RATE_LIMITED':
      return { heading: 'One moment', text: 'Many requests came in at once. Wait a few seconds and try again.' };
    case 'NETWORK':
      return { heading: 'cinemap cannot be reached', text: 'Check your connection, then try again.' };
    case 'BAD_USER_INPUT':
      return { heading: 'These settings cannot be used', text: 'Change the filters or the number of films and try again.' };
    case 'DATABASE_TIMEOUT':
    case 'DATABASE_UNAVAILABLE':
      return { heading: 'cinemap is busy', text: 'The answer took too long. Try again in a moment.' };
    default:
      return { heading: 'Sorry, that did not work', text: 'cinemap could not answer just now. Try again in a moment.' };
  }
}

/** The message for a panel (map, lists, model card) that could not be loaded; same rules, shorter. */
export function panelFailed(what: string, code: string): string {
  if (code === 'NETWORK') return `${what} could not be loaded: cinemap cannot be reached.`;
  if (code === 'NO_ACTIVE_MODEL') return `${what} will appear once cinemap has finished learning.`;
  return `${what} could not be loaded. Reload the page to try again.`;
}
