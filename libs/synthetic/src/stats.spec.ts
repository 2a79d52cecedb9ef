// dumpStats on hand-made ratings whose figures are worked out by hand (and agree with
// pandas' conventions: sample sd, linear quantiles), and the folder reader's errors.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dumpStats, formatStats, quantileSorted, type StatsInput } from './stats';
import { readRatingsForStats } from './stats-file';

const work = mkdtempSync(join(tmpdir(), 'cinemap-stats-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** [user, movie, rating] triples as columns. */
function input(rows: [number, number, number][]): StatsInput {
  return { length: rows.length, userId: rows.map((r) => r[0]), movieId: rows.map((r) => r[1]), halfStars: rows.map((r) => r[2] * 2) };
}

describe('dumpStats', () => {
  // Movie 10 rated by users 1..3 (5, 4, 3), movie 20 by users 1 and 2 (2, 1.5), movie 30 by user 1 (0.5).
  const s = dumpStats(
    input([
      [1, 10, 5],
      [2, 10, 4],
      [3, 10, 3],
      [1, 20, 2],
      [2, 20, 1.5],
      [1, 30, 0.5],
    ]),
  );

  it('counts, histogram, mean and sample sd', () => {
    expect([s.ratings, s.users, s.movies]).toEqual([6, 3, 3]);
    expect(s.histogram).toEqual({
      '0.5': 1 / 6,
      '1.0': 0,
      '1.5': 1 / 6,
      '2.0': 1 / 6,
      '2.5': 0,
      '3.0': 1 / 6,
      '3.5': 0,
      '4.0': 1 / 6,
      '4.5': 0,
      '5.0': 1 / 6,
    });
    expect(s.mean).toBeCloseTo(16 / 6, 12);
    // Sum of squared deviations from 8/3: 5.4444+1.7778+0.1111+0.4444+1.3611+4.6944 = 13.8333; / 5.
    expect(s.sd).toBeCloseTo(Math.sqrt(13.833333333 / 5), 6);
  });

  it('concentration: top film and user, top 1% and 10% (at least one film), tail shares', () => {
    expect([s.topFilmRatings, s.topUserRatings]).toEqual([3, 3]);
    expect(s.topFilmShare).toBeCloseTo(0.5, 12);
    expect(s.topUserShare).toBeCloseTo(0.5, 12);
    expect(s.top1PctFilmsShare).toBeCloseTo(0.5, 12);
    expect(s.top10PctFilmsShare).toBeCloseTo(0.5, 12);
    expect(s.top10PctUsersShare).toBeCloseTo(0.5, 12);
    expect(s.filmsWith1Rating).toBeCloseTo(1 / 3, 12);
    expect(s.filmsUnder5Ratings).toBe(1);
    expect(s.filmsWith20Plus).toBe(0);
    expect(s.medianRatingsPerFilm).toBe(2);
  });

  it('user quantiles interpolate linearly (pandas): counts 1, 2, 3', () => {
    // Users 3, 2, 1 rated 1, 2, 3 films: q25 = 1.5, q90 = 2.8, q99 = 2.98.
    expect(s.userQuantiles.map((q) => Math.round(q * 100) / 100)).toEqual([1, 1.5, 2, 2.5, 2.8, 2.98, 3]);
    expect(quantileSorted([10, 20, 30, 40], 0.5)).toBe(25);
    expect(quantileSorted([7], 0.9)).toBe(7);
  });

  it('spread of means: films with >= 20 ratings only, users all', () => {
    expect(Number.isNaN(s.sdMovieMeans20)).toBe(true); // no film has 20 ratings
    // User means: (5+2+0.5)/3 = 2.5, (4+1.5)/2 = 2.75, 3 → sample sd 0.25.
    expect(s.sdUserMeans).toBeCloseTo(0.25, 12);
    const many: [number, number, number][] = [];
    for (let u = 1; u <= 20; u++) many.push([u, 1, 4], [u, 2, 2], [u, 3, 3]);
    many.push([1, 4, 5]);
    // Films 1..3 have 20 ratings each with means 4, 2, 3 → sd 1; film 4 (1 rating) is left out.
    expect(dumpStats(input(many)).sdMovieMeans20).toBeCloseTo(1, 12);
  });

  it('ids can be anything positive (sparse, large) and rows in any order', () => {
    const a = dumpStats(
      input([
        [7, 2_000_000_000, 3],
        [300_000, 5, 4],
        [7, 5, 2],
      ]),
    );
    expect([a.users, a.movies, a.topFilmRatings]).toEqual([2, 2, 2]);
  });

  it('refuses no ratings and out-of-range values, naming the row', () => {
    expect(() => dumpStats(input([]))).toThrow('no ratings');
    expect(() => dumpStats({ length: 2, userId: [1, 1], movieId: [1, 2], halfStars: [4, 11] })).toThrow('row 2');
  });

  it('formats the figures as the README table lists them', () => {
    const text = formatStats(s);
    expect(text).toContain('0.5:0.167');
    expect(text).toMatch(/top film \/ top user share\s+50\.00% \/ 50\.00%/);
    expect(text).toMatch(/ratings per user at 0\/25\/50\/75\/90\/99\/100%\s+1, 2, 2, 3, 3, 3, 3/);
  });
});

describe('readRatingsForStats', () => {
  it('reads ratings.csv (MovieLens CSV) and u.data (ml-100k), preferring ratings.csv', async () => {
    const csv = join(work, 'csv');
    mkdirSync(csv);
    writeFileSync(join(csv, 'ratings.csv'), 'userId,movieId,rating,timestamp\n1,10,4.5,964982703\n2,10,3.0,964982224\n');
    const a = await readRatingsForStats(csv);
    expect(a.length).toBe(2);
    expect(Array.from(a.halfStars).slice(0, 2)).toEqual([9, 6]);
    const u = join(work, 'udata');
    mkdirSync(u);
    writeFileSync(join(u, 'u.data'), '196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n');
    const b = await readRatingsForStats(u);
    expect([b.length, b.userId[2], b.movieId[2], b.halfStars[2]]).toEqual([3, 22, 377, 2]);
  });

  it('says what is wrong and where: a missing folder, a folder without ratings, a bad line', async () => {
    await expect(readRatingsForStats(join(work, 'nope'))).rejects.toThrow(/nope: not a folder/);
    const empty = join(work, 'empty');
    mkdirSync(empty);
    await expect(readRatingsForStats(empty)).rejects.toThrow(/neither ratings\.csv nor u\.data/);
    for (const [name, text, message] of [
      ['udata-rating', '1\t2\t3\t4\n1\t2\t6\t4\n', /u\.data:2: rating "6"/],
      ['udata-commas', '1,2,3,4\n', /u\.data:1: /],
    ] as const) {
      mkdirSync(join(work, name));
      writeFileSync(join(work, name, 'u.data'), text);
      await expect(readRatingsForStats(join(work, name))).rejects.toThrow(message);
    }
    const badCsv = join(work, 'badcsv');
    mkdirSync(badCsv);
    writeFileSync(join(badCsv, 'ratings.csv'), 'userId,movieId,rating,timestamp\n1,10,4.5,964982703\n1,11,6.0,964982703\n');
    await expect(readRatingsForStats(badCsv)).rejects.toThrow(/ratings\.csv:3: rating "6\.0"/);
  });
});
