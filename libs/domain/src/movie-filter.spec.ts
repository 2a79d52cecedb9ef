import {
  DEFAULT_MIN_RATING_COUNT,
  minRatingCountOf,
  movieMatchesFilter,
  normalizeMovieFilter,
  validateMovieFilter,
  type MovieFilter,
} from './movie-filter';

describe('validateMovieFilter', () => {
  it('accepts no filter, an empty one and a full one', () => {
    expect(validateMovieFilter(undefined)).toEqual([]);
    expect(validateMovieFilter(null)).toEqual([]);
    expect(validateMovieFilter({})).toEqual([]);
    expect(
      validateMovieFilter({
        genres: ['sci-fi', 'Drama'],
        excludeGenres: ['Horror'],
        yearFrom: 1990,
        yearTo: 1999,
        minAverageRating: 3.5,
        minRatingCount: 100,
      }),
    ).toEqual([]);
    expect(validateMovieFilter({ genres: null, yearFrom: null, yearTo: 2000 })).toEqual([]);
  });

  it.each<[MovieFilter, RegExp]>([
    [{ genres: ['Dramedy'] }, /^filter\.genres: unknown genre "Dramedy"; known genres: Action, Adventure/],
    [{ excludeGenres: ['Horror', 'Gore'] }, /^filter\.excludeGenres: unknown genre "Gore"/],
    [{ yearFrom: 2001, yearTo: 1999 }, /^filter\.yearFrom \(2001\) is after filter\.yearTo \(1999\); swap them$/],
    [{ yearFrom: 1999.5 }, /^filter\.yearFrom must be a whole number from 1800 to 2200/],
    [{ yearTo: 99999 }, /^filter\.yearTo/],
    [{ minAverageRating: 6 }, /^filter\.minAverageRating must be a number from 0 to 5 \(got 6\)$/],
    [{ minRatingCount: -5 }, /^filter\.minRatingCount must be a whole number >= 0 \(got -5\)$/],
  ])('%j is rejected with a message naming the field', (filter, message) => {
    const errors = validateMovieFilter(filter);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it('checks genres against the dataset when told which exist', () => {
    expect(validateMovieFilter({ genres: ['Superhero'] }, ['Drama', 'Superhero'])).toEqual([]);
  });
});

describe('normalizeMovieFilter', () => {
  it('spells genres canonically and drops empty fields', () => {
    expect(
      normalizeMovieFilter({ genres: ['sci-fi', 'Sci-Fi', 'film noir'], excludeGenres: [], yearFrom: null, minRatingCount: 0 }),
    ).toEqual({
      genres: ['Sci-Fi', 'Film-Noir'],
      minRatingCount: 0,
    });
    expect(normalizeMovieFilter(undefined)).toEqual({});
  });
});

describe('movieMatchesFilter', () => {
  const heat = { genres: ['Action', 'Crime', 'Thriller'], year: 1995, averageRating: 3.9, ratingCount: 26000 };
  const babylon = { genres: ['Sci-Fi'], year: null, averageRating: 4.2, ratingCount: 40 };

  it.each<[MovieFilter | undefined, boolean, boolean]>([
    [undefined, true, true],
    [{}, true, true],
    [{ genres: [] }, true, true],
    [{ genres: ['Crime', 'Sci-Fi'] }, true, true],
    [{ genres: ['Comedy'] }, false, false],
    [{ excludeGenres: ['Thriller'] }, false, true],
    [{ yearFrom: 1995, yearTo: 1995 }, true, false],
    [{ yearFrom: 1996 }, false, false],
    [{ yearTo: 1994 }, false, false],
    [{ minAverageRating: 4 }, false, true],
    [{ minAverageRating: 3.9 }, true, true],
    [{ minRatingCount: 41 }, true, false],
  ])('%j: Heat %p, Babylon 5 %p', (filter, heatPasses, babylonPasses) => {
    expect(movieMatchesFilter(heat, filter)).toBe(heatPasses);
    expect(movieMatchesFilter(babylon, filter)).toBe(babylonPasses);
  });
});

describe('minRatingCountOf (the default floor)', () => {
  it("is the filter's own minRatingCount, 0 included, else the default floor of 10", () => {
    expect(DEFAULT_MIN_RATING_COUNT).toBe(10);
    expect(minRatingCountOf(undefined)).toBe(10);
    expect(minRatingCountOf(null)).toBe(10);
    expect(minRatingCountOf({ genres: ['Drama'] })).toBe(10);
    expect(minRatingCountOf({ minRatingCount: null })).toBe(10);
    expect(minRatingCountOf({ minRatingCount: 0 })).toBe(0);
    expect(minRatingCountOf({ minRatingCount: 250 })).toBe(250);
  });
});
