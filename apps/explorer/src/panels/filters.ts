// The filter form and k: genre boxes built from the known genres, typed values checked
// as they are typed (the messages say what is wrong), applied after a pause so typing
// "1995" does not send 1, 19, 199 first.
import { buildFilter, EMPTY_FILTER_FORM, parseK, type FilterForm } from '../api/queries';
import type { MovieFilter } from '../api/types';
import type { Elements } from '../elements';
import { GENRE_PRIORITY } from '../format';
import { byId, fill, h } from '../ui/dom';

/** Called with a valid filter and k whenever the form changes. */
export type ApplyFilters = (filter: MovieFilter | undefined, k: number) => void;

export function createFiltersPanel(els: Elements, apply: ApplyFilters) {
  genreBoxes('genre-include', 'genres');
  genreBoxes('genre-exclude', 'excludeGenres');
  const readForm = (): FilterForm => {
    const f = new FormData(els.filters);
    const s = (k: string) => String(f.get(k) ?? '');
    return {
      ...EMPTY_FILTER_FORM,
      genres: f.getAll('genres').map(String),
      excludeGenres: f.getAll('excludeGenres').map(String),
      yearFrom: s('yearFrom'),
      yearTo: s('yearTo'),
      onlyGood: f.get('onlyGood') !== null,
      minAverageRating: s('minAverageRating'),
      minRatingCount: s('minRatingCount'),
    };
  };
  const applyNow = () => {
    const { filter, errors } = buildFilter(readForm());
    const k = parseK(els.k.value);
    if (errors.length > 0) {
      els.filterErrors.textContent = errors.join('. ') + '.';
      els.filterErrors.hidden = false;
      return;
    }
    els.filterErrors.hidden = true;
    apply(filter, k);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const changed = () => {
    clearTimeout(timer);
    // Typing "1995" in a year box must not send 1, 19, 199 first.
    timer = setTimeout(applyNow, 250);
  };
  els.filters.addEventListener('input', changed);
  els.filters.addEventListener('change', changed);
  els.filters.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(timer);
    applyNow();
  });
  els.filters.addEventListener('reset', () => setTimeout(applyNow, 0));
}

function genreBoxes(containerId: string, name: 'genres' | 'excludeGenres') {
  const sorted = [...GENRE_PRIORITY].sort();
  fill(byId(containerId), ...sorted.map((g) => h('label', {}, h('input', { type: 'checkbox', name, value: g }), g)));
}
