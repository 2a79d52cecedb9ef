// The title search box: a WAI-ARIA 1.2 combobox with a listbox popup. Suggestions come
// from searchMovies as the person types (debounced, stale answers dropped); arrow keys
// move through them, Enter picks the highlighted film or, with none highlighted,
// submits the typed text as a title (so the server's "did you mean" can answer it).
import { graphql } from '../api/client';
import { SEARCH_QUERY } from '../api/queries';
import type { Movie } from '../api/types';
import { displayTitle, formatAverage, formatGenres, formatRatingCount } from '../format';
import { fill, h } from './dom';

export interface SearchBoxHandlers {
  onPick(movie: Movie): void;
  onSubmitText(text: string): void;
}

const DEBOUNCE_MS = 120;
const LIMIT = 8;

// eslint-disable-next-line max-lines-per-function -- a widget: the combobox and the handlers that close over its state; each handler is named inside
export function createSearchBox(input: HTMLInputElement, list: HTMLUListElement, handlers: SearchBoxHandlers) {
  let options: Movie[] = [];
  let active = -1;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inflight: AbortController | undefined;
  let seq = 0;

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function setActive(i: number) {
    active = i;
    list.querySelectorAll('[role=option]').forEach((el, j) => el.setAttribute('aria-selected', String(j === i)));
    if (i >= 0) {
      const el = list.children[i] as HTMLElement | undefined;
      input.setAttribute('aria-activedescendant', `search-option-${i}`);
      el?.scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  }

  function render(movies: Movie[]) {
    options = movies;
    fill(
      list,
      ...movies.map((m, i) => {
        const li = h(
          'li',
          { id: `search-option-${i}`, role: 'option', 'aria-selected': 'false', 'data-movie-id': m.id },
          displayTitle(m),
          h(
            'span',
            { class: 'meta' },
            `${formatGenres(m.genres)} · ★ ${formatAverage(m.averageRating)} · ${formatRatingCount(m.ratingCount)}`,
          ),
        );
        // mousedown, not click: picking must happen before the input's blur closes the list.
        li.addEventListener('mousedown', (e) => {
          e.preventDefault();
          pick(i);
        });
        return li;
      }),
    );
    if (movies.length === 0) close();
    else {
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      setActive(-1);
    }
  }

  function pick(i: number) {
    const m = options[i];
    if (!m) return;
    input.value = displayTitle(m);
    close();
    handlers.onPick(m);
  }

  async function lookup(text: string) {
    inflight?.abort();
    const mine = ++seq;
    if (text.trim().length === 0) {
      render([]);
      return;
    }
    inflight = new AbortController();
    try {
      const data = await graphql<{ searchMovies: Movie[] }>(
        SEARCH_QUERY,
        { query: text.trim(), limit: LIMIT },
        { signal: inflight.signal },
      );
      if (mine === seq && document.activeElement === input) render(data.searchMovies);
    } catch (err) {
      // Suggestions are a convenience: a failed lookup leaves the box usable (Enter still submits).
      if ((err as Error).name !== 'AbortError' && mine === seq) render([]);
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void lookup(input.value), DEBOUNCE_MS);
  });

  input.addEventListener('keydown', (e) => {
    const open = !list.hidden && options.length > 0;
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        if (!open) void lookup(input.value);
        else setActive((active + 1) % options.length);
        break;
      case 'ArrowUp':
        if (!open) return;
        e.preventDefault();
        setActive(active <= 0 ? options.length - 1 : active - 1);
        break;
      case 'Enter': {
        e.preventDefault();
        clearTimeout(timer);
        if (open && active >= 0) pick(active);
        else if (input.value.trim() !== '') {
          seq++; // a late suggestion answer must not reopen the list
          inflight?.abort();
          close();
          handlers.onSubmitText(input.value.trim());
        }
        break;
      }
      case 'Escape':
        if (open) {
          e.preventDefault();
          close();
        }
        break;
      default:
    }
  });

  input.addEventListener('blur', () => close());

  return {
    /** Shows `text` in the box without searching (after a selection made elsewhere). */
    setText(text: string) {
      clearTimeout(timer);
      seq++;
      input.value = text;
      close();
    },
  };
}
