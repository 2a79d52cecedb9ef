// The most and least appreciated films (the learned biases: what people rate high or
// low whoever they are), under the page's filter; a click selects a film.
import { ApiError, graphql } from '../api/client';
import { APPRECIATED_QUERY, titleQueryFor } from '../api/queries';
import type { FilmRef, Movie, MovieFilter } from '../api/types';
import type { Elements } from '../elements';
import { displayTitle, formatAverage, formatBias, formatRatingCount } from '../format';
import { panelFailed } from '../messages';
import { fill, h } from '../ui/dom';

const APPRECIATED_SIZE = 8;
const COUNT = new Intl.NumberFormat('en-US');

export function createAppreciatedPanel(els: Elements, pick: (sel: { title: string; movie: FilmRef }) => void) {
  let abortPrevious: AbortController | undefined;
  const item = (m: Movie) => {
    const b = h('button', { type: 'button', class: 'linkish' }, displayTitle(m));
    b.addEventListener('click', () => pick({ title: titleQueryFor(m), movie: m }));
    return h(
      'li',
      { 'data-movie-id': m.id },
      b,
      // The bias is the model's word; fans read the stars and the count (the bias stays as a tooltip).
      h(
        'span',
        { class: 'meta', title: `model bias ${formatBias(m.bias)}` },
        `★ ${formatAverage(m.averageRating)} · ${formatRatingCount(m.ratingCount)}`,
      ),
    );
  };
  const load = async (filter: MovieFilter | undefined) => {
    abortPrevious?.abort();
    const abort = (abortPrevious = new AbortController());
    try {
      const d = await graphql<{ most: { totalCount: number; shapedBy: { summary: string }; nodes: Movie[] }; least: { nodes: Movie[] } }>(
        APPRECIATED_QUERY,
        { first: APPRECIATED_SIZE, filter: filter ?? null },
        { signal: abort.signal },
      );
      fill(els.most, ...d.most.nodes.map(item));
      fill(els.least, ...d.least.nodes.map(item));
      els.appreciatedShaped.textContent = `${d.most.shapedBy.summary} (${COUNT.format(d.most.totalCount)} films in the list)`;
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      console.warn('cinemap: appreciated lists:', err);
      fill(els.most, h('li', {}, panelFailed('These lists', err instanceof ApiError ? err.code : 'UNKNOWN')));
      fill(els.least);
    }
  };
  return { load };
}
