// The map: pcaProjection as a Chart.js scatter, one dataset per main genre (so the
// legend explains the colours), with the selected film and its neighbours drawn on top
// in their own datasets. Hover shows the title; a click selects the film.
import { Chart, Legend, LinearScale, PointElement, ScatterController, Tooltip, type ChartDataset, type TooltipItem } from 'chart.js';
import type { MovieProjection } from '../api/types';
import { GENRE_COLOURS, displayTitle, genreGroup } from '../format';

Chart.register(ScatterController, PointElement, LinearScale, Tooltip, Legend);

interface MapPoint {
  x: number;
  y: number;
  p: MovieProjection;
}

const SELECTED = 'Selected film';
const SELECTED_MANY = 'Selected films';
const NEIGHBOURS = 'Its neighbours';

// eslint-disable-next-line max-lines-per-function -- a widget: the chart and the handlers that close over its state; each handler is named inside
export function createFilmMap(canvas: HTMLCanvasElement, onSelect: (p: MovieProjection) => void) {
  let points: MovieProjection[] = [];
  let selectedIds = new Set<number>();
  let neighbourIds = new Set<number>();

  const chart = new Chart(canvas, {
    type: 'scatter',
    data: { datasets: [] },
    options: {
      animation: false,
      maintainAspectRatio: false,
      responsive: true,
      interaction: { mode: 'nearest', intersect: true },
      scales: {
        x: { title: { display: true, text: 'PC 1', color: '#4a5361' }, ticks: { color: '#4a5361' }, grid: { color: '#e3e6eb' } },
        y: { title: { display: true, text: 'PC 2', color: '#4a5361' }, ticks: { color: '#4a5361' }, grid: { color: '#e3e6eb' } },
      },
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 10, boxHeight: 10, usePointStyle: true, color: '#1b1f24', font: { size: 11 } } },
        tooltip: {
          displayColors: false,
          callbacks: {
            label: (item: TooltipItem<'scatter'>) => displayTitle((item.raw as MapPoint).p.movie),
            afterLabel: (item: TooltipItem<'scatter'>) => (item.raw as MapPoint).p.movie.genres.join(', '),
          },
        },
      },
      onClick: (_e, elements) => {
        const el = elements[0];
        if (!el) return;
        const raw = chart.data.datasets[el.datasetIndex]?.data[el.index] as MapPoint | undefined;
        if (raw) onSelect(raw.p);
      },
      onHover: (e, elements) => {
        const t = e.native?.target as HTMLElement | undefined;
        if (t) t.style.cursor = elements.length > 0 ? 'pointer' : 'default';
      },
    },
  });

  function rebuild() {
    const { groups, selected, near } = partition(points, selectedIds, neighbourIds);
    const dimmed = selectedIds.size > 0 || neighbourIds.size > 0;
    const order = Object.keys(GENRE_COLOURS);
    const genreSets: ChartDataset<'scatter', MapPoint[]>[] = [...groups.entries()]
      .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
      .map(([g, data]) => ({
        label: g,
        data,
        order: 3,
        pointRadius: 3.5,
        pointHoverRadius: 6,
        backgroundColor: GENRE_COLOURS[g] + (dimmed ? '80' : 'cc'),
        borderColor: GENRE_COLOURS[g],
        borderWidth: 0.5,
      }));
    const highlight: ChartDataset<'scatter', MapPoint[]>[] = [];
    if (near.length > 0) {
      highlight.push({
        label: NEIGHBOURS,
        data: near,
        order: 1,
        pointRadius: 6.5,
        pointHoverRadius: 8,
        backgroundColor: '#ffd166',
        borderColor: '#1b1f24',
        borderWidth: 2,
      });
    }
    if (selected.length > 0) {
      highlight.push({
        label: selected.length > 1 ? SELECTED_MANY : SELECTED,
        data: selected,
        order: 0,
        pointStyle: 'rectRot',
        pointRadius: 10,
        pointHoverRadius: 12,
        backgroundColor: '#e63946',
        borderColor: '#1b1f24',
        borderWidth: 2,
      });
    }
    chart.data.datasets = [...highlight, ...genreSets] as ChartDataset<'scatter'>[];
    chart.update();
    canvas.dataset.pointCount = String(points.length);
    canvas.dataset.highlighted = String(selected.length + near.length);
  }

  return {
    setPoints(p: MovieProjection[]) {
      points = p;
      rebuild();
    },
    /** Highlights the selected film(s) (one, or a mood's) and their neighbours; returns how many of them are on the map. */
    highlight(selected: readonly number[], neighbours: readonly number[]): number {
      selectedIds = new Set(selected);
      neighbourIds = new Set(neighbours.filter((id) => !selectedIds.has(id)));
      rebuild();
      return points.filter((p) => selectedIds.has(p.movie.id) || neighbourIds.has(p.movie.id)).length;
    },
    /**
     * Where film `movieId` is drawn, in page (CSS pixel) coordinates, or null when it is
     * not on the map. The browser tests click there; a person never needs it.
     */
    pointPosition(movieId: number): { x: number; y: number } | null {
      const rect = canvas.getBoundingClientRect();
      for (let d = 0; d < chart.data.datasets.length; d++) {
        const data = chart.data.datasets[d].data as unknown as MapPoint[];
        const i = data.findIndex((pt) => pt.p.movie.id === movieId);
        if (i < 0) continue;
        const el = chart.getDatasetMeta(d).data[i];
        if (el) return { x: rect.left + window.scrollX + el.x, y: rect.top + window.scrollY + el.y };
      }
      return null;
    },
    get size() {
      return points.length;
    },
  };
}

/** The points by main genre, and the highlighted ones apart (a highlighted film is drawn once, in its highlight set: one tooltip per dot). */
function partition(points: MovieProjection[], selectedIds: ReadonlySet<number>, neighbourIds: ReadonlySet<number>) {
  const groups = new Map<string, MapPoint[]>();
  const selected: MapPoint[] = [];
  const near: MapPoint[] = [];
  for (const p of points) {
    const pt = { x: p.x, y: p.y, p };
    if (selectedIds.has(p.movie.id)) selected.push(pt);
    else if (neighbourIds.has(p.movie.id)) near.push(pt);
    else {
      const g = genreGroup(p.movie.genres);
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g)!.push(pt);
    }
  }
  return { groups, selected, near };
}
