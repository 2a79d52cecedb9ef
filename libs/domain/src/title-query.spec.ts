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

describe('titleTextProblem', () => {
  // The rule, character by character (as it was written before the one-scan shortcut).
  const reference = (s: string): string | null => {
    let i = 0;
    for (const ch of s) {
      if (/\p{Cc}/u.test(ch) && !['\t', '\n', '\u000B', '\f', '\r', '\u0085'].includes(ch))
        return `title contains a control character (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}) at position ${i + 1}; remove it`;
      if (/\p{Cs}/u.test(ch)) return `title contains an unpaired UTF-16 surrogate at position ${i + 1}`;
      i++;
    }
    return null;
  };

  it('says what the character-by-character rule says, for random strings of awkward code units', () => {
    const units = [0x41, 0x20, 0x00, 0x09, 0x0a, 0x1f, 0x7f, 0x85, 0x9f, 0xe9, 0x2028, 0xd83c, 0xdf7f, 0xdc00, 0xd800, 0xfffd];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let problems = 0;
    for (let n = 0; n < 3000; n++) {
      const s = String.fromCharCode(...Array.from({ length: 1 + Math.floor(next() * 6) }, () => units[Math.floor(next() * units.length)]));
      expect(titleTextProblem(s)).toBe(reference(s));
      if (reference(s)) problems++;
    }
    expect(problems).toBeGreaterThan(500);
    expect(problems).toBeLessThan(2900);
  });
});
