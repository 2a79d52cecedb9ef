// The neighbours panel: the films most like the selected one (similarMovies) or near all
// of the mood's films (similarToMany), with the filter and k, highlighted on the map; a
// title the server does not know shows its suggestions.
import { ApiError, graphql } from '../api/client';
import { moviesNamed } from '../api/movies';
import { MOOD_QUERY, RECOMMEND_QUERY, SIMILAR_QUERY, SIMILAR_WITH_MOVIE_QUERY, parseBasis, titleQueryFor } from '../api/queries';
import type { FilmRef, Listed, Movie, SimilarMovie } from '../api/types';
import type { Elements } from '../elements';
import {
  displayTitle,
  formatAverage,
  formatGenres,
  formatRatingCount,
  formatSimilarity,
  notFoundMessage,
  similarityPercent,
} from '../format';
import { filterSummary } from '../filter-chips';
import { fanMessage } from '../messages';
import type { State } from '../state';
import { fill, h } from '../ui/dom';
import type { MapPanel } from './map';

export interface ResultsActions {
  /** Select a film (a neighbour or a suggestion was clicked). */
  pick(sel: { title: string; movie?: FilmRef }): void;
  addToMood(m: FilmRef): void;
  /** The server named the typed film: show its name and keep the URL in step. */
  named(movie: FilmRef): void;
  /** A refresh finished (answered, failed or replaced). */
  settled(): void;
}

export function createResultsPanel(state: State, els: Elements, map: MapPanel, actions: ResultsActions) {
  let abortPrevious: AbortController | undefined;
  let renderCount = 0;

  const clear = () => {
    state.neighbours = [];
    fill(els.resultsList);
    els.resultsError.hidden = true;
    els.resultsHeading.textContent = 'Films like …';
    els.resultsStatus.textContent = 'Choose a film to see films like it.';
    map.highlight([], []);
  };

  const refresh = async () => {
    if (state.mode === 'film' && !state.selected) return;
    if (state.mode === 'mood' && state.mood.length === 0) return;
    if (state.mode === 'ratings' && state.ratings.length === 0) return;
    abortPrevious?.abort();
    const abort = (abortPrevious = new AbortController());
    els.results.setAttribute('aria-busy', 'true');
    els.resultsStatus.textContent = state.mode === 'ratings' ? 'Finding films you may like…' : 'Finding films like it…';
    try {
      const { list, heading } = await fetchNeighbours(state, abort.signal, actions.named);
      els.resultsHeading.textContent = heading;
      state.neighbours = list;
      els.resultsError.hidden = true;
      fill(els.resultsList, ...list.map((entry) => neighbourItem(entry, state, actions)));
      const onMap = map.highlightSelection();
      els.mapStatus.textContent = `${onMap} of the ${list.length + map.selectedCount()} highlighted films are among the ${map.size} on the map.`;
      els.resultsStatus.textContent = resultsStatus(list.length, filterSummary(state.form), state.mode === 'ratings');
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      state.neighbours = [];
      fill(els.resultsList);
      map.highlight([], []);
      if (map.size > 0) els.mapStatus.textContent = `${map.size} films on the map.`;
      await showError(err, state, els, actions.pick, abort.signal);
    } finally {
      if (abortPrevious === abort) {
        els.results.setAttribute('aria-busy', 'false');
        els.results.dataset.renderCount = String(++renderCount);
      }
    }
    actions.settled();
  };

  return { refresh, clear };
}

/** The status line: how many films, and under which filters (a fan sees why the list is short). */
export function resultsStatus(count: number, filters: string, recommended = false): string {
  const under = filters ? ` Filters: ${filters}.` : '';
  if (count === 0) return `No film passes these filters.${under} Remove one to see more.`;
  const order = recommended ? 'the ones you would like most first' : 'most similar first';
  return `${count} film${count === 1 ? '' : 's'}, ${order}.${under}`;
}

/** Films for the visitor: the API fits their taste to their ratings and predicts their stars (the rated films left out). */
async function recommendations(state: State, signal: AbortSignal): Promise<{ list: Listed[]; heading: string }> {
  const ratings = state.ratings.map((r) => ({ id: r.movie.id, rating: r.rating }));
  const d = await graphql<{ recommendFor: { predictedRating: number; movie: Movie }[] }>(
    RECOMMEND_QUERY,
    { ratings, k: state.k, filter: state.filter ?? null },
    { signal },
  );
  return { list: d.recommendFor.map((r) => ({ movie: r.movie, predicted: r.predictedRating })), heading: 'Recommended for you' };
}

/** Asks for the neighbours of the film or the mood; returns the list and the heading to show. */
async function fetchNeighbours(
  state: State,
  signal: AbortSignal,
  named: (movie: FilmRef) => void,
): Promise<{ list: Listed[]; heading: string }> {
  const vars = { k: state.k, filter: state.filter ?? null, basis: parseBasis(state.basis) };
  if (state.mode === 'ratings') return recommendations(state, signal);
  if (state.mode === 'mood') {
    const titles = state.mood.map(titleQueryFor);
    const d = await graphql<{ similarToMany: SimilarMovie[] }>(MOOD_QUERY, { ...vars, titles }, { signal });
    return { list: d.similarToMany, heading: `Films near all of: ${state.mood.map(displayTitle).join(' + ')}` };
  }
  const sel = state.selected!;
  let list: SimilarMovie[];
  if (sel.movie) {
    list = (await graphql<{ similarMovies: SimilarMovie[] }>(SIMILAR_QUERY, { ...vars, title: sel.title }, { signal })).similarMovies;
  } else {
    const d = await graphql<{ movie: Movie | null; similarMovies: SimilarMovie[] }>(
      SIMILAR_WITH_MOVIE_QUERY,
      { ...vars, title: sel.title },
      { signal },
    );
    list = d.similarMovies;
    if (d.movie) {
      sel.movie = d.movie;
      named(d.movie);
    }
  }
  return { list, heading: `Films like ${sel.movie ? displayTitle(sel.movie) : sel.title}` };
}

/** The error in the panel: an unknown title with its suggestions, or what went wrong. */
async function showError(err: unknown, state: State, els: Elements, pick: ResultsActions['pick'], signal: AbortSignal): Promise<void> {
  els.resultsStatus.textContent = '';
  const e = err instanceof ApiError ? err : new ApiError(String((err as Error)?.message ?? err), 'UNKNOWN');
  if (e.code === 'MOVIE_NOT_FOUND') {
    const typed = state.mode === 'film' && state.selected ? state.selected.title : e.message;
    // Only suggestions the model can answer for (a suggestion must never end in another error).
    const films = (await moviesNamed(e.suggestions, signal)).filter((m): m is Movie => m !== null && m.inModel);
    if (signal.aborted) return; // a newer choice owns the panel now
    els.resultsHeading.textContent = 'No such film';
    fill(els.resultsError, h('p', {}, notFoundMessage(typed, films.length)), films.length > 0 ? suggestionList(films, pick) : null);
  } else {
    // The server's own words are for developers (they may name runs and thresholds).
    console.warn(`cinemap: ${e.code}: ${e.message}`);
    const film =
      state.mode === 'film' && state.selected
        ? state.selected.movie
          ? displayTitle(state.selected.movie)
          : state.selected.title
        : undefined;
    const m = fanMessage(e.code, film, e.details.excludedBy);
    els.resultsHeading.textContent = m.heading;
    fill(els.resultsError, h('p', {}, m.text));
  }
  els.resultsError.hidden = false;
}

function suggestionList(films: Movie[], pick: ResultsActions['pick']): HTMLUListElement {
  return h(
    'ul',
    { class: 'suggestions', 'aria-label': 'Suggested films' },
    ...films.map((m) => {
      const b = h('button', { type: 'button' }, displayTitle(m));
      b.addEventListener('click', () => pick({ title: titleQueryFor(m), movie: m }));
      return h('li', {}, b);
    }),
  );
}

function similarityBar(similarity: number): HTMLDivElement {
  const pct = similarityPercent(similarity);
  return h(
    'div',
    { class: 'simbar' },
    h('span', { class: 'track', 'aria-hidden': 'true' }, h('span', { class: 'fill', style: `width:${pct}%` })),
    h('span', { class: 'value' }, `similarity ${formatSimilarity(similarity)}`),
  );
}

/** A recommendation's line: the stars the visitor would probably give it, as a bar out of 5. */
function predictedLine(stars: number): HTMLDivElement {
  const pct = Math.round((Math.min(5, Math.max(0, stars)) / 5) * 100);
  return h(
    'div',
    { class: 'simbar' },
    h('span', { class: 'track', 'aria-hidden': 'true' }, h('span', { class: 'fill', style: `width:${pct}%` })),
    h('span', { class: 'value' }, `you would give it about ${stars.toFixed(1)} of 5`),
  );
}

/** One neighbour: its title (selects it), similarity bar, genres and ratings, links, "+ mood". */
function neighbourItem({ movie: m, similarity, predicted }: Listed, state: State, actions: ResultsActions): HTMLLIElement {
  const pick = h('button', { type: 'button', class: 'linkish' }, displayTitle(m));
  pick.addEventListener('click', () => actions.pick({ title: titleQueryFor(m), movie: m }));
  const add = h('button', { type: 'button', 'aria-label': `Add ${displayTitle(m)} to the mood` }, '+ mood');
  add.disabled = state.mood.some((x) => x.id === m.id);
  add.addEventListener('click', () => {
    actions.addToMood(m);
    add.disabled = true;
  });
  return h(
    'li',
    { 'data-movie-id': m.id, 'data-similarity': similarity, 'data-predicted': predicted },
    h('div', { class: 'title-line' }, pick),
    predicted !== undefined ? predictedLine(predicted) : similarityBar(similarity ?? 0),
    h(
      'div',
      { class: 'details' },
      `${formatGenres(m.genres)} · ★ ${formatAverage(m.averageRating)} average · ${formatRatingCount(m.ratingCount)}`,
    ),
    h(
      'div',
      { class: 'links' },
      m.imdbUrl
        ? h(
            'a',
            { href: m.imdbUrl, target: '_blank', rel: 'noopener noreferrer' },
            'IMDb',
            h('span', { class: 'sr-only' }, ` page of ${displayTitle(m)}`),
          )
        : null,
      m.tmdbUrl
        ? h(
            'a',
            { href: m.tmdbUrl, target: '_blank', rel: 'noopener noreferrer' },
            'TMDb',
            h('span', { class: 'sr-only' }, ` page of ${displayTitle(m)}`),
          )
        : null,
      add,
    ),
  );
}
