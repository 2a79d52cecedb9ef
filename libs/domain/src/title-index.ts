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
  /**
   * key → the movies it names, in preference order, as entry numbers: one number for a key
   * of one movie (nearly all), else an array (an array per key cost ~200 bytes a film).
   */
  private readonly byKey = new Map<string, number | number[]>();
  /** By entry number: movie id, year (NO_YEAR: none), rating count. */
  private ids: Float64Array = new Float64Array(64);
  private years: Float64Array = new Float64Array(64);
  private counts: Float64Array = new Float64Array(64);
  private entries = 0;
  private longest = 0;

  /** `entries` in any order: the index ranks them (most-rated first, then lowest id); `add` takes more. */
  constructor(entries: readonly TitleIndexEntry[] = []) {
    for (const e of entries) this.add(e);
  }

  /** The longest catalogue title (characters): typed titles this long are accepted, so any title returned can be typed back. */
  get longestTitle(): number {
    return this.longest;
  }

  /** Adds one movie (in any order: each key keeps its movies ranked, as if all had been given at once). */
  add(e: TitleIndexEntry): void {
    if (e.titleLength > this.longest) this.longest = e.titleLength;
    const x = this.entries++;
    if (x === this.ids.length) {
      this.ids = grow(this.ids);
      this.years = grow(this.years);
      this.counts = grow(this.counts);
    }
    this.ids[x] = e.movieId;
    this.years[x] = e.year ?? NO_YEAR;
    this.counts[x] = e.ratingCount;
    for (const key of e.titleKeys) {
      if (!key) continue;
      const at = this.byKey.get(key);
      if (at === undefined) this.byKey.set(key, x);
      // A movie listing one key twice must not appear twice.
      else if (typeof at === 'number') {
        if (at !== x) this.byKey.set(key, this.before(x, at) ? [x, at] : [at, x]);
      } else if (!at.includes(x)) {
        let i = at.length;
        while (i > 0 && this.before(x, at[i - 1])) i--;
        at.splice(i, 0, x);
      }
    }
  }

  /** Whether entry a ranks before entry b: more ratings, then the lower id (equal: the one added first). */
  private before(a: number, b: number): boolean {
    const ca = this.counts[a],
      cb = this.counts[b];
    return ca > cb || (ca === cb && this.ids[a] < this.ids[b]);
  }

  /** The movie id `title` means, or null (no key matches, or none of that year). */
  resolve(title: string): number | null {
    const { key, year } = parseTitleQuery(title);
    if (key === '') return null;
    const at = this.byKey.get(key);
    if (at === undefined) return null;
    if (typeof at === 'number') return year === null || this.years[at] === year ? this.ids[at] : null;
    if (year === null) return this.ids[at[0]];
    for (const x of at) if (this.years[x] === year) return this.ids[x];
    return null;
  }
}

function grow(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}
