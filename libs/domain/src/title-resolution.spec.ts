// DESIGN.md "Title resolution", as a table over a small catalogue.
import { movieKeys } from './movie-keys';
import { parseMovieTitle } from './title';
import { rankTitleCandidates, suggestTitles, type TitleCandidate } from './title-resolution';

interface Film extends TitleCandidate {
  title: string;
}

const catalogue: Film[] = (
  [
    [2571, 'Matrix, The (1999)', 84545],
    [6365, 'Matrix Reloaded, The (2003)', 35512],
    [1028, 'Mary Poppins (1964)', 21563],
    [187595, 'Mary Poppins Returns (2018)', 1489],
    [918, 'Mary Poppins (2004)', 12], // a made-up remake that shares the bare title
    [1298, 'City of Lost Children, The (Cité des enfants perdus, La) (1995)', 9634],
    [2329, 'American History X (1998)', 64000],
    [1127, 'Abyss, The (1989)', 26000],
    [2232, 'Hamlet (1948)', 2200],
    [1411, 'Hamlet (1996)', 9800],
    [3598, 'Hamlet (2000)', 1700],
    [1036, 'Die Hard (1988)', 57000],
    [99001, 'Hard (1998)', 40],
    [293, 'Léon: The Professional (a.k.a. The Professional) (Léon) (1994)', 51000],
    [47, 'Seven (a.k.a. Se7en) (1995)', 75000],
  ] as const
).map(([movieId, title, ratingCount]) => {
  const p = parseMovieTitle(title);
  return { movieId, title, ratingCount, year: p.year, keys: movieKeys(p) };
});

const resolve = (typed: string) => rankTitleCandidates(typed, catalogue)[0]?.title ?? null;

describe('rankTitleCandidates', () => {
  it.each([
    ['The Matrix', 'Matrix, The (1999)'],
    ['matrix', 'Matrix, The (1999)'],
    ['MATRIX', 'Matrix, The (1999)'],
    ['Matrix, The (1999)', 'Matrix, The (1999)'],
    ['Matrix (1999)', 'Matrix, The (1999)'],
    ['The Matrix Reloaded', 'Matrix Reloaded, The (2003)'],
    ['Mary Poppins', 'Mary Poppins (1964)'],
    ['mary poppins', 'Mary Poppins (1964)'],
    ['Mary Poppins (2004)', 'Mary Poppins (2004)'],
    ['Mary Poppins Returns', 'Mary Poppins Returns (2018)'],
    ['Cite des enfants perdus', 'City of Lost Children, The (Cité des enfants perdus, La) (1995)'],
    ['La Cité des Enfants Perdus', 'City of Lost Children, The (Cité des enfants perdus, La) (1995)'],
    ['city of lost children', 'City of Lost Children, The (Cité des enfants perdus, La) (1995)'],
    ['Hamlet', 'Hamlet (1996)'],
    ['Hamlet (1948)', 'Hamlet (1948)'],
    ['Hamlet (2000)', 'Hamlet (2000)'],
    ['Leon', 'Léon: The Professional (a.k.a. The Professional) (Léon) (1994)'],
    ['Léon: The Professional', 'Léon: The Professional (a.k.a. The Professional) (Léon) (1994)'],
    ['Se7en', 'Seven (a.k.a. Se7en) (1995)'],
    ['Die Hard', 'Die Hard (1988)'],
    // known cost of "die" being an article: "Hard" shares Die Hard's key; the most-rated wins, a year disambiguates
    ['Hard', 'Die Hard (1988)'],
    ['Hard (1998)', 'Hard (1998)'],
  ])('%j -> %j', (typed, expected) => {
    expect(resolve(typed)).toBe(expected);
  });

  it.each([['Matrix (2000)'], ['Matrx'], ['Mary'], ['Poppins'], ['The'], ['']])('%j matches nothing exactly', (typed) => {
    expect(rankTitleCandidates(typed, catalogue)).toEqual([]);
  });

  it('orders all exact matches by rating count, then movieId', () => {
    expect(rankTitleCandidates('Hamlet', catalogue).map((c) => c.movieId)).toEqual([1411, 2232, 3598]);
    const tie = [
      { movieId: 9, keys: ['x'], year: 2000, ratingCount: 5 },
      { movieId: 3, keys: ['x'], year: 2001, ratingCount: 5 },
    ];
    expect(rankTitleCandidates({ key: 'x', year: null }, tie).map((c) => c.movieId)).toEqual([3, 9]);
  });
});

describe('suggestTitles', () => {
  it('suggests the near misses for a typo, best first', () => {
    const s = suggestTitles('Matrx', catalogue);
    expect(s[0]!.candidate.title).toBe('Matrix, The (1999)');
    expect(s[0]!.similarity).toBeCloseTo(4 / 9, 6);
    // whole-string similarity, like pg_trgm similarity(): a much longer title scores low (4/18 here)
    expect(s.map((x) => x.candidate.title)).not.toContain('Matrix Reloaded, The (2003)');
    expect(suggestTitles('Mary Popins', catalogue)[0]!.candidate.title).toBe('Mary Poppins (1964)');
  });

  it('ignores the year, so a wrong year still gets the film suggested', () => {
    expect(suggestTitles('Matrix (2000)', catalogue)[0]!.candidate.title).toBe('Matrix, The (1999)');
  });

  it('breaks similarity ties by rating count', () => {
    const titles = suggestTitles('Mary Poppins', catalogue).map((x) => x.candidate.title);
    expect(titles.slice(0, 2)).toEqual(['Mary Poppins (1964)', 'Mary Poppins (2004)']);
    expect(titles).toContain('Mary Poppins Returns (2018)');
  });

  it('returns at most 5, above the pg_trgm default threshold 0.3', () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ movieId: i + 1, keys: [`hamlet ${i}`], year: null, ratingCount: i }));
    const s = suggestTitles('hamlet', many);
    expect(s).toHaveLength(5);
    expect(s.every((x) => x.similarity >= 0.3)).toBe(true);
    expect(suggestTitles('zzzzzz', catalogue)).toEqual([]);
    expect(suggestTitles('hamlet', many, { limit: 2 })).toHaveLength(2);
  });
});
