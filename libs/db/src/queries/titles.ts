// Title resolution in SQL: the catalogue's title keys the domain's TitleIndex is built
// from, and the analysts' resolve_title() / title_suggestions() (migration 300, its SQL
// twin, tested equal in ./titles.spec.ts) for the gateway's fallbacks. Called
// schema-qualified (cinemap.*): the answer never depends on a session's search_path.
import type { TitleIndexEntry } from '@cinemap/domain';
import { forEachKeyPage, type Queryable } from '../db';

/**
 * Every movie's title keys in the run's catalogue: what the domain's TitleIndex (the
 * gateway's title resolution, whose twin is SQL resolve_title()) is built from.
 */
export async function loadTitleKeys(q: Queryable, runId: number): Promise<TitleIndexEntry[]> {
  return q.query<TitleIndexEntry>(
    `SELECT movie_id AS "movieId", year, rating_count AS "ratingCount", title_keys AS "titleKeys", char_length(title) AS "titleLength" FROM run_movies WHERE run_id = $1`,
    [runId],
  );
}

/**
 * `loadTitleKeys` a page at a time, in movie id order (the index ranks entries itself):
 * `visit` gets each movie's entry; returns how many it visited. What a load leaves to the
 * garbage collector is one page of `pageSize` entries.
 */
export async function forEachTitleKeys(
  q: Queryable,
  runId: number,
  visit: (entry: TitleIndexEntry) => void,
  pageSize = 10000,
): Promise<number> {
  return forEachKeyPage(
    pageSize,
    (after) =>
      q.query<TitleIndexEntry>(
        `SELECT movie_id AS "movieId", year, rating_count AS "ratingCount", title_keys AS "titleKeys", char_length(title) AS "titleLength"
         FROM run_movies WHERE run_id = $1 AND movie_id > $2 ORDER BY movie_id LIMIT $3`,
        [runId, after, pageSize],
      ),
    (r) => r.movieId,
    visit,
  );
}

/**
 * resolve_title(): the movie id a typed title means, or null, in the catalogue of
 * `runId`; without one, in the active run's (as analysts' resolve_title() does).
 */
export async function resolveTitle(q: Queryable, title: string, runId?: number | null): Promise<number | null> {
  const rows =
    runId === undefined
      ? await q.query<{ id: number | null }>('SELECT cinemap.resolve_title($1) AS id', [title])
      : await q.query<{ id: number | null }>('SELECT cinemap.resolve_title_in($1, $2) AS id', [title, runId]);
  return rows[0]?.id ?? null;
}

/** Up to `n` "did you mean" titles for a title that resolved to nothing (catalogue as resolveTitle). */
export async function titleSuggestions(
  q: Queryable,
  title: string,
  n = 5,
  runId?: number | null,
): Promise<{ movieId: number; title: string; similarity: number }[]> {
  if (runId === undefined)
    return q.query(`SELECT movie_id AS "movieId", title, similarity FROM cinemap.title_suggestions($1, $2)`, [title, n]);
  return q.query(`SELECT movie_id AS "movieId", title, similarity FROM cinemap.title_suggestions_in($1, $2, $3)`, [title, n, runId]);
}
