import { parseTitleQuery, splitTitleQueryYear, TITLE_INPUT_MAX_LENGTH, titleTextProblem, validateTitleInput } from './title-query';

describe('parseTitleQuery', () => {
  it.each([
    ['The Matrix', 'matrix', null],
    ['matrix', 'matrix', null],
    ['Matrix, The (1999)', 'matrix', 1999],
    ['Matrix (1999)', 'matrix', 1999],
    ['  matrix   (1999)  ', 'matrix', 1999],
    // a bare trailing number is part of the title: these are all real titles
    ['matrix 1999', 'matrix 1999', null],
    ['2012', '2012', null],
    ['1917', '1917', null],
    ['Blade Runner 2049', 'blade runner 2049', null],
    ['2012 (2009)', '2012', 2009],
    // nothing left before the year: the whole text is the title
    ['(1999)', '1999', null],
    ['Cite des enfants perdus', 'cite des enfants perdus', null],
    ['Mary Poppins', 'mary poppins', null],
    ['Léon: The Professional (a.k.a. The Professional) (Léon) (1994)', 'leon the professional aka the professional leon', 1994],
    ['Matrix (99)', 'matrix 99', null],
    ['Matrix [1999]', 'matrix 1999', null],
  ])('%j -> key %j, year %j', (input, key, year) => {
    expect(parseTitleQuery(input)).toEqual({ key, year });
  });

  it('splits on the last year only', () => {
    expect(splitTitleQueryYear('Hamlet (1948) (1990)')).toEqual({ text: 'Hamlet (1948) ', year: 1990 });
  });
});

describe('validateTitleInput', () => {
  it('accepts whitespace control characters (they are blanks in the key), as a catalogue title may hold them', () => {
    for (const t of ['Mat\nrix', 'Mat\trix', 'Mat\r\nrix', 'Mat\u0085rix']) {
      expect(validateTitleInput(t)).toBeNull();
      expect(titleTextProblem(t)).toBeNull();
    }
  });

  it('accepts a title as long as the longest in the catalogue when that is over the default limit', () => {
    expect(validateTitleInput('x'.repeat(450))).toMatch(/limit is 300/);
    expect(validateTitleInput('x'.repeat(450), 'title', 450)).toBeNull();
    expect(validateTitleInput('x'.repeat(451), 'title', 450)).toMatch(/limit is 450/);
  });

  it('accepts ordinary titles, accents and all', () => {
    expect(validateTitleInput('Matrix, The (1999)')).toBeNull();
    expect(validateTitleInput('Amélie')).toBeNull();
    expect(validateTitleInput('千と千尋の神隠し')).toBeNull();
    expect(validateTitleInput('x'.repeat(TITLE_INPUT_MAX_LENGTH))).toBeNull();
  });

  it.each([
    ['', /title is empty/],
    ['   ', /title is empty/],
    ['x'.repeat(TITLE_INPUT_MAX_LENGTH + 1), /301 characters long; the limit is 300/],
    ['Matrix\u0007', /control character \(U\+0007\) at position 7/],
    ['Mat\u001Brix', /control character \(U\+001B\) at position 4/],
    ['Mat\u0000rix', /control character \(U\+0000\) at position 4/],
    ['\ud800x', /unpaired UTF-16 surrogate/],
    ['?!', /no letters or digits/],
  ])('rejects %j', (input, message) => {
    expect(validateTitleInput(input)).toMatch(message);
  });

  it('names the argument and rejects non-strings', () => {
    expect(validateTitleInput('', 'titles[2]')).toMatch(/^titles\[2\] is empty/);
    expect(validateTitleInput(42)).toBe('title must be a string');
  });
});
