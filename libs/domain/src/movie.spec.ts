import { imdbUrl, isValidRating, tmdbUrl } from './movie';

describe('isValidRating', () => {
  it('accepts the ten half-star scores', () => {
    for (let i = 1; i <= 10; i++) expect(isValidRating(i / 2)).toBe(true);
  });

  it.each([0, 0.25, 5.5, 4.4, -1, NaN, Infinity, '4.0', null, undefined])('rejects %p', (x) => {
    expect(isValidRating(x)).toBe(false);
  });
});

describe('imdbUrl / tmdbUrl', () => {
  it.each([
    [114709, 'https://www.imdb.com/title/tt0114709/'],
    ['0114709', 'https://www.imdb.com/title/tt0114709/'],
    ['tt0114709', 'https://www.imdb.com/title/tt0114709/'],
    [10872600, 'https://www.imdb.com/title/tt10872600/'],
    [62, 'https://www.imdb.com/title/tt0000062/'],
    [null, null],
    ['', null],
    ['abc', null],
    [0, null],
  ])('imdbUrl(%p) = %p', (id, url) => {
    expect(imdbUrl(id)).toBe(url);
  });

  it.each([
    [862, 'https://www.themoviedb.org/movie/862'],
    ['862', 'https://www.themoviedb.org/movie/862'],
    [null, null],
    [-3, null],
    [1.5, null],
  ])('tmdbUrl(%p) = %p', (id, url) => {
    expect(tmdbUrl(id)).toBe(url);
  });
});
