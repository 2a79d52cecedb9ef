// The explorer page: the search box, the filters (chips and a collapsible form), the
// mood, the neighbour list, the map, the most/least appreciated lists and the model
// card, wired to the public GraphQL API. This file composes them: the state and its URL
// (./state.ts), one module per panel (./panels), and the few actions several panels
// share (choosing a film, the mood).
import './styles.css';
import { graphql } from './api/client';
import { moviesNamed } from './api/movies';
import { GENRES_QUERY, parseBasis, titleQueryFor } from './api/queries';
import type { FilmRef, Movie, MovieProjection } from './api/types';
import { findElements } from './elements';
import { displayTitle } from './format';
import { createAppreciatedPanel } from './panels/appreciated';
import { createFiltersPanel } from './panels/filters';
import { createMapPanel } from './panels/map';
import { loadModelCard } from './panels/model';
import { createMoodPanel } from './panels/mood';
import { createRatingsPanel } from './panels/ratings';
import { createResultsPanel } from './panels/results';
import { createState, searchToView, syncUrl, type UrlView } from './state';
import { createSearchBox } from './ui/search-box';

const state = createState();
const els = findElements();

// Wide screens have room for the filters and the mood beside the results; narrow ones
// show the results first and keep the filters one tap away (the chips show what applies).
const wide = window.matchMedia('(min-width: 1101px)').matches;
els.filtersDrawer.open = wide;
els.moodDrawer.open = wide;
els.ratingsDrawer.open = wide;

/** After a choice: the results come into view (on a phone they are below the fold) and take the keyboard focus. */
function showResults() {
  const top = els.results.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight * 0.4) els.results.scrollIntoView({ block: 'start' });
  els.results.focus({ preventScroll: true });
}

/** Selects a film (typed, picked or clicked anywhere) and shows its neighbours. */
function selectFilm(sel: { title: string; movie?: FilmRef }) {
  state.mode = 'film';
  state.selected = sel;
  searchBox.setText(sel.movie ? displayTitle(sel.movie) : sel.title);
  syncUrl(state);
  mood.render();
  ratings.render();
  void results.refresh();
  showResults();
}

const searchBox = createSearchBox(els.search, els.searchOptions, {
  onPick: (m) => selectFilm({ title: titleQueryFor(m), movie: m }),
  onSubmitText: (text) => selectFilm({ title: text }),
});

const map = createMapPanel(state, els, (p: MovieProjection) => selectFilm({ title: titleQueryFor(p.movie), movie: p.movie }));

// The browser tests find a film's dot through this; it changes nothing on the page.
(window as unknown as { cinemapExplorer: unknown }).cinemapExplorer = { mapPointPosition: (id: number) => map.pointPosition(id) };

/** What the mood and the ratings panels do to the results: the same, each in its own mode. */
function listPanelActions(mode: 'mood' | 'ratings') {
  return {
    changed: () => syncUrl(state),
    run: () => {
      state.mode = mode;
      syncUrl(state);
      void results.refresh();
      showResults();
    },
    rerun: () => void results.refresh(),
    emptied: () => {
      state.mode = 'film';
      syncUrl(state);
      results.clear();
    },
  };
}

const mood = createMoodPanel(state, els, listPanelActions('mood'));
const ratings = createRatingsPanel(state, els, listPanelActions('ratings'));

const results = createResultsPanel(state, els, map, {
  pick: selectFilm,
  addToMood: (m) => mood.add(m),
  named: (movie) => {
    searchBox.setText(displayTitle(movie));
    syncUrl(state);
  },
  settled: () => {
    mood.render();
    ratings.render();
  },
});

const appreciated = createAppreciatedPanel(els, selectFilm);

const filters = createFiltersPanel(els, (form, filter, k) => {
  const filterChanged = JSON.stringify(filter) !== JSON.stringify(state.filter);
  state.form = form;
  const kChanged = k !== state.k;
  state.k = k;
  syncUrl(state);
  if (!filterChanged && !kChanged) return;
  state.filter = filter;
  void results.refresh();
  if (filterChanged) {
    map.setFilter(filter);
    void appreciated.load(state.filter);
  }
});

/** The genre lists' counts (the boxes work without them: a failed lookup only leaves the counts out). */
async function loadGenreCounts(): Promise<void> {
  try {
    filters.setGenreCounts((await graphql<{ genres: { name: string; inModel: number }[] }>(GENRES_QUERY)).genres);
  } catch (err) {
    console.warn('cinemap: genre counts:', err);
  }
}

/** The mood and the visitor's ratings a shared URL holds, then what the URL says to show. */
async function loadShared(view: UrlView): Promise<void> {
  const [moodFilms, ratedFilms] = await Promise.all([moviesNamed(view.mood), moviesNamed(view.rated.map((r) => r.title))]);
  state.mood = moodFilms.filter((m): m is Movie => m !== null);
  state.ratings = view.rated.flatMap((r, i) => {
    const movie = ratedFilms[i];
    return movie && movie.inModel ? [{ movie, rating: r.rating }] : [];
  });
  if (view.show === 'mood' && state.mood.length > 0) state.mode = 'mood';
  if (view.show === 'ratings' && state.ratings.length > 0) state.mode = 'ratings';
  mood.render();
  ratings.render();
  syncUrl(state);
  await results.refresh();
}

// The basis select: its own listener (the filter form's changes carry no basis).
els.basis.addEventListener('change', () => {
  const b = parseBasis(els.basis.value);
  state.basis = b === 'BLEND' ? undefined : b;
  syncUrl(state);
  void results.refresh();
});

async function start() {
  const view = searchToView(location.search);
  const { filter } = filters.load(view.form, view.k);
  state.form = view.form;
  state.filter = filter;
  state.k = view.k;
  state.basis = view.basis ?? undefined;
  els.basis.value = parseBasis(state.basis);
  map.setFilter(filter);
  const tasks: Promise<unknown>[] = [map.load(), appreciated.load(state.filter), loadModelCard(els), loadGenreCounts()];
  if (view.film) {
    state.selected = { title: view.film };
    searchBox.setText(view.film);
  }
  tasks.push(loadShared(view));
  mood.render();
  ratings.render();
  await Promise.all(tasks);
  // Milliseconds from navigation start until every panel is drawn (the browser tests record it).
  document.body.dataset.readyMs = String(Math.round(performance.now()));
  document.body.dataset.ready = 'true';
}

void start();
