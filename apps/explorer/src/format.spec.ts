// Formatting and map colours: known inputs, expected text; colours checked against the
// WCAG contrast formula on the white plot area.
import {
  GENRE_COLOURS,
  GENRE_PRIORITY,
  displayTitle,
  formatAverage,
  formatBias,
  formatGenres,
  formatRatingCount,
  formatSimilarity,
  genreGroup,
  mainGenre,
  notFoundMessage,
  similarityPercent,
} from './format';

describe('formatting', () => {
  it('writes numbers the same in every browser locale', () => {
    expect([
      formatRatingCount(12345),
      formatRatingCount(1),
      formatAverage(3.456),
      formatSimilarity(0.8749),
      formatBias(0.4321),
      formatBias(-0.05),
      formatBias(null),
    ]).toEqual(['12,345 ratings', '1 rating', '3.46', '0.87', '+0.43', '−0.05', '–']);
  });

  it('draws only the positive part of a cosine in the similarity bar', () => {
    expect([similarityPercent(0.873), similarityPercent(-0.2), similarityPercent(1.0000001), similarityPercent(NaN)]).toEqual([
      87, 0, 100, 0,
    ]);
  });

  it('names genres, years and titles for people', () => {
    expect(formatGenres([])).toBe('no genres listed');
    expect(formatGenres(['Crime', 'Drama'])).toBe('Crime, Drama');
    expect(displayTitle({ title: 'Matrix, The (1999)', year: 1999 })).toBe('Matrix, The (1999)');
    expect(displayTitle({ title: 'Hamlet', year: 1996 })).toBe('Hamlet (1996)');
    expect(displayTitle({ title: 'Hyena Road', year: null })).toBe('Hyena Road');
  });

  it('says what was not found, and whether there is anything to suggest', () => {
    expect(notFoundMessage('Matrx', 2)).toBe("No film called 'Matrx' — did you mean …");
    expect(notFoundMessage('zzzz', 0)).toMatch(/^No film called 'zzzz', and nothing close/);
    expect(notFoundMessage('x'.repeat(100), 1)).toContain(`${'x'.repeat(77)}…'`);
  });
});

describe('main genre', () => {
  it('picks the most specific genre, not the alphabetically first', () => {
    expect(mainGenre(['Action', 'Sci-Fi', 'Thriller'])).toBe('Sci-Fi');
    expect(mainGenre(['Adventure', 'Animation', 'Children'])).toBe('Animation');
    expect(mainGenre(['Crime', 'Drama'])).toBe('Crime');
    expect(mainGenre(['Drama'])).toBe('Drama');
    expect(mainGenre([])).toBe('Other');
    expect(mainGenre(['Made-Up'])).toBe('Made-Up');
    expect(genreGroup(['Made-Up'])).toBe('Other');
    expect(genreGroup(['Western'])).toBe('Other');
  });

  it('ranks every MovieLens genre exactly once', () => {
    expect(new Set(GENRE_PRIORITY).size).toBe(19);
  });
});

function luminance(hex: string): number {
  const c = [1, 3, 5]
    .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}
const contrastOnWhite = (hex: string) => 1.05 / (luminance(hex) + 0.05);

describe('map colours', () => {
  it.each(Object.entries(GENRE_COLOURS))('%s (%s) keeps at least 3:1 contrast on white', (_g, hex) => {
    expect(contrastOnWhite(hex)).toBeGreaterThanOrEqual(3);
  });

  it('are all different', () => {
    const v = Object.values(GENRE_COLOURS);
    expect(new Set(v).size).toBe(v.length);
  });
});
