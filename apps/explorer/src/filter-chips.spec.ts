// Given a filter form, when the page shows the applied filters as chips, then each
// constraint has one chip in a fan's words, and removing a chip lifts exactly that one.
import { DEFAULT_FILTER_FORM, EMPTY_FILTER_FORM, buildFilter, type FilterForm } from './api/queries';
import { filterChips, filterSummary } from './filter-chips';

const form = (over: Partial<FilterForm>): FilterForm => ({ ...EMPTY_FILTER_FORM, ...over });
const labels = (f: FilterForm) => filterChips(f).map((c) => c.label);

describe('filter chips', () => {
  it('none for an empty form; one for the default "only good films"', () => {
    expect(filterChips(EMPTY_FILTER_FORM)).toEqual([]);
    expect(filterSummary(EMPTY_FILTER_FORM)).toBe('');
    expect(labels(DEFAULT_FILTER_FORM)).toEqual(['only good films (3.5+ average)']);
  });

  it('one chip per constraint, in words', () => {
    const f = form({
      genres: ['Drama', 'War'],
      excludeGenres: ['Horror'],
      yearFrom: '1990',
      yearTo: '1999',
      minAverageRating: '4',
      minRatingCount: '1000',
    });
    expect(labels(f)).toEqual(['Drama', 'War', 'no Horror', 'released 1990–1999', '4+ average', '1,000+ ratings']);
    expect(labels(form({ yearFrom: '2000' }))).toEqual(['released 2000 or later']);
    expect(labels(form({ yearTo: '1960' }))).toEqual(['released 1960 or earlier']);
    expect(labels(form({ minRatingCount: '0' }))).toEqual(['rarely rated films too']);
  });

  it('shows the rating bar that applies: the typed minimum when higher than "good", else "good"', () => {
    expect(labels(form({ onlyGood: true, minAverageRating: '4.2' }))).toEqual(['4.2+ average']);
    expect(labels(form({ onlyGood: true, minAverageRating: '2' }))).toEqual(['only good films (3.5+ average)']);
  });

  it('removing a chip lifts that constraint and nothing else (the filter sent changes the same way)', () => {
    const f = form({ genres: ['Drama', 'War'], yearFrom: '1990', onlyGood: true });
    const drama = filterChips(f).find((c) => c.key === 'genre:Drama')!;
    expect(buildFilter(drama.without(f)).filter).toEqual({ genres: ['War'], yearFrom: 1990, minAverageRating: 3.5 });
    const years = filterChips(f).find((c) => c.key === 'years')!;
    expect(buildFilter(years.without(f)).filter).toEqual({ genres: ['Drama', 'War'], minAverageRating: 3.5 });
    const good = filterChips(f).find((c) => c.key === 'good')!;
    expect(buildFilter(good.without(f)).filter).toEqual({ genres: ['Drama', 'War'], yearFrom: 1990 });
    // After any removal, no chip is left for the removed constraint.
    for (const c of filterChips(f)) expect(filterChips(c.without(f)).map((x) => x.key)).not.toContain(c.key);
  });
});
