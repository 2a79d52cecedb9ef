// The map panel: the most-rated films on their first two principal components
// (pcaProjection), the selection and its neighbours highlighted; a click selects a film.
import { graphql } from '../api/client';
import { MAP_QUERY } from '../api/queries';
import type { MovieProjection } from '../api/types';
import type { Elements } from '../elements';
import { selectedIds, type State } from '../state';
import { createFilmMap } from '../ui/film-map';

const MAP_SIZE = 400;

export type MapPanel = ReturnType<typeof createMapPanel>;

export function createMapPanel(state: State, els: Elements, onPick: (p: MovieProjection) => void) {
  const map = createFilmMap(els.map, onPick);
  /** Highlights the selection and the neighbours shown; returns how many of them are on the map. */
  const highlightSelection = () =>
    map.highlight(
      selectedIds(state),
      state.neighbours.map((n) => n.movie.id),
    );
  const load = async () => {
    els.mapStatus.textContent = 'Drawing the map…';
    try {
      const d = await graphql<{ pcaProjection: MovieProjection[] }>(MAP_QUERY, { limit: MAP_SIZE });
      map.setPoints(d.pcaProjection);
      els.map.setAttribute('aria-label', `Map of the ${d.pcaProjection.length} most-rated films by the first two principal components`);
      els.mapStatus.textContent = `${d.pcaProjection.length} films on the map.`;
      if (state.neighbours.length > 0) highlightSelection();
    } catch (err) {
      els.mapStatus.textContent = `The map could not be drawn: ${(err as Error).message}`;
    }
  };
  return {
    load,
    highlightSelection,
    highlight: (selected: number[], neighbours: number[]) => map.highlight(selected, neighbours),
    selectedCount: () => selectedIds(state).length,
    pointPosition: (id: number) => map.pointPosition(id),
    get size() {
      return map.size;
    },
  };
}
