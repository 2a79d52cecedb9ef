// Formatting and map colours: known inputs, expected text; colours checked against the
// WCAG contrast formula on the white plot area.
import {
  GENRE_COLOURS,
  GENRE_GROUPS,
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
    // The API's displayTitle wins, with the year to keep namesakes apart.
    expect(displayTitle({ title: 'Matrix, The (1999)', displayTitle: 'The Matrix', year: 1999 })).toBe('The Matrix (1999)');
    expect(displayTitle({ title: 'Hyena Road', displayTitle: 'Hyena Road', year: null })).toBe('Hyena Road');
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

// Machado et al. (2009) full-severity simulation matrices (linear RGB) and CIE Lab, to
// check that groups stay apart for people with protanopia, deuteranopia and tritanopia.
const CVD: Record<string, number[][]> = {
  normal: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
  protan: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deutan: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritan: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};
function linear(hex: string): number[] {
  return [1, 3, 5]
    .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
}
function lab([r, g, b]: number[]): number[] {
  const X = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const Y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const Z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  return [116 * f(Y) - 16, 500 * (f(X) - f(Y)), 200 * (f(Y) - f(Z))];
}
/** Colour difference (CIE76) of two colours as someone with `vision` sees them. */
function seenDistance(a: string, b: string, vision: string): number {
  const sim = (hex: string) =>
    lab(
      CVD[vision].map((row) =>
        Math.min(
          1,
          Math.max(
            0,
            row.reduce((s, m, j) => s + m * linear(hex)[j], 0),
          ),
        ),
      ),
    );
  const [p, q] = [sim(a), sim(b)];
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}
/** Pairs of groups that look alike to someone: same shape and colours under 20 apart. */
function lookAlikes(groups: readonly { label: string; colour: string; shape: string }[]): string[] {
  const out: string[] = [];
  groups.forEach((a, i) =>
    groups.slice(i + 1).forEach((b) => {
      for (const vision of Object.keys(CVD))
        if (a.shape === b.shape && seenDistance(a.colour, b.colour, vision) < 20) out.push(`${a.label}/${b.label} (${vision})`);
    }),
  );
  return out;
}

describe('map colours', () => {
  it.each(Object.entries(GENRE_COLOURS))('%s (%s) keeps at least 3:1 contrast on white', (_g, hex) => {
    expect(contrastOnWhite(hex)).toBeGreaterThanOrEqual(3);
  });

  it('are all different', () => {
    const v = Object.values(GENRE_COLOURS);
    expect(new Set(v).size).toBe(v.length);
  });

  it('no two groups look alike with any colour vision: a shared shape needs clearly different colours', () => {
    expect(lookAlikes(GENRE_GROUPS)).toEqual([]);
    // Planted: the old palette's Crime and Children browns, in the same shape, are caught.
    const planted = [
      { label: 'Crime', colour: '#4e342e', shape: 'circle' },
      { label: 'Children', colour: '#5d4037', shape: 'circle' },
    ];
    expect(lookAlikes(planted)).toEqual(expect.arrayContaining(['Crime/Children (normal)', 'Crime/Children (deutan)']));
    // Given different shapes, the same two are told apart.
    expect(lookAlikes([planted[0], { ...planted[1], shape: 'triangle' }])).toEqual([]);
  });

  it('puts every MovieLens genre in exactly one group (rare ones in Other)', () => {
    const listed = GENRE_GROUPS.flatMap((g) => [...g.genres]);
    expect(new Set(listed).size).toBe(listed.length);
    expect(genreGroup(['Crime'])).toBe('Crime & thriller');
    expect(genreGroup(['Children', 'Comedy'])).toBe('Animation & children');
    expect(genreGroup(['Documentary'])).toBe('Other');
  });
});
