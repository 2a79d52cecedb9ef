// Real movies.csv titles (ml-latest) and what a person reads in them.
import { moveArticleToFront, parseMovieTitle } from './title';
import { MOVIELENS_TITLE_EXAMPLES } from './title-examples';

describe('parseMovieTitle on real MovieLens titles', () => {
  it('covers at least 40 titles', () => {
    expect(MOVIELENS_TITLE_EXAMPLES.length).toBeGreaterThanOrEqual(40);
  });

  const rows = MOVIELENS_TITLE_EXAMPLES.map(([raw, title, alternates, year, yearEnd = null]) => ({
    raw,
    title,
    alternates,
    year,
    yearEnd,
  }));
  it.each(rows)('$raw', ({ raw, title, alternates, year, yearEnd }) => {
    const p = parseMovieTitle(raw);
    expect(p).toEqual({ raw, title, displayTitle: title, alternateTitles: [...alternates], year, yearEnd });
  });
});

describe('parseMovieTitle edge cases', () => {
  it('keeps the raw text untouched, even with inner double spaces', () => {
    const p = parseMovieTitle('Heat  (1995) ');
    expect(p.raw).toBe('Heat  (1995) ');
    expect(p.title).toBe('Heat');
  });

  it('does not take a year-shaped title for a year', () => {
    expect(parseMovieTitle('(1999)')).toMatchObject({ title: '(1999)', year: null });
  });

  it('ignores implausible years and keeps them in the title', () => {
    expect(parseMovieTitle('Number (0042)')).toMatchObject({ title: 'Number', alternateTitles: ['0042'], year: null });
  });

  it('survives unbalanced parentheses and empty input', () => {
    expect(parseMovieTitle('Broken) (2001)')).toMatchObject({ title: 'Broken)', year: 2001 });
    expect(parseMovieTitle('')).toMatchObject({ title: '', alternateTitles: [], year: null });
  });

  it('drops an alternate title equal to the main one', () => {
    expect(parseMovieTitle('Matrix, The (Matrix, The) (1999)').alternateTitles).toEqual([]);
  });
});

describe('moveArticleToFront', () => {
  it.each([
    ['Matrix, The', 'The Matrix'],
    ["Avventura, L'", "L'Avventura"],
    ['Buono, il brutto, il cattivo, Il', 'Il Buono, il brutto, il cattivo'],
    ['Crouching Tiger, Hidden Dragon', 'Crouching Tiger, Hidden Dragon'],
    ['Paris, Texas', 'Paris, Texas'],
    ['Hobbit, The: The Desolation of Smaug', 'The Hobbit: The Desolation of Smaug'],
    ['matrix, the', 'the matrix'],
    ['The', 'The'],
  ])('%j -> %j', (input, expected) => {
    expect(moveArticleToFront(input)).toBe(expected);
  });
});
