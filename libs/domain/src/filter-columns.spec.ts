// FilterColumns must keep exactly the rows movieMatchesFilter keeps, for any filter.
import { FilterColumns, type FilterableMovie } from './filter-columns';
import { movieMatchesFilter, type MovieFilter } from './movie-filter';

/** A small seeded generator (xorshift) so the spec needs nothing from other libs. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function catalogue(n: number, genreCount: number, next: () => number): FilterableMovie[] {
  const names = Array.from({ length: genreCount }, (_, i) => `G${i}`);
  return Array.from({ length: n }, () => ({
    genres: names.filter(() => next() < 3 / genreCount),
    year: next() < 0.1 ? null : 1900 + Math.floor(next() * 120),
    ratingCount: Math.floor(next() * 40),
    averageRating: Math.fround(0.5 + Math.floor(next() * 10) / 2 + (next() < 0.3 ? next() : 0)),
  }));
}

function randomFilter(genreCount: number, next: () => number): MovieFilter {
  const pick = (): string[] => Array.from({ length: Math.floor(next() * 3) }, () => `G${Math.floor(next() * (genreCount + 2))}`);
  const maybe = <T>(v: () => T): T | null | undefined => (next() < 0.5 ? (next() < 0.5 ? null : undefined) : v());
  return {
    genres: maybe(pick),
    excludeGenres: maybe(pick),
    yearFrom: maybe(() => 1900 + Math.floor(next() * 120)),
    yearTo: maybe(() => 1950 + Math.floor(next() * 80)),
    minAverageRating: maybe(() => Math.fround(next() * 5)),
    minRatingCount: maybe(() => Math.floor(next() * 30)),
  };
}

describe('FilterColumns', () => {
  it.each([5, 20, 32, 33, 70])('keeps the rows movieMatchesFilter keeps, %i genres (one word of bits and several)', (genreCount) => {
    const next = rng(genreCount);
    const movies = catalogue(400, genreCount, next);
    const cols = new FilterColumns(movies);
    for (let t = 0; t < 300; t++) {
      const f = randomFilter(genreCount, next);
      const passes = cols.predicate(f);
      const want = movies.map((m) => movieMatchesFilter(m, f));
      const got = movies.map((_, r) => passes(r));
      if (got.join() !== want.join()) expect({ f, got }).toEqual({ f, got: want });
      expect(Array.from(cols.passingRows(f))).toEqual(want.flatMap((p, r) => (p ? [r] : [])));
    }
  });

  it('reads the edge cases as movieMatchesFilter does', () => {
    const movies: FilterableMovie[] = [
      { genres: ['Drama'], year: null, ratingCount: 10, averageRating: 3.5 },
      { genres: [], year: 1999, ratingCount: 9, averageRating: 4 },
      { genres: ['Drama', 'Comedy'], year: 2000, ratingCount: 10, averageRating: 3.4999 },
    ];
    const cols = new FilterColumns(movies);
    const rows = (f: MovieFilter | null) => Array.from(cols.passingRows(f));
    expect(rows(null)).toEqual([0, 1, 2]);
    expect(rows({ genres: [] })).toEqual([0, 1, 2]); // an empty list is no constraint
    expect(rows({ genres: ['Horror'] })).toEqual([]); // a genre no film has keeps nothing
    expect(rows({ excludeGenres: ['Comedy'] })).toEqual([0, 1]);
    expect(rows({ yearFrom: 1990 })).toEqual([1, 2]); // no year fails any year bound
    expect(rows({ yearTo: 1999 })).toEqual([1]);
    expect(rows({ minAverageRating: 3.5 })).toEqual([0, 1]);
    expect(rows({ minRatingCount: 10 })).toEqual([0, 2]);
    expect(new FilterColumns([]).passingRows({ genres: ['Drama'] }).length).toBe(0);
  });

  it("compares the averages given by row, when given, instead of the movies' own", () => {
    const next = rng(7);
    const movies = catalogue(300, 12, next);
    const averages = movies.map(() => Math.fround(0.5 + next() * 4.5));
    const cols = new FilterColumns(movies, Float32Array.from(averages));
    const same = new FilterColumns(movies.map((m, r) => ({ ...m, averageRating: averages[r] })));
    for (let t = 0; t < 100; t++) {
      const f = randomFilter(12, next);
      expect(Array.from(cols.passingRows(f))).toEqual(Array.from(same.passingRows(f)));
    }
  });
});
