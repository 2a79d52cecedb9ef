// --report <dir>: the seed blog's three figures, as SVG rendered headless by
// vega-lite → vega (no browser, no canvas): ratings per month; histograms of ratings
// per movie and per user on log-scaled bins; average rating per movie before and
// after curation. The data are aggregated here (a few hundred points), so the specs
// stay small whatever the dump's size.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Curation } from '../curate/curate';
import type { RatingColumns } from '@cinemap/movielens';

export interface FigureData {
  perMonth: { month: string; ratings: number }[];
  perCount: { kind: 'ratings per movie' | 'ratings per user'; from: number; to: number; n: number }[];
  averages: { set: 'before curation (all movies)' | 'after curation (kept movies)'; from: number; to: number; n: number }[];
}

/** Aggregates the three figures' data from the ratings and the curation. */
export function figureData(r: RatingColumns, c: Curation): FigureData {
  const months = new Map<string, number>();
  const dayMonth = new Map<number, string>();
  for (let i = 0; i < r.length; i++) {
    const day = Math.floor(r.timestamp[i] / 86400);
    let m = dayMonth.get(day);
    if (m === undefined) {
      m = new Date(day * 86400000).toISOString().slice(0, 7);
      dayMonth.set(day, m);
    }
    months.set(m, (months.get(m) ?? 0) + 1);
  }
  const perMonth = [...months].sort((a, b) => a[0].localeCompare(b[0])).map(([month, ratings]) => ({ month, ratings }));

  // Powers-of-two bins: [1,2), [2,4), [4,8), ...
  const perCount: FigureData['perCount'] = [];
  const logBins = (counts: Int32Array, kind: FigureData['perCount'][number]['kind']) => {
    const bins: number[] = [];
    for (let k = 0; k < counts.length; k++) {
      const c = counts[k];
      if (!c) continue;
      const b = Math.floor(Math.log2(c));
      bins[b] = (bins[b] ?? 0) + 1;
    }
    for (let b = 0; b < bins.length; b++) perCount.push({ kind, from: 2 ** b, to: 2 ** (b + 1), n: bins[b] ?? 0 });
  };
  logBins(c.stats.movieCount, 'ratings per movie');
  logBins(c.stats.userCount, 'ratings per user');

  // Averages in 0.25-wide bins; after curation = over the kept ratings of kept movies.
  const keptCount = new Int32Array(c.stats.movieCount.length);
  const keptSum = new Float64Array(c.stats.movieCount.length);
  for (let i = 0; i < r.length; i++) {
    if (!c.keep[i]) continue;
    keptCount[r.movieId[i]]++;
    keptSum[r.movieId[i]] += r.halfStars[i];
  }
  const averages: FigureData['averages'] = [];
  const avgBins = (count: ArrayLike<number>, sum: ArrayLike<number>, set: FigureData['averages'][number]['set']) => {
    const bins = new Array<number>(20).fill(0);
    for (let m = 0; m < count.length; m++) if (count[m]) bins[Math.min(19, Math.floor((sum[m] / count[m] / 2) * 4))]++;
    bins.forEach((n, b) => averages.push({ set, from: b / 4, to: (b + 1) / 4, n }));
  };
  avgBins(c.stats.movieCount, c.stats.movieHalfSum, 'before curation (all movies)');
  avgBins(keptCount, keptSum, 'after curation (kept movies)');
  return { perMonth, perCount, averages };
}

/** The three vega-lite specs, by output file name. */
export function figureSpecs(d: FigureData): Record<string, object> {
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', background: 'white', config: { font: 'sans-serif' } };
  return {
    'ratings-per-month.svg': {
      ...base,
      title: 'Ratings per month',
      width: 720,
      height: 240,
      data: { values: d.perMonth },
      mark: { type: 'area', line: true, opacity: 0.6 },
      encoding: {
        x: { field: 'month', type: 'temporal', timeUnit: 'yearmonth', title: 'month' },
        y: { field: 'ratings', type: 'quantitative', title: 'ratings' },
      },
    },
    'ratings-per-movie-and-user.svg': {
      ...base,
      title: 'How many ratings each movie and each user has (log-scaled bins)',
      data: { values: d.perCount },
      facet: { column: { field: 'kind', type: 'nominal', title: null } },
      spec: {
        width: 340,
        height: 220,
        mark: { type: 'rect', stroke: 'white' },
        encoding: {
          x: { field: 'from', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'ratings (bin start, log scale)' },
          x2: { field: 'to' },
          y: { field: 'n', type: 'quantitative', title: 'movies or users' },
        },
      },
      resolve: { scale: { y: 'independent' } },
    },
    'average-rating-before-after.svg': {
      ...base,
      title: 'Average rating per movie, before and after curation',
      data: { values: d.averages },
      facet: { row: { field: 'set', type: 'nominal', title: null } },
      spec: {
        width: 560,
        height: 160,
        mark: { type: 'rect', stroke: 'white' },
        encoding: {
          x: { field: 'from', type: 'quantitative', scale: { domain: [0, 5] }, title: 'average rating' },
          x2: { field: 'to' },
          y: { field: 'n', type: 'quantitative', title: 'movies' },
          color: { field: 'set', type: 'nominal', legend: null },
        },
      },
      resolve: { scale: { y: 'independent' } },
    },
  };
}

export async function renderSvg(vlSpec: object): Promise<string> {
  const vega = await import('vega');
  const vl = await import('vega-lite');
  const compiled = vl.compile(vlSpec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Writes the three SVGs into `dir`; returns their paths. */
export async function writeReport(dir: string, r: RatingColumns, c: Curation): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (const [name, spec] of Object.entries(figureSpecs(figureData(r, c)))) {
    const path = join(dir, name);
    writeFileSync(path, await renderSvg(spec));
    out.push(path);
  }
  return out;
}
