// The explorer page: wires the search box, the mood, the filters, the neighbour list,
// the map, the most/least appreciated lists and the model card to the public GraphQL
// API. State lives here; rendering helpers build DOM from API answers.
import './styles.css';
import { ApiError, graphql } from './api/client';
import {
  APPRECIATED_QUERY, DEFAULT_K, EMPTY_FILTER_FORM, MAP_QUERY, MODEL_QUERY, MOOD_QUERY, SIMILAR_QUERY, SIMILAR_WITH_MOVIE_QUERY,
  buildFilter, parseK, titleQueryFor, type FilterForm,
} from './api/queries';
import type { FilmRef, Movie, MovieFilter, MovieProjection, SimilarMovie } from './api/types';
import {
  GENRE_PRIORITY, displayTitle, formatAverage, formatBias, formatGenres, formatRatingCount, formatSimilarity, notFoundMessage, similarityPercent,
} from './format';
import { modelCard } from './model-card';
import { byId, fill, h } from './ui/dom';
import { createFilmMap } from './ui/film-map';
import { drawLossChart } from './ui/loss-chart';
import { createSearchBox } from './ui/search-box';

const MAP_SIZE = 400;
const APPRECIATED_SIZE = 8;

interface State {
  mode: 'film' | 'mood';
  /** What is sent as `title`; `movie` once the server has named it. */
  selected: { title: string; movie?: FilmRef } | null;
  mood: FilmRef[];
  k: number;
  filter?: MovieFilter;
  neighbours: SimilarMovie[];
}

const state: State = { mode: 'film', selected: null, mood: [], k: DEFAULT_K, neighbours: [] };

const els = {
  search: byId<HTMLInputElement>('search'),
  searchOptions: byId<HTMLUListElement>('search-options'),
  results: byId('results'),
  resultsHeading: byId('results-heading'),
  resultsError: byId('results-error'),
  resultsStatus: byId('results-status'),
  resultsList: byId<HTMLOListElement>('results-list'),
  moodList: byId<HTMLUListElement>('mood-list'),
  moodAdd: byId<HTMLButtonElement>('mood-add'),
  moodRun: byId<HTMLButtonElement>('mood-run'),
  moodClear: byId<HTMLButtonElement>('mood-clear'),
  filters: byId<HTMLFormElement>('filters'),
  filterErrors: byId('filter-errors'),
  k: byId<HTMLInputElement>('k'),
  map: byId<HTMLCanvasElement>('map'),
  mapStatus: byId('map-status'),
  most: byId<HTMLOListElement>('most-list'),
  least: byId<HTMLOListElement>('least-list'),
  modelFacts: byId('model-facts'),
  modelStatus: byId('model-status'),
  modelSummary: byId('model-summary'),
  lossChart: byId<HTMLCanvasElement>('loss-chart'),
};

const searchBox = createSearchBox(els.search, els.searchOptions, {
  onPick: (m) => selectFilm({ title: titleQueryFor(m), movie: m }),
  onSubmitText: (text) => selectFilm({ title: text }),
});

const map = createFilmMap(els.map, (p: MovieProjection) => selectFilm({ title: titleQueryFor(p.movie), movie: p.movie }));

// The browser tests find a film's dot through this; it changes nothing on the page.
(window as unknown as { cinemapExplorer: unknown }).cinemapExplorer = { mapPointPosition: (id: number) => map.pointPosition(id) };

// ---- selection, mood, results --------------------------------------------------

function selectFilm(sel: { title: string; movie?: FilmRef }) {
  state.mode = 'film';
  state.selected = sel;
  searchBox.setText(sel.movie ? displayTitle(sel.movie) : sel.title);
  syncUrl();
  renderMood();
  void refreshResults();
}

function addToMood(m: FilmRef) {
  if (!state.mood.some((x) => x.id === m.id)) state.mood.push(m);
  renderMood();
  syncUrl();
}

function renderMood() {
  fill(
    els.moodList,
    ...state.mood.map((m) => {
      const remove = h('button', { type: 'button', 'aria-label': `Remove ${displayTitle(m)} from the mood`, title: 'Remove' }, '×');
      remove.addEventListener('click', () => {
        state.mood = state.mood.filter((x) => x.id !== m.id);
        renderMood();
        syncUrl();
        if (state.mode === 'mood') {
          if (state.mood.length > 0) void refreshResults();
          else clearResults();
        }
      });
      return h('li', { 'data-movie-id': m.id }, displayTitle(m), remove);
    }),
  );
  const sel = state.selected?.movie;
  els.moodAdd.disabled = !sel || state.mood.some((x) => x.id === sel.id);
  els.moodRun.disabled = state.mood.length < 2;
  els.moodClear.disabled = state.mood.length === 0;
}

els.moodAdd.addEventListener('click', () => state.selected?.movie && addToMood(state.selected.movie));
els.moodClear.addEventListener('click', () => {
  state.mood = [];
  renderMood();
  syncUrl();
  if (state.mode === 'mood') clearResults();
});
els.moodRun.addEventListener('click', () => {
  state.mode = 'mood';
  void refreshResults();
  els.results.focus();
});

let resultsAbort: AbortController | undefined;
let renderCount = 0;

function clearResults() {
  state.neighbours = [];
  fill(els.resultsList);
  els.resultsError.hidden = true;
  els.resultsHeading.textContent = 'Films like …';
  els.resultsStatus.textContent = 'Pick a film to see its neighbours.';
  map.highlight([], []);
}

async function refreshResults() {
  if (state.mode === 'film' && !state.selected) return;
  if (state.mode === 'mood' && state.mood.length === 0) return;
  resultsAbort?.abort();
  const abort = (resultsAbort = new AbortController());
  els.results.setAttribute('aria-busy', 'true');
  els.resultsStatus.textContent = 'Looking for neighbours…';
  const vars = { k: state.k, filter: state.filter ?? null };
  try {
    let list: SimilarMovie[];
    if (state.mode === 'mood') {
      const titles = state.mood.map(titleQueryFor);
      const d = await graphql<{ similarToMany: SimilarMovie[] }>(MOOD_QUERY, { ...vars, titles }, { signal: abort.signal });
      list = d.similarToMany;
      els.resultsHeading.textContent = `Films near all of: ${state.mood.map(displayTitle).join(' + ')}`;
    } else {
      const sel = state.selected!;
      if (sel.movie) {
        const d = await graphql<{ similarMovies: SimilarMovie[] }>(SIMILAR_QUERY, { ...vars, title: sel.title }, { signal: abort.signal });
        list = d.similarMovies;
      } else {
        const d = await graphql<{ movie: Movie | null; similarMovies: SimilarMovie[] }>(SIMILAR_WITH_MOVIE_QUERY, { ...vars, title: sel.title }, { signal: abort.signal });
        list = d.similarMovies;
        if (d.movie) {
          sel.movie = d.movie;
          searchBox.setText(displayTitle(d.movie));
          syncUrl();
        }
      }
      els.resultsHeading.textContent = `Films like ${sel.movie ? displayTitle(sel.movie) : sel.title}`;
    }
    state.neighbours = list;
    els.resultsError.hidden = true;
    renderNeighbours(list);
    const onMap = highlightOnMap();
    els.mapStatus.textContent = `${onMap} of the ${list.length + selectedIds().length} highlighted films are among the ${map.size} on the map.`;
    els.resultsStatus.textContent = list.length === 0 ? 'No film passes these filters. Loosen them to see neighbours.' : `${list.length} film${list.length === 1 ? '' : 's'}, most similar first.`;
  } catch (err) {
    if ((err as Error).name === 'AbortError') return;
    state.neighbours = [];
    fill(els.resultsList);
    map.highlight([], []);
    if (map.size > 0) els.mapStatus.textContent = `${map.size} films on the map.`;
    showResultsError(err);
  } finally {
    if (resultsAbort === abort) {
      els.results.setAttribute('aria-busy', 'false');
      els.results.dataset.renderCount = String(++renderCount);
    }
  }
  renderMood();
}

/** The films drawn as "selected": the picked film, or the mood's films. */
function selectedIds(): number[] {
  if (state.mode === 'mood') return state.mood.map((m) => m.id);
  return state.selected?.movie ? [state.selected.movie.id] : [];
}

function highlightOnMap(): number {
  return map.highlight(selectedIds(), state.neighbours.map((n) => n.movie.id));
}

function showResultsError(err: unknown) {
  els.resultsStatus.textContent = '';
  const e = err instanceof ApiError ? err : new ApiError(String((err as Error)?.message ?? err), 'UNKNOWN');
  if (e.code === 'MOVIE_NOT_FOUND') {
    const typed = state.mode === 'film' && state.selected ? state.selected.title : e.message;
    els.resultsHeading.textContent = 'No such film';
    fill(
      els.resultsError,
      h('p', {}, notFoundMessage(typed, e.suggestions.length)),
      e.suggestions.length > 0
        ? h('ul', { class: 'suggestions', 'aria-label': 'Suggested films' }, ...e.suggestions.map((t) => {
            const b = h('button', { type: 'button' }, t);
            b.addEventListener('click', () => selectFilm({ title: t }));
            return h('li', {}, b);
          }))
        : null,
    );
  } else {
    els.resultsHeading.textContent = 'Something went wrong';
    fill(els.resultsError, h('p', {}, e.message));
  }
  els.resultsError.hidden = false;
}

function renderNeighbours(list: SimilarMovie[]) {
  fill(
    els.resultsList,
    ...list.map(({ movie: m, similarity }) => {
      const pick = h('button', { type: 'button', class: 'linkish' }, displayTitle(m));
      pick.addEventListener('click', () => selectFilm({ title: titleQueryFor(m), movie: m }));
      const add = h('button', { type: 'button', 'aria-label': `Add ${displayTitle(m)} to the mood` }, '+ mood');
      add.disabled = state.mood.some((x) => x.id === m.id);
      add.addEventListener('click', () => {
        addToMood(m);
        add.disabled = true;
      });
      const pct = similarityPercent(similarity);
      return h(
        'li',
        { 'data-movie-id': m.id, 'data-similarity': similarity },
        h('div', { class: 'title-line' }, pick),
        h('div', { class: 'simbar' },
          h('span', { class: 'track', 'aria-hidden': 'true' }, h('span', { class: 'fill', style: `width:${pct}%` })),
          h('span', { class: 'value' }, `similarity ${formatSimilarity(similarity)}`)),
        h('div', { class: 'details' }, `${formatGenres(m.genres)} · ★ ${formatAverage(m.averageRating)} average · ${formatRatingCount(m.ratingCount)}`),
        h('div', { class: 'links' },
          m.imdbUrl ? h('a', { href: m.imdbUrl, target: '_blank', rel: 'noopener noreferrer' }, 'IMDb', h('span', { class: 'sr-only' }, ` page of ${displayTitle(m)}`)) : null,
          m.tmdbUrl ? h('a', { href: m.tmdbUrl, target: '_blank', rel: 'noopener noreferrer' }, 'TMDb', h('span', { class: 'sr-only' }, ` page of ${displayTitle(m)}`)) : null,
          add),
      );
    }),
  );
}

// ---- filters and k ---------------------------------------------------------------

function genreBoxes(containerId: string, name: 'genres' | 'excludeGenres') {
  const c = byId(containerId);
  const sorted = [...GENRE_PRIORITY].sort();
  fill(c, ...sorted.map((g) => h('label', {}, h('input', { type: 'checkbox', name, value: g }), g)));
}
genreBoxes('genre-include', 'genres');
genreBoxes('genre-exclude', 'excludeGenres');

function readForm(): FilterForm {
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
}

let filterTimer: ReturnType<typeof setTimeout> | undefined;
function onFiltersChanged() {
  clearTimeout(filterTimer);
  // Typing "1995" in a year box must not send 1, 19, 199 first.
  filterTimer = setTimeout(applyFilters, 250);
}

function applyFilters() {
  const { filter, errors } = buildFilter(readForm());
  const k = parseK(els.k.value);
  if (errors.length > 0) {
    els.filterErrors.textContent = errors.join('. ') + '.';
    els.filterErrors.hidden = false;
    return;
  }
  els.filterErrors.hidden = true;
  const filterChanged = JSON.stringify(filter) !== JSON.stringify(state.filter);
  if (!filterChanged && k === state.k) return;
  state.filter = filter;
  state.k = k;
  syncUrl();
  void refreshResults();
  if (filterChanged) void loadAppreciated();
}

els.filters.addEventListener('input', onFiltersChanged);
els.filters.addEventListener('change', onFiltersChanged);
els.filters.addEventListener('submit', (e) => {
  e.preventDefault();
  clearTimeout(filterTimer);
  applyFilters();
});
els.filters.addEventListener('reset', () => setTimeout(applyFilters, 0));

// ---- the URL keeps the selection, so a view can be shared or reloaded -----------

function syncUrl() {
  const q = new URLSearchParams();
  if (state.selected) q.set('film', state.selected.movie ? titleQueryFor(state.selected.movie) : state.selected.title);
  if (state.k !== DEFAULT_K) q.set('k', String(state.k));
  const s = q.toString();
  history.replaceState(null, '', s ? `?${s}` : location.pathname);
}

// ---- the side panels ------------------------------------------------------------

let appreciatedAbort: AbortController | undefined;
async function loadAppreciated() {
  appreciatedAbort?.abort();
  const abort = (appreciatedAbort = new AbortController());
  try {
    const d = await graphql<{ mostAppreciated: Movie[]; leastAppreciated: Movie[] }>(APPRECIATED_QUERY, { limit: APPRECIATED_SIZE, filter: state.filter ?? null }, { signal: abort.signal });
    const item = (m: Movie) => {
      const b = h('button', { type: 'button', class: 'linkish' }, displayTitle(m));
      b.addEventListener('click', () => selectFilm({ title: titleQueryFor(m), movie: m }));
      return h('li', { 'data-movie-id': m.id }, b, h('span', { class: 'meta' }, `bias ${formatBias(m.bias)} · ★ ${formatAverage(m.averageRating)} · ${formatRatingCount(m.ratingCount)}`));
    };
    fill(els.most, ...d.mostAppreciated.map(item));
    fill(els.least, ...d.leastAppreciated.map(item));
  } catch (err) {
    if ((err as Error).name === 'AbortError') return;
    fill(els.most, h('li', {}, (err as Error).message));
    fill(els.least);
  }
}

async function loadMap() {
  els.mapStatus.textContent = 'Drawing the map…';
  try {
    const d = await graphql<{ pcaProjection: MovieProjection[] }>(MAP_QUERY, { limit: MAP_SIZE });
    map.setPoints(d.pcaProjection);
    els.map.setAttribute('aria-label', `Map of the ${d.pcaProjection.length} most-rated films by the first two principal components`);
    els.mapStatus.textContent = `${d.pcaProjection.length} films on the map.`;
    if (state.neighbours.length > 0) highlightOnMap();
  } catch (err) {
    els.mapStatus.textContent = `The map could not be drawn: ${(err as Error).message}`;
  }
}

async function loadModel() {
  try {
    const d = await graphql<{ activeModel: Record<string, unknown> | null }>(MODEL_QUERY);
    const card = modelCard(d.activeModel);
    els.modelSummary.textContent = card.summary;
    fill(els.modelFacts, ...card.facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
    if (card.epochs.length > 0) drawLossChart(els.lossChart, card.epochs);
    els.modelStatus.textContent = card.epochs.length > 0 ? '' : 'This run recorded no per-epoch metrics.';
  } catch (err) {
    els.modelSummary.textContent = 'Model unknown';
    els.modelStatus.textContent = `The model card could not be loaded: ${(err as Error).message}`;
  }
}

// ---- start --------------------------------------------------------------------------

async function start() {
  const q = new URLSearchParams(location.search);
  const k = q.get('k');
  if (k) {
    state.k = parseK(k);
    els.k.value = String(state.k);
  }
  const film = q.get('film');
  const tasks: Promise<unknown>[] = [loadMap(), loadAppreciated(), loadModel()];
  if (film) {
    state.selected = { title: film };
    searchBox.setText(film);
    tasks.push(refreshResults());
  }
  renderMood();
  await Promise.all(tasks);
  // Milliseconds from navigation start until every panel is drawn (the browser tests record it).
  document.body.dataset.readyMs = String(Math.round(performance.now()));
  document.body.dataset.ready = 'true';
}

void start();
