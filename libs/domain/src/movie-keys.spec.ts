import { movieKeys } from './movie-keys';
import { parseMovieTitle } from './title';
import { MOVIELENS_TITLE_EXAMPLES } from './title-examples';
import { parseTitleQuery } from './title-query';

const keysOf = (raw: string) => movieKeys(parseMovieTitle(raw));

describe('movieKeys', () => {
  it('lists the main title first, then alternates, then the pasted form, without duplicates', () => {
    expect(keysOf('Impossible, The (Imposible, Lo) (2012)')).toEqual(['impossible', 'imposible', 'impossible the imposible']);
    expect(keysOf('Matrix, The (1999)')).toEqual(['matrix']);
  });

  it('finds a movie by any title it carries, typed loosely', () => {
    const cases: Array<[string, string]> = [
      ['City of Lost Children, The (Cité des enfants perdus, La) (1995)', 'Cite des enfants perdus'],
      ['City of Lost Children, The (Cité des enfants perdus, La) (1995)', 'the city of lost children'],
      ["Avventura, L' (1960)", "L'Avventura"],
      ["Avventura, L' (1960)", 'Avventura'],
      ["Avventura, L' (1960)", "Avventura, L'"],
      ['Spider-Man (2002)', 'Spiderman'],
      ['Spider-Man (2002)', 'spider man'],
      ["Schindler's List (1993)", 'Schindlers List'],
      ['Seven (a.k.a. Se7en) (1995)', 'Se7en'],
      ['Léon: The Professional (a.k.a. The Professional) (Léon) (1994)', 'Leon'],
      ['Léon: The Professional (a.k.a. The Professional) (Léon) (1994)', 'Léon: The Professional (a.k.a. The Professional) (Léon) (1994)'],
      ['Alien³ (a.k.a. Alien 3) (1992)', 'Alien 3'],
      ['8 1/2 (8½) (1963)', '8½'],
      ['Fast & Furious (Fast and the Furious 4, The) (2009)', 'fast and furious'],
    ];
    for (const [raw, typed] of cases)
      expect({ typed, found: keysOf(raw).includes(parseTitleQuery(typed).key) }).toEqual({ typed, found: true });
  });

  it('finds every example by its own movies.csv line pasted whole', () => {
    for (const [raw] of MOVIELENS_TITLE_EXAMPLES) {
      const q = parseTitleQuery(raw);
      if (q.key !== '') expect({ raw, found: keysOf(raw).includes(q.key) }).toEqual({ raw, found: true });
    }
  });

  it('does not make a longer title a key of a shorter one', () => {
    expect(keysOf('Mary Poppins Returns (2018)')).not.toContain('mary poppins');
  });
});
