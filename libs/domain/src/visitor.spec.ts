// Given a visitor's list of ratings, every problem is named with its place in the list.
import { MAX_VISITOR_RATINGS, visitorRatingProblems } from './visitor';

describe('visitorRatingProblems', () => {
  it('accepts ids or titles with MovieLens ratings', () => {
    expect(
      visitorRatingProblems([
        { title: 'The Matrix', rating: 5 },
        { id: 1, rating: 0.5 },
        { title: 'Heat', rating: 3.5 },
      ]),
    ).toEqual([]);
  });

  it('names each bad entry by its index and field', () => {
    expect(
      visitorRatingProblems([
        { title: 'A', id: 3, rating: 4 },
        { rating: 4 },
        { id: -2, rating: 4 },
        { title: 'B', rating: 4.2 },
        { title: 'C', rating: 6 },
      ]),
    ).toEqual([
      'ratings[0] must give exactly one of id or title',
      'ratings[1] must give exactly one of id or title',
      'ratings[2].id must be a positive movie id (got -2)',
      'ratings[3].rating must be a MovieLens rating: 0.5 to 5 in steps of 0.5 (got 4.2)',
      'ratings[4].rating must be a MovieLens rating: 0.5 to 5 in steps of 0.5 (got 6)',
    ]);
  });

  it('bounds the list', () => {
    expect(visitorRatingProblems([])).toEqual([`ratings must hold 1 to ${MAX_VISITOR_RATINGS} ratings (got 0)`]);
    expect(visitorRatingProblems(Array(MAX_VISITOR_RATINGS + 1).fill({ id: 1, rating: 4 }))[0]).toMatch(/1 to 100 ratings \(got 101\)/);
  });
});
