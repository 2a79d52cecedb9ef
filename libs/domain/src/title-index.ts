// THE title resolution: which movie a typed title means, over a catalogue's title keys
// (stored by ingest with movieKeys()). Exact key match against any of a movie's keys
// (main or alternate title, or a spelling variant), the typed year when one is given,
// the most-rated on ties, then the lowest id. A prefix or a longer title never matches:
// "Mary Poppins" is not "Mary Poppins Returns". Known cost of German "die" being an
// article: "Hard" shares "Die Hard"'s key (the most-rated wins; add the year).
//
// The gateway resolves every typed title with this index (one Map lookup: on embedded
// PGlite a SQL round trip cost more than the 86k-film exact scan). The analysts' SQL
// resolve_title() is its twin (libs/db migration 300: the same key, generated from the
// same fold data, and the same order); libs/db/src/queries/titles.spec.ts checks the two
// answer alike on both backends.
import { parseTitleQuery } from './title-query';

/** What resolution needs to know about a catalogue movie. */
export interface TitleIndexEntry {
  movieId: number;
  year: number | null;
  /** Ratings over the whole dump: the most-rated wins a shared key. */
  ratingCount: number;
  /** movieKeys() of its title. */
  titleKeys: readonly string[];
  /** Length of its title in characters (code points). */
  titleLength: number;
}

/** "Did you mean" (SQL title_suggestions()): pg_trgm similarity at least this (its default similarity_threshold)… */
export const SUGGESTION_MIN_SIMILARITY = 0.3;
/** …and at most this many suggestions in a MOVIE_NOT_FOUND error. */
export const SUGGESTION_LIMIT = 5;

const NO_YEAR = -0x7fffffff;

export class TitleIndex {
  /** key → [movieId, year] pairs in preference order (flat: id0, year0, id1, year1, …). */
  private readonly byKey = new Map<string, number[]>();
  /** The longest catalogue title (characters): typed titles this long are accepted, so any title returned can be typed back. */
  readonly longestTitle: number = 0;

  /** `entries` in any order: the index ranks them (most-rated first, then lowest id). */
  constructor(entries: readonly TitleIndexEntry[]) {
    const ranked = [...entries].sort((a, b) => b.ratingCount - a.ratingCount || a.movieId - b.movieId);
    for (const e of ranked) {
      if (e.titleLength > this.longestTitle) this.longestTitle = e.titleLength;
      for (const key of e.titleKeys) {
        if (!key) continue;
        let list = this.byKey.get(key);
        if (!list) this.byKey.set(key, (list = []));
        // A movie listing one key twice must not appear twice.
        if (list[list.length - 2] !== e.movieId) list.push(e.movieId, e.year ?? NO_YEAR);
      }
    }
  }

  /** The movie id `title` means, or null (no key matches, or none of that year). */
  resolve(title: string): number | null {
    const { key, year } = parseTitleQuery(title);
    if (key === '') return null;
    const list = this.byKey.get(key);
    if (!list) return null;
    if (year === null) return list[0];
    for (let i = 0; i < list.length; i += 2) if (list[i + 1] === year) return list[i];
    return null;
  }
}
