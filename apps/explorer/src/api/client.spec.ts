// The client turns GraphQL answers into data or into ApiError values the page shows.
import { ApiError, graphql, parseSuggestions, toApiError } from './client';

function fakeFetch(status: number, body: unknown): { fetchImpl: typeof fetch; calls: { url: string; init: RequestInit }[] } {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  }) as unknown as typeof fetch;
  return { fetchImpl, calls };
}

describe('graphql()', () => {
  it('POSTs JSON (what Apollo CSRF prevention accepts) and resolves with data', async () => {
    const f = fakeFetch(200, { data: { searchMovies: [] } });
    await expect(graphql('query { x }', { a: 1 }, { fetchImpl: f.fetchImpl })).resolves.toEqual({ searchMovies: [] });
    expect(f.calls[0].url).toBe('/graphql');
    expect(f.calls[0].init.method).toBe('POST');
    expect((f.calls[0].init.headers as Record<string, string>)['content-type']).toBe('application/json');
    expect(JSON.parse(String(f.calls[0].init.body))).toEqual({ query: 'query { x }', variables: { a: 1 } });
  });

  it('turns MOVIE_NOT_FOUND into an ApiError with the suggestions', async () => {
    const f = fakeFetch(200, {
      data: null,
      errors: [
        {
          message: 'Movie "Matrx" not found',
          extensions: { code: 'MOVIE_NOT_FOUND', title: 'Matrx', suggestions: ['Matrix, The (1999)', 'Matrix Reloaded, The (2003)'] },
        },
      ],
    });
    const err = (await graphql('query { x }', {}, { fetchImpl: f.fetchImpl }).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('MOVIE_NOT_FOUND');
    expect(err.suggestions).toEqual(['Matrix, The (1999)', 'Matrix Reloaded, The (2003)']);
  });

  it('reads the errors of a 400 answer (bad input) instead of reporting the status only', async () => {
    const f = fakeFetch(400, { errors: [{ message: 'k must be from 1 to 100', extensions: { code: 'BAD_USER_INPUT' } }] });
    await expect(graphql('q', {}, { fetchImpl: f.fetchImpl })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'k must be from 1 to 100',
    });
  });

  it('says when the server cannot be reached or answers something else than GraphQL', async () => {
    const down = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    await expect(graphql('q', {}, { fetchImpl: down })).rejects.toMatchObject({
      code: 'NETWORK',
      message: expect.stringContaining('Is the gateway running?'),
    });
    await expect(graphql('q', {}, { fetchImpl: fakeFetch(502, '<html>bad gateway</html>').fetchImpl })).rejects.toMatchObject({
      code: 'HTTP_502',
    });
  });
});

describe('suggestions', () => {
  it('accepts titles or movie objects, drops junk and repeats, keeps at most 5', () => {
    expect(parseSuggestions(['A', { title: 'B' }, 3, null, 'A', 'C', 'D', 'E', 'F'])).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(parseSuggestions(undefined)).toEqual([]);
  });

  it('prefers the error a person can fix', () => {
    const e = toApiError([{ message: 'other' }, { message: 'nf', extensions: { code: 'MOVIE_NOT_FOUND', suggestions: ['X'] } }]);
    expect([e.code, e.message, e.suggestions]).toEqual(['MOVIE_NOT_FOUND', 'nf', ['X']]);
  });

  it("keeps the error's other extensions (the reason a film is not in the model)", () => {
    const e = toApiError([{ message: 'm', extensions: { code: 'MOVIE_NOT_IN_MODEL', excludedBy: 'MIN_AVG_RATING' } }]);
    expect(e.details.excludedBy).toBe('MIN_AVG_RATING');
    expect(toApiError([{ message: 'bare' }]).details).toEqual({});
  });
});
