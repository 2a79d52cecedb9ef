// What the page is showing, in one object, and its mirror in the URL: the selected film
// (or the mood's films), k, the filter form, the basis and the mood. Everything a view
// depends on is in the URL, so it can be shared or reloaded and comes back the same.
// The URL mapping is pure (viewToSearch / searchToView), unit-tested in state.spec.ts.
import { DEFAULT_FILTER_FORM, DEFAULT_K, parseK, titleQueryFor, type FilterForm, BASES } from './api/queries';
import type { FilmRef, Listed, MovieFilter } from './api/types';

/** A film the visitor rated (0.5..5 stars, in halves). */
export interface VisitorRating {
  movie: FilmRef;
  rating: number;
}

export interface State {
  /** What the results show: the chosen film's neighbours, the mood's, or recommendations from the visitor's ratings. */
  mode: 'film' | 'mood' | 'ratings';
  /** What is sent as `title`; `movie` once the server has named it. */
  selected: { title: string; movie?: FilmRef } | null;
  mood: FilmRef[];
  ratings: VisitorRating[];
  k: number;
  /** The filter form as typed (what the URL keeps); `filter` is what it means to the API. */
  form: FilterForm;
  filter?: MovieFilter;
  /** BLEND | TASTE | AUDIENCE (issue 13's basis select); kept in the URL as given. */
  basis?: string;
  /** What the results list shows now. */
  neighbours: Listed[];
}

export function createState(): State {
  return { mode: 'film', selected: null, mood: [], ratings: [], k: DEFAULT_K, form: { ...DEFAULT_FILTER_FORM }, neighbours: [] };
}

/** A view as the URL carries it: titles (with their year), not ids, so a URL stays readable. */
export interface UrlView {
  film: string | null;
  k: number;
  form: FilterForm;
  basis: string | null;
  mood: string[];
  /** Films the visitor rated: title (with its year) and stars. */
  rated: { title: string; rating: number }[];
  /** What the results show besides the chosen film's neighbours. */
  show: 'mood' | 'ratings' | null;
}

/** Stars a visitor can give: 0.5..5 in halves (MovieLens' scale). */
export function parseStars(raw: string): number | null {
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0.5 && n <= 5 && Number.isInteger(n * 2) ? n : null;
}

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
  // Lower case and BLEND (the API's default) left out, as issue 13's basis select writes it.
  if (v.basis && v.basis !== 'BLEND') q.set('basis', v.basis.toLowerCase());
  for (const t of v.mood) q.append('mood', t);
  // Stars first: a title may hold any character, a colon included.
  for (const r of v.rated) q.append('rated', `${r.rating}:${r.title}`);
  if (v.show) q.set('show', v.show);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The view a URL asks for; anything unknown or malformed falls back to the default (the form then says what is wrong). */
export function searchToView(search: string): UrlView {
  const q = new URLSearchParams(search);
  const good = q.get('good');
  const basis = q.get('basis')?.toUpperCase() ?? null;
  const mood = q.getAll('mood').filter((t) => t.trim() !== '');
  const rated = q.getAll('rated').flatMap((r) => {
    const at = r.indexOf(':');
    const rating = parseStars(r.slice(0, at));
    const title = r.slice(at + 1).trim();
    return at > 0 && rating !== null && title !== '' ? [{ title, rating }] : [];
  });
  const show = q.get('show');
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
    basis: basis && (BASES as readonly string[]).includes(basis) ? basis : null,
    mood,
    rated,
    show: show === 'mood' && mood.length > 0 ? 'mood' : show === 'ratings' && rated.length > 0 ? 'ratings' : null,
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
    rated: state.ratings.map((r) => ({ title: titleQueryFor(r.movie), rating: r.rating })),
    show: state.mode === 'film' ? null : state.mode,
  };
}

/** Writes the view into the address bar (replacing the entry, not adding one). */
export function syncUrl(state: State): void {
  const s = viewToSearch(stateToView(state));
  history.replaceState(null, '', s || location.pathname);
}

/** The films drawn as "selected": the picked film, the mood's films, or the films the visitor rated. */
export function selectedIds(state: State): number[] {
  if (state.mode === 'mood') return state.mood.map((m) => m.id);
  if (state.mode === 'ratings') return state.ratings.map((r) => r.movie.id);
  return state.selected?.movie ? [state.selected.movie.id] : [];
}
