// Given what a person typed in the filter form, when the page builds the GraphQL
// variables, then the API gets exactly the constraints shown, or nothing is sent and
// the form says what is wrong.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BASES,
  DEFAULT_BASIS,
  EMPTY_FILTER_FORM,
  GOOD_FILM_MIN_AVERAGE,
  SIMILAR_QUERY,
  SIMILAR_WITH_MOVIE_QUERY,
  MOOD_QUERY,
  buildFilter,
  parseBasis,
  parseK,
  titleQueryFor,
} from './queries';
import { parse } from 'graphql';

const form = (over: Partial<typeof EMPTY_FILTER_FORM>) => ({ ...EMPTY_FILTER_FORM, ...over });

describe('buildFilter', () => {
  it('sends no filter when the form is empty (server defaults apply)', () => {
    expect(buildFilter(EMPTY_FILTER_FORM)).toEqual({ errors: [] });
  });

  it('"only good films" sets the 3.5 floor, and a higher typed minimum wins', () => {
    expect(GOOD_FILM_MIN_AVERAGE).toBe(3.5);
    expect(buildFilter(form({ onlyGood: true })).filter).toEqual({ minAverageRating: 3.5 });
    expect(buildFilter(form({ onlyGood: true, minAverageRating: '4.2' })).filter).toEqual({ minAverageRating: 4.2 });
    expect(buildFilter(form({ onlyGood: true, minAverageRating: '2' })).filter).toEqual({ minAverageRating: 3.5 });
    expect(buildFilter(form({ minAverageRating: '3' })).filter).toEqual({ minAverageRating: 3 });
  });

  it('passes genres, exclusions, years and counts as typed, deduplicated', () => {
    const b = buildFilter(
      form({ genres: ['Drama', 'War', 'Drama'], excludeGenres: ['Horror'], yearFrom: ' 1990', yearTo: '1999 ', minRatingCount: '0' }),
    );
    expect(b).toEqual({
      errors: [],
      filter: { genres: ['Drama', 'War'], excludeGenres: ['Horror'], yearFrom: 1990, yearTo: 1999, minRatingCount: 0 },
    });
  });

  it('names each bad field and sends nothing for it', () => {
    const b = buildFilter(
      form({ yearFrom: '2001', yearTo: '1990', minAverageRating: '6', minRatingCount: '-3', genres: ['Drama'], excludeGenres: ['Drama'] }),
    );
    expect(b.errors).toEqual([
      'Drama cannot be both wanted and excluded',
      'From year (2001) is after To year (1990); swap them',
      'Minimum average rating must be a number from 0 to 5 (got "6")',
      'Minimum number of ratings must be a whole number from 0 to 100000000 (got "-3")',
    ]);
    expect(buildFilter(form({ yearFrom: '19x5' })).errors).toEqual(['From year must be a whole number from 1800 to 2200 (got "19x5")']);
  });
});

describe('parseK', () => {
  it('keeps k inside the API range 1..100 and falls back to 10 on nonsense', () => {
    expect([parseK('5'), parseK(' 0'), parseK('250'), parseK('7.6'), parseK('abc'), parseK('')]).toEqual([5, 1, 100, 8, 10, 1]);
  });
});

describe('titleQueryFor', () => {
  it('sends the year with the title so namesakes resolve to this film', () => {
    expect(titleQueryFor({ title: 'Hamlet (1996)', year: 1996 })).toBe('Hamlet (1996)');
    expect(titleQueryFor({ title: 'Hamlet', year: 1996 })).toBe('Hamlet (1996)');
    expect(titleQueryFor({ title: 'Hyena Road', year: null })).toBe('Hyena Road');
  });
});

describe('query documents', () => {
  it('parse as GraphQL and name the operations the page sends', () => {
    expect(() => parse(SIMILAR_QUERY)).not.toThrow();
    expect(() => parse(MOOD_QUERY)).not.toThrow();
  });
});

describe('parseBasis (the basis select and the URL parameter `basis`)', () => {
  it('reads any case, and anything else is the API default BLEND', () => {
    expect(parseBasis('taste')).toBe('TASTE');
    expect(parseBasis(' Audience ')).toBe('AUDIENCE');
    expect(parseBasis('BLEND')).toBe('BLEND');
    expect(parseBasis(null)).toBe(DEFAULT_BASIS);
    expect(parseBasis('colour')).toBe('BLEND');
  });

  it('every basis the page offers is one the schema knows, and the neighbour queries pass it', () => {
    const schema = readFileSync(join(__dirname, '../../../gateway/schema.graphql'), 'utf8');
    const values = /enum SimilarityBasis \{([\s\S]*?)\}/
      .exec(schema)![1]
      .match(/^\s+([A-Z]+)$/gm)!
      .map((v) => v.trim());
    expect([...BASES].sort()).toEqual(values.sort());
    for (const q of [SIMILAR_QUERY, MOOD_QUERY, SIMILAR_WITH_MOVIE_QUERY]) expect(q).toMatch(/basis: \$basis/);
  });
});
