// The applied filters as chips a fan can read and remove one by one ("Drama ×",
// "1990–1999 ×"), and the same words for the results' status line. Pure: a chip is a
// label and the form without it; see filter-chips.spec.ts.
import { GOOD_FILM_MIN_AVERAGE, type FilterForm } from './api/queries';

export interface FilterChip {
  /** Stable per chip (for tests and list keys): genre:Drama, notGenre:Horror, years, good, minAvg, minRatings. */
  key: string;
  label: string;
  /** What a click on the chip's × says to a screen reader. */
  removeLabel: string;
  /** The form without this chip's constraint. */
  without(form: FilterForm): FilterForm;
}

const COUNT = new Intl.NumberFormat('en-US');

function yearsLabel(from: string, to: string): string {
  if (from && to) return from === to ? `released in ${from}` : `released ${from}–${to}`;
  return from ? `released ${from} or later` : `released ${to} or earlier`;
}

function genreChips(form: FilterForm): FilterChip[] {
  const wanted = form.genres.map<FilterChip>((g) => ({
    key: `genre:${g}`,
    label: g,
    removeLabel: `Remove the genre ${g}`,
    without: (f) => ({ ...f, genres: f.genres.filter((x) => x !== g) }),
  }));
  const unwanted = form.excludeGenres.map<FilterChip>((g) => ({
    key: `notGenre:${g}`,
    label: `no ${g}`,
    removeLabel: `Stop leaving out ${g}`,
    without: (f) => ({ ...f, excludeGenres: f.excludeGenres.filter((x) => x !== g) }),
  }));
  return [...wanted, ...unwanted];
}

function ratingChips(form: FilterForm): FilterChip[] {
  const chips: FilterChip[] = [];
  const minAvg = form.minAverageRating.trim();
  const typedHigher = minAvg !== '' && Number(minAvg) > GOOD_FILM_MIN_AVERAGE;
  if (form.onlyGood && !typedHigher)
    chips.push({
      key: 'good',
      label: `only good films (${GOOD_FILM_MIN_AVERAGE}+ average)`,
      removeLabel: 'Show films of any rating',
      without: (f) => ({ ...f, onlyGood: false, minAverageRating: '' }),
    });
  if (minAvg !== '' && (typedHigher || !form.onlyGood))
    chips.push({
      key: 'minAvg',
      label: `${minAvg}+ average`,
      removeLabel: 'Remove the minimum average rating',
      without: (f) => ({ ...f, minAverageRating: '', onlyGood: false }),
    });
  const minCount = form.minRatingCount.trim();
  if (minCount !== '') {
    const n = Number(minCount);
    chips.push({
      key: 'minRatings',
      label: n === 0 ? 'rarely rated films too' : `${Number.isFinite(n) ? COUNT.format(n) : minCount}+ ratings`,
      removeLabel: 'Remove the minimum number of ratings',
      without: (f) => ({ ...f, minRatingCount: '' }),
    });
  }
  return chips;
}

/** One chip per constraint the form applies, in the form's order. */
export function filterChips(form: FilterForm): FilterChip[] {
  const from = form.yearFrom.trim();
  const to = form.yearTo.trim();
  const years: FilterChip[] =
    from || to
      ? [
          {
            key: 'years',
            label: yearsLabel(from, to),
            removeLabel: 'Remove the release years',
            without: (f) => ({ ...f, yearFrom: '', yearTo: '' }),
          },
        ]
      : [];
  return [...genreChips(form), ...years, ...ratingChips(form)];
}

/** The filters in words for the status line ("" when none apply). */
export function filterSummary(form: FilterForm): string {
  return filterChips(form)
    .map((c) => c.label)
    .join(', ');
}
