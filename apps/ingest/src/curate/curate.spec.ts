// Given a dump small enough to curate by hand, the counts after each step are the
// ones worked out in the comments below.
import { curate, computeStats, countKept, explainEmptyCuration, movieExclusions } from './curate';
import { suggestCuration } from './suggest';
import { CurationParams } from './params';

// (user, movie, rating). Per movie, over the whole dump:
//   M1: u1 5, u2 4, u3 4, u4 3        count 4, avg 4.0
//   M2: u1 2, u2 3, u3 3              count 3, avg 2.67  -> step 1 drops it
//   M3: u1 4, u2 5                    count 2, avg 4.5   -> step 2 drops it
//   M4: u1 3.5, u3 3.5, u4 3.5, u5 3.5 count 4, avg 3.5  (exactly the threshold: kept)
//   M5: u5 5                          count 1, avg 5.0   -> step 2 drops it
// Per user, in total: u1 4, u2 3, u3 3, u4 2, u5 2  -> step 3 drops u4 and u5.
const ROWS: [number, number, number][] = [
  [1, 1, 5],
  [2, 1, 4],
  [3, 1, 4],
  [4, 1, 3],
  [1, 2, 2],
  [2, 2, 3],
  [3, 2, 3],
  [1, 3, 4],
  [2, 3, 5],
  [1, 4, 3.5],
  [3, 4, 3.5],
  [4, 4, 3.5],
  [5, 4, 3.5],
  [5, 5, 5],
];

function columns(rows: [number, number, number][]) {
  return {
    length: rows.length,
    userId: Int32Array.from(rows.map((r) => r[0])),
    movieId: Int32Array.from(rows.map((r) => r[1])),
    halfStars: Uint8Array.from(rows.map((r) => r[2] * 2)),
  };
}

const P: CurationParams = { minAvgRating: 3.5, minMovieRatings: 3, minUserRatings: 3, sampleFraction: 0.5, seed: 7 };

describe('curate (hand-built fixture)', () => {
  const r = columns(ROWS);

  it('counts ratings, movies and users after each of the four steps', () => {
    const c = curate(r, P);
    const table = c.steps.map((s) => [s.step, s.ratings, s.movies, s.users]);
    expect(table).toEqual([
      ['dump', 14, 5, 5],
      // M2 gone: 11 ratings of M1, M3, M4, M5; every user still has one.
      ['min-avg-rating', 11, 4, 5],
      // M3 and M5 gone: M1 x4 + M4 x4; u5 still rates M4.
      ['min-movie-ratings', 8, 2, 5],
      // u4, u5 gone: M1 by u1,u2,u3 + M4 by u1,u3.
      ['min-user-ratings', 5, 2, 3],
      // M1 keeps round(0.5*3)=2, M4 keeps round(0.5*2)=1.
      ['sample', 3, 2, c.steps[4].users],
    ]);
  });

  it('samples by score: M1 keeps its only 5.0 and one of its two 4.0s', () => {
    const c = curate(r, P);
    const kept = ROWS.filter((_, i) => c.keep[i]);
    const m1 = kept
      .filter((x) => x[1] === 1)
      .map((x) => x[2])
      .sort();
    expect(m1).toEqual([4, 5]);
    expect(kept.filter((x) => x[1] === 4)).toHaveLength(1);
    // The users count is whatever the kept rows hold: u1 (the 5.0) plus the draws.
    expect(c.steps[4].users).toBe(new Set(kept.map((x) => x[0])).size);
    expect(kept.every((x) => [1, 2, 3].includes(x[0]))).toBe(true);
  });

  it('is deterministic per seed', () => {
    const a = curate(r, P).keep;
    expect(curate(r, P).keep).toEqual(a);
    const many = new Set(Array.from({ length: 20 }, (_, s) => curate(r, { ...P, seed: s }).keep.join('')));
    expect(many.size).toBeGreaterThan(1);
  });

  it('no sampling (null) keeps step 3 as it is', () => {
    const c = curate(r, { ...P, sampleFraction: null });
    expect(c.steps[4]).toMatchObject({ threshold: 'none', ratings: 5, movies: 2, users: 3 });
    expect(Array.from(c.keep)).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0]);
  });

  it('counts "in total": a user keeps their ratings even when most were of dropped movies', () => {
    // u2 rated M1, M2, M3; M2 and M3 are dropped, yet u2 has 3 ratings in total.
    const c = curate(r, { ...P, sampleFraction: null });
    expect(c.keep[1]).toBe(1);
  });

  it('the blog defaults keep nothing here, and the suggestion keeps something', () => {
    const c = curate(r, { minAvgRating: 3.5, minMovieRatings: 1000, minUserRatings: 500, sampleFraction: 0.1, seed: 42 });
    expect(c.steps[4].ratings).toBe(0);
    const s = suggestCuration(computeStats(r));
    expect(s.params.minMovieRatings).toBe(1); // the 4th most-rated good movie (M5) has 1 rating
    expect(s.params.minUserRatings).toBe(2); // 5 users < the floor: the least active has 2
    expect(s.params.sampleFraction).toBeNull();
    expect(s.why.join('\n')).toMatch(/--min-movie-ratings 1/);
    expect(curate(r, s.params).steps[4].ratings).toBe(11);
  });

  it('rejects out-of-range thresholds naming the flag', () => {
    expect(() => curate(r, { ...P, minMovieRatings: -1 })).toThrow(/--min-movie-ratings/);
    expect(() => curate(r, { ...P, sampleFraction: 1.5 })).toThrow(/--sample-fraction/);
  });

  it('countKept counts distinct movies and users', () => {
    const keep = Uint8Array.from(ROWS.map((x) => (x[0] === 5 ? 1 : 0)));
    expect(countKept(r, keep, computeStats(r))).toEqual({ ratings: 2, movies: 2, users: 1 });
  });
});

describe('movieExclusions: the step that removed each movie (what movies.excluded_by records)', () => {
  const r = columns(ROWS);
  it('names step 1 before step 2, and step 3 for a movie rated only by users it dropped', () => {
    const c = curate(r, { ...P, minMovieRatings: 1, sampleFraction: null });
    expect(movieExclusions(r, c).slice(1, 6)).toEqual([undefined, 'MIN_AVG_RATING', undefined, undefined, 'MIN_USER_RATINGS']);
  });

  it('names the sample when steps 1-3 kept ratings the sample did not', () => {
    const c = curate(r, { ...P, sampleFraction: 0.1 });
    expect(movieExclusions(r, c).slice(1, 6)).toEqual([
      'SAMPLE_FRACTION',
      'MIN_AVG_RATING',
      'MIN_MOVIE_RATINGS',
      'SAMPLE_FRACTION',
      'MIN_MOVIE_RATINGS',
    ]);
  });

  it('agrees with the curated set: a reason exactly for the movies with no kept rating', () => {
    const c = curate(r, P);
    const kept = new Set(Array.from(r.movieId).filter((_, i) => c.keep[i]));
    movieExclusions(r, c).forEach((why, m) => {
      if (m > 0) expect(why === undefined).toBe(kept.has(m));
    });
  });
});

describe('explainEmptyCuration: the step that left nothing, in numbers from the dump', () => {
  const r = columns(ROWS);
  it.each([
    [
      { minAvgRating: 4.8 },
      'min-avg-rating',
      /^step 1 \(--min-avg-rating 4\.8\) dropped every movie: the best average rating in this dump is 4\.50$/,
    ],
    [
      { minMovieRatings: 5 },
      'min-movie-ratings',
      /^step 2 \(--min-movie-ratings 5\) dropped every movie left: the most-rated one has 4 ratings$/,
    ],
    [
      { minUserRatings: 5 },
      'min-user-ratings',
      /^step 3 \(--min-user-ratings 5\) dropped every rating left: .*the most active user has 4 in all/,
    ],
    // After steps 1-3 (P) M1 keeps u1,u2,u3 = 3 ratings and M4 keeps u1,u3 = 2: below 0.5/3 nothing is left.
    [
      { sampleFraction: 1e-9 },
      'sample',
      /^step 4 \(--sample-fraction 1e-9\) kept no rating: .*the most-rated movie left after steps 1-3 has 3, so any fraction below 0\.17 keeps nothing$/,
    ],
  ] as const)('%j → %s', (over, step, why) => {
    // Without M5 (average 5.0, one rating) step 1 can empty the dump.
    const rr = step === 'min-avg-rating' ? columns(ROWS.filter((x) => x[1] !== 5)) : r;
    const c = curate(rr, { ...P, ...over });
    expect(c.steps[c.steps.length - 1].ratings).toBe(0);
    const e = explainEmptyCuration(c, rr);
    expect(e.step).toBe(step);
    expect(e.why).toMatch(why);
  });

  it('the smallest fraction it names does keep something', () => {
    const e = explainEmptyCuration(curate(r, { ...P, sampleFraction: 1e-9 }), r);
    expect(curate(r, { ...P, sampleFraction: e.minFraction! }).steps[4].ratings).toBeGreaterThan(0);
    expect(curate(r, { ...P, sampleFraction: e.minFraction! * 0.99 }).steps[4].ratings).toBe(0);
  });
});
