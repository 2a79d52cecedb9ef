import { DEFAULT_CURATION, FLOOR_CURATION, describeDatasetFilters, validateCurationParams, type CurationParams } from './curation';

describe('CurationParams', () => {
  it('defaults to the seed blog', () => {
    expect(DEFAULT_CURATION).toEqual({ minAvgRating: 3.5, minMovieRatings: 1000, minUserRatings: 500, sampleFraction: 0.1, seed: 42 });
    expect(validateCurationParams(DEFAULT_CURATION)).toEqual([]);
    expect(validateCurationParams({ ...DEFAULT_CURATION, sampleFraction: null })).toEqual([]);
    expect(validateCurationParams({ ...DEFAULT_CURATION, sampleFraction: 1, minAvgRating: 0, minMovieRatings: 0 })).toEqual([]);
  });

  it.each<[Partial<CurationParams>, RegExp]>([
    [{ minAvgRating: 7 }, /^--min-avg-rating must be a number from 0 to 5 \(got 7\)$/],
    [{ minAvgRating: NaN }, /^--min-avg-rating .*got NaN/],
    [{ minMovieRatings: -1 }, /^--min-movie-ratings must be a whole number >= 0 \(got -1\)$/],
    [{ minMovieRatings: 2.5 }, /^--min-movie-ratings/],
    [{ minUserRatings: '500' as unknown as number }, /^--min-user-ratings .*got "500"/],
    [{ sampleFraction: 0 }, /^--sample-fraction must be a fraction above 0 and at most 1/],
    [{ sampleFraction: 1.5 }, /^--sample-fraction .*got 1.5/],
    [{ seed: -1 }, /^--seed must be a whole number from 0 to 4294967295 \(got -1\)$/],
  ])('%j is rejected, naming the flag', (change, message) => {
    const errors = validateCurationParams({ ...DEFAULT_CURATION, ...change });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it('reports every problem at once', () => {
    expect(
      validateCurationParams({ minAvgRating: -1, minMovieRatings: -1, minUserRatings: -1, sampleFraction: 2, seed: 0.5 }),
    ).toHaveLength(5);
  });
});

describe('describeDatasetFilters', () => {
  it("says the blog's average threshold shapes even the least appreciated", () => {
    expect(describeDatasetFilters({ minAvgRating: 3.5, minMovieRatings: 32, minUserRatings: 74, sampleFraction: null }, 10)).toBe(
      'The model was trained on films with at least 32 ratings, averaging at least 3.5, rated by users with at least 74 ratings, so even the lowest-ranked here average at least 3.5; lists leave out films with fewer than 10 ratings.',
    );
  });
  it('says nothing of an average under the floors preset, and names sampling', () => {
    expect(describeDatasetFilters(FLOOR_CURATION, 10)).toBe(
      'The model was trained on films with at least 5 ratings, rated by users with at least 5 ratings; lists leave out films with fewer than 10 ratings.',
    );
    expect(describeDatasetFilters({ ...DEFAULT_CURATION }, 25)).toContain('10% of their ratings sampled');
    expect(describeDatasetFilters(null, 10)).toBe(
      'The model was trained on every film of the dataset; lists leave out films with fewer than 10 ratings.',
    );
  });
});
