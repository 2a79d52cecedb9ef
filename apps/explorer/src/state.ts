// What the page is showing, in one object, and its mirror in the URL: the selected film
// (or the mood's films), k, the filter form, the basis and the mood. Everything a view
// depends on is in the URL, so it can be shared or reloaded and comes back the same.
// The URL mapping is pure (viewToSearch / searchToView), unit-tested in state.spec.ts.
import { DEFAULT_FILTER_FORM, DEFAULT_K, parseK, titleQueryFor, type FilterForm } from './api/queries';
import type { FilmRef, MovieFilter, SimilarMovie } from './api/types';

export interface State {
  mode: 'film' | 'mood';
  /** What is sent as `title`; `movie` once the server has named it. */
  selected: { title: string; movie?: FilmRef } | null;
  mood: FilmRef[];
  k: number;
  /** The filter form as typed (what the URL keeps); `filter` is what it means to the API. */
  form: FilterForm;
  filter?: MovieFilter;
  /** BLEND | TASTE | AUDIENCE (issue 13's basis select); kept in the URL as given. */
  basis?: string;
  neighbours: SimilarMovie[];
}

export function createState(): State {
  return { mode: 'film', selected: null, mood: [], k: DEFAULT_K, form: { ...DEFAULT_FILTER_FORM }, neighbours: [] };
}

/** A view as the URL carries it: titles (with their year), not ids, so a URL stays readable. */
export interface UrlView {
  film: string | null;
  k: number;
  form: FilterForm;
  basis: string | null;
  mood: string[];
  /** The results show the mood's neighbours rather than the film's. */
  showMood: boolean;
}

const BASES = ['BLEND', 'TASTE', 'AUDIENCE'];

/** The query string for a view: only what differs from the defaults, so a plain visit has a plain URL. */
export function viewToSearch(v: UrlView): string {
  const q = new URLSearchParams();
  if (v.film) q.set('film', v.film);
  if (v.k !== DEFAULT_K) q.set('k', String(v.k));
  for (const g of v.form.genres) q.append('genre', g);
  for (const g of v.form.excludeGenres) q.append('notGenre', g);
  if (v.form.yearFrom.trim()) q.set('from', v.form.yearFrom.trim());
  if (v.form.yearTo.trim()) q.set('to', v.form.yearTo.trim());
  if (v.form.onlyGood !== DEFAULT_FILTER_FORM.onlyGood) q.set('good', v.form.onlyGood ? '1' : '0');
  if (v.form.minAverageRating.trim()) q.set('minAvg', v.form.minAverageRating.trim());
  if (v.form.minRatingCount.trim()) q.set('minRatings', v.form.minRatingCount.trim());
  if (v.basis) q.set('basis', v.basis);
  for (const t of v.mood) q.append('mood', t);
  if (v.showMood && v.mood.length > 0) q.set('show', 'mood');
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The view a URL asks for; anything unknown or malformed falls back to the default (the form then says what is wrong). */
export function searchToView(search: string): UrlView {
  const q = new URLSearchParams(search);
  const good = q.get('good');
  const basis = q.get('basis')?.toUpperCase() ?? null;
  const mood = q.getAll('mood').filter((t) => t.trim() !== '');
  return {
    film: q.get('film')?.trim() || null,
    k: q.has('k') ? parseK(q.get('k') ?? '') : DEFAULT_K,
    form: {
      genres: q.getAll('genre'),
      excludeGenres: q.getAll('notGenre'),
      yearFrom: q.get('from') ?? '',
      yearTo: q.get('to') ?? '',
      onlyGood: good === null ? DEFAULT_FILTER_FORM.onlyGood : good !== '0',
      minAverageRating: q.get('minAvg') ?? '',
      minRatingCount: q.get('minRatings') ?? '',
    },
    basis: basis && BASES.includes(basis) ? basis : null,
    mood,
    showMood: q.get('show') === 'mood' && mood.length > 0,
  };
}

/** The URL view of the page's state. */
export function stateToView(state: State): UrlView {
  const film = state.selected ? (state.selected.movie ? titleQueryFor(state.selected.movie) : state.selected.title) : null;
  return {
    film,
    k: state.k,
    form: state.form,
    basis: state.basis ?? null,
    mood: state.mood.map(titleQueryFor),
    showMood: state.mode === 'mood',
  };
}

/** Writes the view into the address bar (replacing the entry, not adding one). */
export function syncUrl(state: State): void {
  const s = viewToSearch(stateToView(state));
  history.replaceState(null, '', s || location.pathname);
}

/** The films drawn as "selected": the picked film, or the mood's films. */
export function selectedIds(state: State): number[] {
  if (state.mode === 'mood') return state.mood.map((m) => m.id);
  return state.selected?.movie ? [state.selected.movie.id] : [];
}
