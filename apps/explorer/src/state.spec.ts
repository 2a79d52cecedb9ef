// Given a view of the page (film, k, filters, basis, mood), when it is written into the
// URL and read back, then the same view comes back; defaults stay out of the URL, and a
// malformed URL falls back to the defaults instead of breaking the page.
import { DEFAULT_FILTER_FORM, DEFAULT_K } from './api/queries';
import { searchToView, viewToSearch, type UrlView } from './state';

const plain: UrlView = { film: null, k: DEFAULT_K, form: DEFAULT_FILTER_FORM, basis: null, mood: [], rated: [], show: null };

describe('the URL of a view', () => {
  it('is empty for a plain visit (only good films on, k 10)', () => {
    expect(viewToSearch(plain)).toBe('');
    expect(searchToView('')).toEqual(plain);
  });

  it('round-trips film, k, every filter, basis and the mood, titles with commas and ampersands intact', () => {
    const view: UrlView = {
      film: 'Matrix, The (1999)',
      k: 7,
      form: {
        genres: ['Drama', 'Sci-Fi'],
        excludeGenres: ['Horror'],
        yearFrom: '1990',
        yearTo: '1999',
        onlyGood: false,
        minAverageRating: '3',
        minRatingCount: '0',
      },
      basis: 'AUDIENCE',
      mood: ['Amelie (Fabuleux destin d’Amélie Poulain, Le) (2001)', 'Fast & Furious (2009)'],
      rated: [
        { title: 'Star Wars: Episode IV - A New Hope (1977)', rating: 4.5 },
        { title: 'Heat (1995)', rating: 0.5 },
      ],
      show: 'mood',
    };
    const search = viewToSearch(view);
    expect(searchToView(search)).toEqual(view);
    expect(search).toContain('good=0');
    expect(search).toContain('genre=Drama&genre=Sci-Fi');
    expect(search).toContain('show=mood');
    expect(searchToView(viewToSearch({ ...view, show: 'ratings' })).show).toBe('ratings');
    expect(search).toContain('basis=audience');
    expect(viewToSearch({ ...plain, basis: 'BLEND' })).toBe('');
  });

  it('drops ratings it cannot read: stars off the half-star scale, no title', () => {
    const v = searchToView('?rated=4.5:Heat%20(1995)&rated=6:X&rated=4.3:Y&rated=:Z&rated=3:&rated=nocolon&show=ratings');
    expect(v.rated).toEqual([{ title: 'Heat (1995)', rating: 4.5 }]);
    expect(v.show).toBe('ratings');
    expect(searchToView('?show=ratings').show).toBeNull();
  });

  it('ignores what it does not know: a bad basis, k out of range, show=mood without a mood', () => {
    const v = searchToView('?basis=magic&k=5000&show=mood&film=%20%20');
    expect(v.basis).toBeNull();
    expect(v.k).toBe(100);
    expect(v.show).toBeNull();
    expect(v.film).toBeNull();
    expect(searchToView('?basis=taste').basis).toBe('TASTE');
    expect(searchToView('?k=abc').k).toBe(DEFAULT_K);
  });

  it('keeps typed values as typed, so the form can say what is wrong with them', () => {
    expect(searchToView('?from=19x9').form.yearFrom).toBe('19x9');
    expect(searchToView('?good=1').form.onlyGood).toBe(true);
  });
});
