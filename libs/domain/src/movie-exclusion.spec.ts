// Given a movie's counts after each curation step, when asked why it is not in the
// model, then the first step that removed it is named, and the sentence says so.
import { DEFAULT_CURATION } from './curation';
import { exclusionSentence, movieExclusion, type MovieCurationCounts } from './movie-exclusion';
import { parseMovieTitle } from './title';

const p = { minAvgRating: 3.5, minMovieRatings: 32 };
const counts = (c: Partial<MovieCurationCounts>): MovieCurationCounts => ({
  ratingCount: 100,
  ratingSum: 400,
  fromKeptUsers: 50,
  kept: 0,
  ...c,
});

describe('movieExclusion', () => {
  it('is null for a movie curation kept some ratings of', () => {
    expect(movieExclusion(counts({ kept: 1 }), p)).toBeNull();
  });

  it('names the first step that removed the movie, in the contract order', () => {
    expect(movieExclusion(counts({ ratingCount: 0, ratingSum: 0, fromKeptUsers: 0 }), p)).toBe('NO_RATINGS');
    // Matrix Revolutions on ml-latest-small: 168 ratings averaging 3.25 (and count ≥ 32).
    expect(movieExclusion(counts({ ratingCount: 168, ratingSum: 546 }), p)).toBe('MIN_AVG_RATING');
    // Both steps would drop it: step 1 comes first.
    expect(movieExclusion(counts({ ratingCount: 3, ratingSum: 3 }), p)).toBe('MIN_AVG_RATING');
    expect(movieExclusion(counts({ ratingCount: 31, ratingSum: 31 * 4 }), p)).toBe('MIN_MOVIE_RATINGS');
    expect(movieExclusion(counts({ fromKeptUsers: 0 }), p)).toBe('MIN_USER_RATINGS');
    expect(movieExclusion(counts({ fromKeptUsers: 3 }), p)).toBe('SAMPLE_FRACTION');
  });

  it('keeps an average exactly at the threshold (as curate() does)', () => {
    expect(movieExclusion(counts({ ratingCount: 40, ratingSum: 140 }), p)).toBe('SAMPLE_FRACTION');
    expect(movieExclusion(counts({ ratingCount: 40, ratingSum: 139.5 }), p)).toBe('MIN_AVG_RATING');
  });
});

describe('exclusionSentence', () => {
  const movie = { displayTitle: 'The Matrix Revolutions', year: 2003, ratingCount: 168, averageRating: 3.25 };
  it('states the real reason with the threshold that applied', () => {
    const s = exclusionSentence('MIN_AVG_RATING', movie, DEFAULT_CURATION);
    expect(s).toContain('average rating is below');
    expect(s).toContain('--min-avg-rating 3.5');
    expect(s).toContain('168 ratings, average 3.25');
    expect(s).not.toContain('too few ratings');
  });

  it('words every reason differently', () => {
    const all = (['NO_RATINGS', 'MIN_AVG_RATING', 'MIN_MOVIE_RATINGS', 'MIN_USER_RATINGS', 'SAMPLE_FRACTION', 'NOT_TRAINED'] as const).map(
      (r) => exclusionSentence(r, movie, DEFAULT_CURATION),
    );
    expect(new Set(all).size).toBe(all.length);
    expect(exclusionSentence('MIN_MOVIE_RATINGS', movie, { minMovieRatings: 200 })).toContain(
      'too few ratings to be trained on (--min-movie-ratings 200)',
    );
  });

  it('leaves the threshold out when the dataset did not record it, and names a film without a year plainly', () => {
    expect(exclusionSentence('MIN_USER_RATINGS', { ...movie, year: null }, null)).toMatch(
      /^The Matrix Revolutions was left out .* users with too few ratings; it has/,
    );
  });
});

// The API's displayTitle and year come from parseMovieTitle (stored at ingest as
// movies.display_title and movies.year): the forms people meet in MovieLens.
describe('displayTitle and year of MovieLens title forms', () => {
  it.each([
    ['Matrix, The (1999)', 'The Matrix', 1999],
    ['Ghost and Mrs. Muir, The (1947)', 'The Ghost and Mrs. Muir', 1947],
    ['City of Lost Children, The (Cité des enfants perdus, La) (1995)', 'The City of Lost Children', 1995],
    ['Toy Story (1995)', 'Toy Story', 1995],
    ['Hyena Road', 'Hyena Road', null],
    ["Avventura, L' (Adventure, The) (1960)", "L'Avventura", 1960],
    ['Star Wars: Episode IV - A New Hope (1977)', 'Star Wars: Episode IV - A New Hope', 1977],
    ['Crouching Tiger, Hidden Dragon (Wo hu cang long) (2000)', 'Crouching Tiger, Hidden Dragon', 2000],
    ['Hobbit, The: An Unexpected Journey (2012)', 'The Hobbit: An Unexpected Journey', 2012],
    ['Sherlock - A Study in Pink (2010)', 'Sherlock - A Study in Pink', 2010],
    ['Fawlty Towers (1975-1979)', 'Fawlty Towers', 1975],
    ['Babylon 5', 'Babylon 5', null],
    ['Big Lebowski, The (1998) ', 'The Big Lebowski', 1998],
  ])('%j -> %j, %j', (raw, display, year) => {
    const t = parseMovieTitle(raw);
    expect([t.displayTitle, t.year]).toEqual([display, year]);
  });
});
