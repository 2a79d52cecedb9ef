// Given a film and the page's filter, when the map decides whether to dim it, then the
// answer is the server's rule (libs/domain movieMatchesFilter), case by case.
import { passesFilter } from './filter-match';

const heat = { genres: ['Action', 'Crime', 'Thriller'], year: 1995, averageRating: 3.95, ratingCount: 102 };

describe('passesFilter', () => {
  it('passes everything without a filter', () => {
    expect(passesFilter(heat, undefined)).toBe(true);
    expect(passesFilter(heat, {})).toBe(true);
  });

  it.each([
    [{ genres: ['Crime', 'Drama'] }, true],
    [{ genres: ['Drama'] }, false],
    [{ excludeGenres: ['Thriller'] }, false],
    [{ yearFrom: 1995, yearTo: 1995 }, true],
    [{ yearFrom: 1996 }, false],
    [{ yearTo: 1994 }, false],
    [{ minAverageRating: 3.95 }, true],
    [{ minAverageRating: 4 }, false],
    [{ minRatingCount: 102 }, true],
    [{ minRatingCount: 103 }, false],
  ])('%j → %s', (filter, want) => {
    expect(passesFilter(heat, filter)).toBe(want);
  });

  it('drops a film without a year when a year bound is set', () => {
    expect(passesFilter({ ...heat, year: null }, { yearFrom: 1900 })).toBe(false);
  });
});
