// movieMatchesFilter over a whole catalogue, fast: the fields a MovieFilter reads, held
// as typed columns by row (genres as one bit each), so checking a row against a filter
// is a few integer and float comparisons instead of array searches and an object per
// check. The gateway checks every row of a scan this way (86k films); the answer is
// movieMatchesFilter's, row for row — its spec checks the two against each other.
import type { Movie } from './movie';
import type { MovieFilter } from './movie-filter';

/** A movie as the filter columns read it (averageRating as the caller compares it, e.g. float32). */
export type FilterableMovie = Pick<Movie, 'genres' | 'year' | 'ratingCount' | 'averageRating'>;

export class FilterColumns {
  /** Genre name → its bit: word `bit >> 5`, mask `1 << (bit & 31)`. */
  private readonly bitOf = new Map<string, number>();
  /** Words of genre bits per row (one for up to 32 distinct genres). */
  private readonly words: number;
  private readonly genreBits: Uint32Array;
  /** NaN: the movie has no year. */
  private readonly year: Float64Array;
  private readonly ratingCount: Float64Array;
  private readonly averageRating: Float64Array;

  /** `averageRating[row]`, when given, stands for each movie's averageRating (e.g. the float32 a caller compares). */
  constructor(movies: readonly FilterableMovie[], averageRating?: ArrayLike<number>) {
    for (const m of movies) for (const g of m.genres) if (!this.bitOf.has(g)) this.bitOf.set(g, this.bitOf.size);
    this.words = Math.max(1, Math.ceil(this.bitOf.size / 32));
    const n = movies.length;
    this.genreBits = new Uint32Array(n * this.words);
    this.year = new Float64Array(n);
    this.ratingCount = new Float64Array(n);
    this.averageRating = new Float64Array(n);
    movies.forEach((m, r) => {
      for (const g of m.genres) {
        const b = this.bitOf.get(g)!;
        this.genreBits[r * this.words + (b >> 5)] |= 1 << (b & 31);
      }
      this.year[r] = m.year === null ? Number.NaN : m.year;
      this.ratingCount[r] = m.ratingCount;
      this.averageRating[r] = averageRating ? averageRating[r] : m.averageRating;
    });
  }

  get size(): number {
    return this.year.length;
  }

  /** The bit mask of `genres` (names no movie has set no bit), or null for an absent list. */
  private mask(genres: readonly string[] | null | undefined): Uint32Array | null {
    if (!genres) return null;
    const m = new Uint32Array(this.words);
    for (const g of genres) {
      const b = this.bitOf.get(g);
      if (b !== undefined) m[b >> 5] |= 1 << (b & 31);
    }
    return m;
  }

  /** `movieMatchesFilter(movies[row], filter)` as a predicate over rows (the filter as given: add a floor first if one applies). */
  predicate(filter: MovieFilter | null | undefined): (row: number) => boolean {
    if (!filter) return () => true;
    const { yearFrom, yearTo, minAverageRating, minRatingCount } = filter;
    // movieMatchesFilter: an empty genres list is no constraint; excludeGenres drops any hit.
    const want = filter.genres && filter.genres.length > 0 ? this.mask(filter.genres) : null;
    const avoid = this.mask(filter.excludeGenres);
    const words = this.words,
      bits = this.genreBits,
      year = this.year,
      count = this.ratingCount,
      avg = this.averageRating;
    const from = yearFrom ?? null,
      to = yearTo ?? null,
      minAvg = minAverageRating ?? null,
      minCount = minRatingCount ?? null;
    const anyOf = (r: number, m: Uint32Array): boolean => {
      for (let w = 0, o = r * words; w < words; w++) if ((bits[o + w] & m[w]) !== 0) return true;
      return false;
    };
    return (r) => {
      if (want !== null && !anyOf(r, want)) return false;
      if (avoid !== null && anyOf(r, avoid)) return false;
      const y = year[r];
      if (from !== null && (y !== y || y < from)) return false;
      if (to !== null && (y !== y || y > to)) return false;
      if (minAvg !== null && avg[r] < minAvg) return false;
      if (minCount !== null && count[r] < minCount) return false;
      return true;
    };
  }

  /** The rows that pass `filter`, ascending. */
  passingRows(filter: MovieFilter | null | undefined): Int32Array {
    const passes = this.predicate(filter);
    const out = new Int32Array(this.size);
    let n = 0;
    for (let r = 0; r < out.length; r++) if (passes(r)) out[n++] = r;
    return out.slice(0, n);
  }
}
