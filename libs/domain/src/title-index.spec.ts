// Title resolution as a table over a small catalogue: typed title → the film TitleIndex
// names (the same index the gateway serves with; SQL resolve_title() is checked equal
// to it in libs/db).
import { movieKeys } from './movie-keys';
import { parseMovieTitle } from './title';
import { TitleIndex, type TitleIndexEntry } from './title-index';

const films = [
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
] as const;

const entry = ([movieId, title, ratingCount]: readonly [number, string, number]): TitleIndexEntry => {
  const p = parseMovieTitle(title);
  return { movieId, ratingCount, year: p.year, titleKeys: movieKeys(p), titleLength: [...title].length };
};
const titleOf = new Map<number, string>(films.map(([id, title]) => [id, title]));
const index = new TitleIndex(films.map(entry));
const resolve = (typed: string) => {
  const id = index.resolve(typed);
  return id === null ? null : titleOf.get(id);
};

describe('TitleIndex.resolve', () => {
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

  it.each([['Matrix (2000)'], ['Matrx'], ['Mary'], ['Poppins'], ['The'], [''], ['...']])('%j matches nothing', (typed) => {
    expect(index.resolve(typed)).toBeNull();
  });

  it('ranks a shared key by rating count, then lowest id, whatever order the entries come in', () => {
    const tie = (order: number[]) =>
      new TitleIndex(
        order.map((movieId) => ({ movieId, titleKeys: ['x'], year: 2000 + movieId, ratingCount: movieId === 5 ? 9 : 5, titleLength: 1 })),
      );
    for (const order of [
      [9, 3, 5],
      [5, 9, 3],
      [3, 5, 9],
    ]) {
      expect(tie(order).resolve('x')).toBe(5);
      expect(tie(order).resolve('x (2009)')).toBe(9);
      expect(tie(order).resolve('x (2003)')).toBe(3);
    }
    // planted: without the ranking, the first entry given would win
    expect(new TitleIndex([entry([1, 'Hamlet (1948)', 2]), entry([2, 'Hamlet (1996)', 90])]).resolve('Hamlet')).toBe(2);
  });

  it('answers alike however it was filled: all at once, or one movie at a time in any order', () => {
    const entries = films.map(entry);
    const typed = [
      ...films.flatMap(([, title]) => [title, title.replace(/ \(\d{4}\)$/, ''), `${title.replace(/ \(\d{4}\)$/, '')} (1999)`]),
      'Hard',
      'x',
    ];
    const want = typed.map((t) => index.resolve(t));
    for (const order of [entries, [...entries].reverse(), [...entries].sort((a, b) => a.titleLength - b.titleLength)]) {
      const one = new TitleIndex();
      for (const e of order) one.add(e);
      expect(typed.map((t) => one.resolve(t))).toEqual(want);
      expect(one.longestTitle).toBe(index.longestTitle);
    }
  });

  it('lists a movie once per key even when its keys repeat, and knows the longest title', () => {
    const twice = new TitleIndex([
      { movieId: 1, titleKeys: ['a', 'a'], year: 1990, ratingCount: 5, titleLength: 7 },
      { movieId: 2, titleKeys: ['a'], year: 1991, ratingCount: 1, titleLength: 12 },
    ]);
    expect(twice.resolve('a (1991)')).toBe(2);
    expect(twice.longestTitle).toBe(12);
    // keys repeated apart, and three films on one key: each listed once, ranked
    const apart = new TitleIndex([
      { movieId: 3, titleKeys: ['a', 'b', 'a'], year: 1992, ratingCount: 3, titleLength: 1 },
      { movieId: 4, titleKeys: ['a'], year: 1992, ratingCount: 3, titleLength: 1 },
      { movieId: 5, titleKeys: ['b', 'a', 'b'], year: 1992, ratingCount: 9, titleLength: 1 },
    ]);
    expect(apart.resolve('a')).toBe(5);
    expect(apart.resolve('a (1992)')).toBe(5);
    expect(apart.resolve('b')).toBe(5);
    expect(new TitleIndex().resolve('a')).toBeNull();
    expect(new TitleIndex().longestTitle).toBe(0);
  });
});
