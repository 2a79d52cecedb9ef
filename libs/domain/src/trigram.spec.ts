// Expected values were computed with PostgreSQL 17 (PGlite 0.4.6 + pg_trgm):
// SELECT show_trgm(a), similarity(a, b)::float8.
import { trigrams, trigramSimilarity } from './trigram';

describe('trigrams (pg_trgm show_trgm)', () => {
  it('pads each word with two spaces in front and one behind', () => {
    expect(trigrams('cat')).toEqual(['  c', ' ca', 'at ', 'cat']);
    expect(trigrams('a b')).toEqual(['  a', '  b', ' a ', ' b ']);
  });

  it('lower-cases and splits at non-alphanumerics, de-duplicating', () => {
    expect(trigrams('Foo-foo!')).toEqual(['  f', ' fo', 'foo', 'oo ']);
    expect(trigrams('  ')).toEqual([]);
  });
});

describe('trigramSimilarity (pg_trgm similarity)', () => {
  it.each([
    ['matrx', 'matrix', 0.4444444477558136],
    ['mary poppins', 'mary poppins returns', 0.6499999761581421],
    ['cite des enfants', 'city of lost children', 0.08571428805589676],
    ['star wars episode iv', 'star wars episode v the empire strikes back', 0.40909090638160706],
    ['a', 'ab', 0.25],
    ['leon', 'léon', 0.25],
    ['8 1 2', '8 1 2 8 1 2', 1],
    ['godfather', 'godfather part ii', 0.5555555820465088],
    ['', 'x', 0],
  ])('%j vs %j = %f', (a, b, expected) => {
    expect(trigramSimilarity(a, b)).toBe(expected);
    expect(trigramSimilarity(b, a)).toBe(expected);
  });

  it('is a 32-bit float like pg_trgm real', () => {
    const s = trigramSimilarity('godfather', 'godfather part ii');
    expect(Math.fround(s)).toBe(s);
  });
});
