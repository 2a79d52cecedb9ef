// The explorer page: the search box, the mood, the filters, the neighbour list, the map,
// the most/least appreciated lists and the model card, wired to the public GraphQL API.
// This file composes them: the state and its URL (./state.ts), one module per panel
// (./panels), and the few actions several panels share (selecting a film, the mood).
import './styles.css';
import { parseBasis, parseK, titleQueryFor } from './api/queries';
import type { FilmRef, MovieProjection } from './api/types';
import { findElements } from './elements';
import { displayTitle } from './format';
import { createAppreciatedPanel } from './panels/appreciated';
import { createFiltersPanel } from './panels/filters';
import { createMapPanel } from './panels/map';
import { loadModelCard } from './panels/model';
import { createMoodPanel } from './panels/mood';
import { createResultsPanel } from './panels/results';
import { createState, readUrl, syncUrl } from './state';
import { createSearchBox } from './ui/search-box';

const state = createState();
const els = findElements();

/** Selects a film (typed, picked or clicked anywhere) and shows its neighbours. */
function selectFilm(sel: { title: string; movie?: FilmRef }) {
  state.mode = 'film';
  state.selected = sel;
  searchBox.setText(sel.movie ? displayTitle(sel.movie) : sel.title);
  syncUrl(state);
  mood.render();
  void results.refresh();
}

const searchBox = createSearchBox(els.search, els.searchOptions, {
  onPick: (m) => selectFilm({ title: titleQueryFor(m), movie: m }),
  onSubmitText: (text) => selectFilm({ title: text }),
});

const map = createMapPanel(state, els, (p: MovieProjection) => selectFilm({ title: titleQueryFor(p.movie), movie: p.movie }));

// The browser tests find a film's dot through this; it changes nothing on the page.
(window as unknown as { cinemapExplorer: unknown }).cinemapExplorer = { mapPointPosition: (id: number) => map.pointPosition(id) };

const mood = createMoodPanel(state, els, {
  changed: () => syncUrl(state),
  run: () => {
    state.mode = 'mood';
    void results.refresh();
    els.results.focus();
  },
  rerun: () => void results.refresh(),
  emptied: () => results.clear(),
});

const results = createResultsPanel(state, els, map, {
  pick: selectFilm,
  addToMood: (m) => mood.add(m),
  named: (movie) => {
    searchBox.setText(displayTitle(movie));
    syncUrl(state);
  },
  settled: () => mood.render(),
});

const appreciated = createAppreciatedPanel(els, selectFilm);

createFiltersPanel(els, (filter, k) => {
  const filterChanged = JSON.stringify(filter) !== JSON.stringify(state.filter);
  if (!filterChanged && k === state.k) return;
  state.filter = filter;
  state.k = k;
  syncUrl(state);
  void results.refresh();
  if (filterChanged) void appreciated.load(state.filter);
});

// The basis select: its own listener (the filter form's changes carry no basis).
els.basis.addEventListener('change', () => {
  state.basis = parseBasis(els.basis.value);
  syncUrl(state);
  void results.refresh();
});

async function start() {
  const { film, k, basis } = readUrl(location.search);
  if (k) {
    state.k = parseK(k);
    els.k.value = String(state.k);
  }
  state.basis = parseBasis(basis);
  els.basis.value = state.basis;
  const tasks: Promise<unknown>[] = [map.load(), appreciated.load(state.filter), loadModelCard(els)];
  if (film) {
    state.selected = { title: film };
    searchBox.setText(film);
    tasks.push(results.refresh());
  }
  mood.render();
  await Promise.all(tasks);
  // Milliseconds from navigation start until every panel is drawn (the browser tests record it).
  document.body.dataset.readyMs = String(Math.round(performance.now()));
  document.body.dataset.ready = 'true';
}

void start();
