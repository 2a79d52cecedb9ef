// Films by title, as the server knows them: for a shared URL's mood and ratings, and to
// keep only the "did you mean" suggestions the model can answer for.
import { graphql } from './client';
import { MOVIE_QUERY } from './queries';
import type { Movie } from './types';

/** Each title's film (null when the server does not know it or cannot be asked), in order. */
export async function moviesNamed(titles: string[], signal?: AbortSignal): Promise<(Movie | null)[]> {
  return Promise.all(
    titles.map((title) =>
      graphql<{ movie: Movie | null }>(MOVIE_QUERY, { title }, { signal }).then(
        (d) => d.movie,
        () => null,
      ),
    ),
  );
}
