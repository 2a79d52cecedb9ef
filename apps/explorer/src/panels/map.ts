// The map panel: the most-rated films on their first two principal components
// (pcaProjection), the chosen film and its neighbours highlighted, films the filters
// leave out dimmed; zoom buttons; with the keyboard, arrow keys move a cursor from film
// to film (its title is announced) and Enter chooses it.
import { ApiError, graphql } from '../api/client';
import { MAP_QUERY } from '../api/queries';
import type { MovieFilter, MovieProjection } from '../api/types';
import type { Elements } from '../elements';
import { displayTitle, formatGenres } from '../format';
import type { Direction } from '../map-nav';
import { panelFailed } from '../messages';
import { selectedIds, type State } from '../state';
import { createFilmMap, type HighlightLabels } from '../ui/film-map';

const MAP_SIZE = 400;

export type MapPanel = ReturnType<typeof createMapPanel>;

const LABELS: Record<State['mode'], HighlightLabels> = {
  film: { selected: 'Chosen film', neighbours: 'Films like it' },
  mood: { selected: 'Films of the mood', neighbours: 'Films near them' },
  ratings: { selected: 'Films you rated', neighbours: 'Recommended for you' },
};

const ARROWS: Record<string, Direction> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };

function cursorText(p: MovieProjection | null): string {
  return p ? `${displayTitle(p.movie)} — ${formatGenres(p.movie.genres)}. Enter chooses it.` : '';
}

/** Arrow keys, Enter, + / − / 0 on the focused map; returns whether the key was the map's. */
function mapKey(e: KeyboardEvent, map: ReturnType<typeof createFilmMap>, els: Elements, onPick: (p: MovieProjection) => void): boolean {
  const dir = ARROWS[e.key];
  if (dir) els.mapCursor.textContent = cursorText(map.moveCursor(map.cursorFilm() ? dir : 'start'));
  else if (e.key === 'Enter' || e.key === ' ') {
    const p = map.cursorFilm() ?? map.moveCursor('start');
    if (p) onPick(p);
  } else if (e.key === '+' || e.key === '=') map.zoomIn();
  else if (e.key === '-' || e.key === '_') map.zoomOut();
  else if (e.key === '0') map.resetView();
  else if (e.key === 'Escape') {
    map.clearCursor();
    els.mapCursor.textContent = '';
  } else return false;
  return true;
}

export function createMapPanel(state: State, els: Elements, onPick: (p: MovieProjection) => void) {
  const map = createFilmMap(els.map, onPick);
  /** Highlights the selection and the neighbours shown; returns how many of them are on the map. */
  const highlightSelection = () =>
    map.highlight(
      selectedIds(state),
      state.neighbours.map((n) => n.movie.id),
      LABELS[state.mode],
    );
  els.mapBox.addEventListener('keydown', (e) => {
    if (mapKey(e, map, els, onPick)) e.preventDefault();
  });
  els.mapBox.addEventListener('focus', () => {
    if (!map.cursorFilm()) els.mapCursor.textContent = cursorText(map.moveCursor('start'));
  });
  els.mapZoomIn.addEventListener('click', () => map.zoomIn());
  els.mapZoomOut.addEventListener('click', () => map.zoomOut());
  els.mapReset.addEventListener('click', () => map.resetView());
  const load = async () => {
    els.mapStatus.textContent = 'Drawing the map…';
    try {
      const d = await graphql<{ pcaProjection: MovieProjection[] }>(MAP_QUERY, { limit: MAP_SIZE });
      map.setPoints(d.pcaProjection);
      els.mapBox.setAttribute('aria-label', `Map of the ${d.pcaProjection.length} most-rated films; arrow keys move between them`);
      els.mapStatus.textContent = `${d.pcaProjection.length} films on the map.`;
      if (state.neighbours.length > 0) highlightSelection();
    } catch (err) {
      console.warn('cinemap: map:', err);
      els.mapStatus.textContent = panelFailed('The map', err instanceof ApiError ? err.code : 'UNKNOWN');
    }
  };
  return {
    load,
    highlightSelection,
    highlight: (selected: number[], neighbours: number[]) => map.highlight(selected, neighbours),
    setFilter: (f: MovieFilter | undefined) => map.setFilter(f),
    selectedCount: () => selectedIds(state).length,
    pointPosition: (id: number) => map.pointPosition(id),
    get size() {
      return map.size;
    },
  };
}
