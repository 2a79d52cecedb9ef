// The filter form and k, and the applied filters as removable chips under the search box.
// Genres are two compact multi-selects (a disclosure each: one Tab stop while closed);
// typed values are checked as they are typed (the messages say what is wrong) and
// applied after a pause so typing "1995" does not send 1, 19, 199 first. The form can
// be set from outside (a shared URL, a removed chip).
import { buildFilter, DEFAULT_FILTER_FORM, DEFAULT_K, parseK, type FilterForm } from '../api/queries';
import type { MovieFilter } from '../api/types';
import type { Elements } from '../elements';
import { filterChips } from '../filter-chips';
import { GENRE_PRIORITY } from '../format';
import { byId, fill, h } from '../ui/dom';

const COUNT = new Intl.NumberFormat('en-US');

/** Called with the form as typed, the valid filter it means and k, whenever the form changes. */
export type ApplyFilters = (form: FilterForm, filter: MovieFilter | undefined, k: number) => void;

// eslint-disable-next-line max-lines-per-function -- a panel: the form's handlers close over its elements; each is named inside
export function createFiltersPanel(els: Elements, apply: ApplyFilters) {
  genreBoxes('genre-include', 'genres');
  genreBoxes('genre-exclude', 'excludeGenres');
  const readForm = (): FilterForm => {
    const f = new FormData(els.filters);
    const s = (k: string) => String(f.get(k) ?? '');
    return {
      genres: f.getAll('genres').map(String),
      excludeGenres: f.getAll('excludeGenres').map(String),
      yearFrom: s('yearFrom'),
      yearTo: s('yearTo'),
      onlyGood: f.get('onlyGood') !== null,
      minAverageRating: s('minAverageRating'),
      minRatingCount: s('minRatingCount'),
    };
  };
  const writeForm = (form: FilterForm, k?: number) => {
    for (const box of els.filters.querySelectorAll<HTMLInputElement>('input[name=genres]')) box.checked = form.genres.includes(box.value);
    for (const box of els.filters.querySelectorAll<HTMLInputElement>('input[name=excludeGenres]'))
      box.checked = form.excludeGenres.includes(box.value);
    els.yearFrom.value = form.yearFrom;
    els.yearTo.value = form.yearTo;
    els.onlyGood.checked = form.onlyGood;
    els.minAvg.value = form.minAverageRating;
    els.minCount.value = form.minRatingCount;
    if (k !== undefined) els.k.value = String(k);
  };
  const showChips = (form: FilterForm) => {
    const chips = filterChips(form);
    fill(
      els.filterChips,
      ...chips.map((c) => {
        const remove = h('button', { type: 'button', 'aria-label': c.removeLabel, title: 'Remove' }, '×');
        remove.addEventListener('click', () => {
          writeForm(c.without(readForm()));
          applyNow();
          // The chip is gone: keep the keyboard in the chip row (or the search box when it emptied).
          (els.filterChips.querySelector('button') ?? els.search).focus();
        });
        return h('li', { 'data-chip': c.key }, c.label, remove);
      }),
    );
    els.activeFilters.hidden = chips.length === 0;
    els.filtersCount.textContent = chips.length === 0 ? '· none' : `· ${chips.length} on`;
    els.genreIncludeSummary.textContent = form.genres.length === 0 ? 'any' : form.genres.join(', ');
    els.genreExcludeSummary.textContent = form.excludeGenres.length === 0 ? 'nothing' : form.excludeGenres.join(', ');
  };
  const applyNow = () => {
    const form = readForm();
    const { filter, errors } = buildFilter(form);
    const k = parseK(els.k.value);
    showChips(form);
    if (errors.length > 0) {
      els.filterErrors.textContent = errors.join('. ') + '.';
      els.filterErrors.hidden = false;
      return;
    }
    els.filterErrors.hidden = true;
    apply(form, filter, k);
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
  // Reset goes back to the visitor's defaults ("only good films" on), not to an empty form.
  els.filters.addEventListener('reset', (e) => {
    e.preventDefault();
    writeForm(DEFAULT_FILTER_FORM, DEFAULT_K);
    applyNow();
  });
  return {
    /** Names each genre's count of films cinemap can answer about; genres with none are hidden unless chosen. */
    setGenreCounts(counts: { name: string; inModel: number }[]) {
      const by = new Map(counts.map((c) => [c.name, c.inModel]));
      for (const box of els.filters.querySelectorAll<HTMLInputElement>('.genre-grid input')) {
        const n = by.get(box.value) ?? 0;
        const label = box.parentElement!;
        label.lastChild!.textContent = `${box.value} (${COUNT.format(n)})`;
        label.hidden = n === 0 && !box.checked;
      }
    },
    /** Puts a form (from a shared URL) into the fields and shows its chips; returns its filter, or undefined with the errors shown. */
    load(form: FilterForm, k: number): { filter?: MovieFilter; valid: boolean } {
      writeForm(form, k);
      const { filter, errors } = buildFilter(readForm());
      showChips(readForm());
      els.filterErrors.textContent = errors.length > 0 ? errors.join('. ') + '.' : '';
      els.filterErrors.hidden = errors.length === 0;
      return { filter, valid: errors.length === 0 };
    },
  };
}

function genreBoxes(containerId: string, name: 'genres' | 'excludeGenres') {
  const sorted = [...GENRE_PRIORITY].sort();
  fill(byId(containerId), ...sorted.map((g) => h('label', {}, h('input', { type: 'checkbox', name, value: g }), g)));
}
