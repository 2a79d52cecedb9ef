// What the page is showing, in one object, and its mirror in the URL: the selected film
// (or the mood's films), k, the basis and the filter. The URL keeps the selection, k and
// the basis, so a view can be shared or reloaded.
import { DEFAULT_BASIS, DEFAULT_K, titleQueryFor, type Basis } from './api/queries';
import type { FilmRef, MovieFilter, SimilarMovie } from './api/types';

export interface State {
  mode: 'film' | 'mood';
  /** What is sent as `title`; `movie` once the server has named it. */
  selected: { title: string; movie?: FilmRef } | null;
  mood: FilmRef[];
  k: number;
  /** What "similar" means for the neighbour lists. */
  basis: Basis;
  filter?: MovieFilter;
  neighbours: SimilarMovie[];
}

export function createState(): State {
  return { mode: 'film', selected: null, mood: [], k: DEFAULT_K, basis: DEFAULT_BASIS, neighbours: [] };
}

/** Writes the selection and k into the address bar (replacing the entry, not adding one). */
export function syncUrl(state: State): void {
  const q = new URLSearchParams();
  if (state.selected) q.set('film', state.selected.movie ? titleQueryFor(state.selected.movie) : state.selected.title);
  if (state.k !== DEFAULT_K) q.set('k', String(state.k));
  if (state.basis !== DEFAULT_BASIS) q.set('basis', state.basis.toLowerCase());
  const s = q.toString();
  history.replaceState(null, '', s ? `?${s}` : location.pathname);
}

/** The film, k and basis a shared URL asks for (null when absent). */
export function readUrl(search: string): { film: string | null; k: string | null; basis: string | null } {
  const q = new URLSearchParams(search);
  return { film: q.get('film'), k: q.get('k'), basis: q.get('basis') };
}

/** The films drawn as "selected": the picked film, or the mood's films. */
export function selectedIds(state: State): number[] {
  if (state.mode === 'mood') return state.mood.map((m) => m.id);
  return state.selected?.movie ? [state.selected.movie.id] : [];
}
