import { formatTable } from './table';

describe('formatTable', () => {
  it('pads columns to their widest cell, right-aligns the numbers, underlines the head', () => {
    const t = formatTable(
      [
        ['dump', '', '1,000', '9'],
        ['1. min-avg-rating', 'average ≥ 3.5', '600', '10'],
      ],
      { head: ['step', 'keeps', 'ratings', 'movies'], alignRight: (c) => c >= 2 },
    );
    expect(t.split('\n')).toEqual([
      'step               keeps          ratings  movies',
      '-----------------  -------------  -------  ------',
      'dump                                1,000       9',
      '1. min-avg-rating  average ≥ 3.5      600      10',
    ]);
  });

  it('leaves no trailing blanks, and without a head prints only the rows', () => {
    expect(
      formatTable([
        ['a', ''],
        ['long key', 'v'],
      ]),
    ).toBe('a\nlong key  v');
  });
});
