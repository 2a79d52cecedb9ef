// The visitor's own ratings: stars for films they have seen, gathered as chips, then
// "Recommend for me" shows what the model predicts they would rate highest (the
// gateway folds the visitor in against the fixed film vectors: recommendFor).
import type { FilmRef } from '../api/types';
import type { Elements } from '../elements';
import { displayTitle } from '../format';
import { parseStars, type State } from '../state';
import { fill, h } from '../ui/dom';

export interface RatingsActions {
  /** The ratings changed: keep the URL in step. */
  changed(): void;
  /** Show the recommendations. */
  run(): void;
  /** The ratings, shown in the results, changed (still some) or emptied. */
  rerun(): void;
  emptied(): void;
}

/** How many ratings make recommendations worth asking for (the help says three work best). */
export const MIN_RATINGS = 1;
/** The most ratings one request carries (the API's MAX_VISITOR_RATINGS): past it, re-rating only. */
export const MAX_RATINGS = 100;

export function createRatingsPanel(state: State, els: Elements, actions: RatingsActions) {
  const afterChange = () => {
    render();
    actions.changed();
    if (state.mode !== 'ratings') return;
    if (state.ratings.length >= MIN_RATINGS) actions.rerun();
    else actions.emptied();
  };
  const item = (r: { movie: FilmRef; rating: number }) => {
    const name = displayTitle(r.movie);
    const remove = h('button', { type: 'button', 'aria-label': `Remove your rating of ${name}`, title: 'Remove' }, '×');
    remove.addEventListener('click', () => {
      state.ratings = state.ratings.filter((x) => x.movie.id !== r.movie.id);
      afterChange();
    });
    return h('li', { 'data-movie-id': r.movie.id, 'data-rating': r.rating }, `${name}: ${r.rating} of 5`, remove);
  };
  const render = () => {
    fill(els.ratingsList, ...state.ratings.map(item));
    const sel = state.selected?.movie;
    const already = !!sel && state.ratings.some((x) => x.movie.id === sel.id);
    els.rateAdd.disabled = !sel || (!already && state.ratings.length >= MAX_RATINGS);
    els.rateAdd.textContent = already ? 'Change my stars' : 'Rate it';
    els.ratingsRun.disabled = state.ratings.length < MIN_RATINGS;
    els.ratingsClear.disabled = state.ratings.length === 0;
    const n = state.ratings.length;
    els.ratingsCount.textContent = n === 0 ? '· none yet' : `· ${n} film${n === 1 ? '' : 's'}`;
  };
  const rate = (movie: FilmRef, rating: number) => {
    state.ratings = [...state.ratings.filter((x) => x.movie.id !== movie.id), { movie, rating }];
    afterChange();
  };
  els.rateAdd.addEventListener('click', () => {
    const stars = parseStars(els.myStars.value);
    if (state.selected?.movie && stars !== null) rate(state.selected.movie, stars);
  });
  els.ratingsClear.addEventListener('click', () => {
    state.ratings = [];
    afterChange();
  });
  els.ratingsRun.addEventListener('click', () => actions.run());
  return { render, rate };
}
