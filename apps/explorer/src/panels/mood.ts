// The mood panel: films gathered to find what lies near all of them (similarToMany).
import { displayTitle } from '../format';
import type { Elements } from '../elements';
import type { FilmRef } from '../api/types';
import type { State } from '../state';
import { fill, h } from '../ui/dom';

export interface MoodActions {
  /** The mood changed (a film added or removed, or cleared): keep the URL in step. */
  changed(): void;
  /** Show the neighbours of the mood's films. */
  run(): void;
  /** The mood, shown in the results, lost its last film (or was cleared). */
  emptied(): void;
  /** The mood, shown in the results, changed and still has films. */
  rerun(): void;
}

export function createMoodPanel(state: State, els: Elements, actions: MoodActions) {
  const render = () => {
    fill(els.moodList, ...state.mood.map(item));
    const sel = state.selected?.movie;
    els.moodAdd.disabled = !sel || state.mood.some((x) => x.id === sel.id);
    els.moodRun.disabled = state.mood.length < 2;
    els.moodClear.disabled = state.mood.length === 0;
    els.moodCount.textContent = state.mood.length === 0 ? '· empty' : `· ${state.mood.length} film${state.mood.length === 1 ? '' : 's'}`;
  };
  const item = (m: FilmRef) => {
    const remove = h('button', { type: 'button', 'aria-label': `Remove ${displayTitle(m)} from the mood`, title: 'Remove' }, '×');
    remove.addEventListener('click', () => {
      state.mood = state.mood.filter((x) => x.id !== m.id);
      render();
      actions.changed();
      if (state.mode === 'mood') {
        if (state.mood.length > 0) actions.rerun();
        else actions.emptied();
      }
    });
    return h('li', { 'data-movie-id': m.id }, displayTitle(m), remove);
  };
  const add = (m: FilmRef) => {
    if (!state.mood.some((x) => x.id === m.id)) state.mood.push(m);
    render();
    actions.changed();
  };
  els.moodAdd.addEventListener('click', () => state.selected?.movie && add(state.selected.movie));
  els.moodClear.addEventListener('click', () => {
    state.mood = [];
    render();
    actions.changed();
    if (state.mode === 'mood') actions.emptied();
  });
  els.moodRun.addEventListener('click', () => actions.run());
  return { render, add };
}
