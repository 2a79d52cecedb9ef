import { canonicalGenre, formatGenres, isMovieLensGenre, MOVIELENS_GENRES, parseGenres } from './genres';

describe('parseGenres', () => {
  it.each([
    ['Adventure|Animation|Children|Comedy|Fantasy', ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy']],
    ['Drama', ['Drama']],
    ['(no genres listed)', []],
    ['', []],
    [' Action | Sci-Fi |', ['Action', 'Sci-Fi']],
    ['Drama|Drama|Film-Noir', ['Drama', 'Film-Noir']],
    ['Drama|Superhero', ['Drama', 'Superhero']],
  ])('%j', (field, expected) => {
    expect(parseGenres(field)).toEqual(expected);
  });

  it('round-trips with formatGenres', () => {
    expect(formatGenres([])).toBe('(no genres listed)');
    expect(parseGenres(formatGenres(['Crime', 'IMAX']))).toEqual(['Crime', 'IMAX']);
  });
});

describe('the MovieLens genre list', () => {
  it('has the 19 genres of the ml-latest README', () => {
    expect(MOVIELENS_GENRES).toHaveLength(19);
    expect(isMovieLensGenre('Film-Noir')).toBe(true);
    expect(isMovieLensGenre('(no genres listed)')).toBe(false);
    expect(isMovieLensGenre('film-noir')).toBe(false);
  });

  it.each([
    ['sci-fi', 'Sci-Fi'],
    ['SciFi', 'Sci-Fi'],
    ['film noir', 'Film-Noir'],
    ['imax', 'IMAX'],
    ['Drama', 'Drama'],
    ['Dramedy', null],
    ['', null],
  ])('canonicalGenre(%j) = %j', (name, expected) => {
    expect(canonicalGenre(name)).toBe(expected);
  });
});
