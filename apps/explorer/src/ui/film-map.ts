// The map: pcaProjection as a Chart.js scatter, one dataset per genre group (colour and
// shape, so the legend explains both), films the filter leaves out dimmed behind them,
// and the selected film, its neighbours and the keyboard cursor drawn on top in their
// own datasets. Hover shows the title; a click (or Enter on the cursor) chooses the film.
// The view zooms (wheel, buttons, +/−) and pans (drag; on touch screens once zoomed in).
import { Chart, Legend, LinearScale, PointElement, ScatterController, Tooltip, type ChartDataset, type TooltipItem } from 'chart.js';
import type { MovieFilter, MovieProjection } from '../api/types';
import { passesFilter } from '../filter-match';
import { GENRE_GROUPS, displayTitle, genreGroup } from '../format';
import { boundsOf, nearestPoint, nextPoint, zoomView, type Direction, type View, type XY } from '../map-nav';

Chart.register(ScatterController, PointElement, LinearScale, Tooltip, Legend);

interface MapPoint {
  x: number;
  y: number;
  p: MovieProjection;
}

type ScatterSet = ChartDataset<'scatter', MapPoint[]>;

/** What the legend calls the highlighted films (the results' kind decides: a film's neighbours, a mood's, recommendations). */
export interface HighlightLabels {
  selected: string;
  neighbours: string;
}
const FILM_LABELS: HighlightLabels = { selected: 'Chosen film', neighbours: 'Films like it' };
const LEFT_OUT = 'Left out by the filters';
const CURSOR = 'Keyboard cursor';

const AXIS_COLOUR = '#4a5361';

function chartOptions(onClick: (raw: MapPoint) => void, dragged: () => boolean) {
  return {
    animation: false as const,
    maintainAspectRatio: false,
    responsive: true,
    interaction: { mode: 'nearest' as const, intersect: true },
    scales: {
      x: { title: { display: true, text: 'PC 1', color: AXIS_COLOUR }, ticks: { color: AXIS_COLOUR }, grid: { color: '#e3e6eb' } },
      y: { title: { display: true, text: 'PC 2', color: AXIS_COLOUR }, ticks: { color: AXIS_COLOUR }, grid: { color: '#e3e6eb' } },
    },
    plugins: {
      legend: {
        position: 'bottom' as const,
        labels: { boxWidth: 9, boxHeight: 9, usePointStyle: true, color: '#1b1f24', font: { size: 11 } },
      },
      tooltip: {
        displayColors: false,
        callbacks: {
          label: (item: TooltipItem<'scatter'>) => displayTitle((item.raw as MapPoint).p.movie),
          afterLabel: (item: TooltipItem<'scatter'>) => (item.raw as MapPoint).p.movie.genres.join(', '),
        },
      },
    },
    onClick: (_e: unknown, elements: { datasetIndex: number; index: number }[], chart: Chart) => {
      const el = elements[0];
      if (!el || dragged()) return;
      const raw = chart.data.datasets[el.datasetIndex]?.data[el.index] as MapPoint | undefined;
      if (raw) onClick(raw);
    },
  };
}

function genreSets(groups: Map<string, MapPoint[]>, faded: boolean): ScatterSet[] {
  return GENRE_GROUPS.filter((g) => groups.has(g.label)).map((g) => ({
    label: g.label,
    data: groups.get(g.label)!,
    order: 3,
    pointStyle: g.shape,
    pointRadius: g.shape === 'crossRot' ? 4.5 : 4,
    pointHoverRadius: 7,
    backgroundColor: g.colour + (faded ? '99' : 'dd'),
    borderColor: g.colour,
    borderWidth: g.shape === 'crossRot' ? 2 : 0.5,
  }));
}

function highlightSets(
  selected: MapPoint[],
  near: MapPoint[],
  cursor: MapPoint[],
  leftOut: MapPoint[],
  labels: HighlightLabels,
): { top: ScatterSet[]; back: ScatterSet[] } {
  const top: ScatterSet[] = [];
  if (cursor.length > 0)
    top.push({
      label: CURSOR,
      data: cursor,
      order: -1,
      pointRadius: 13,
      pointHoverRadius: 13,
      backgroundColor: 'rgba(0,0,0,0)',
      borderColor: '#b35900',
      borderWidth: 3,
    });
  if (selected.length > 0)
    top.push({
      label: labels.selected,
      data: selected,
      order: 0,
      pointStyle: 'rectRot',
      pointRadius: 10,
      pointHoverRadius: 12,
      backgroundColor: '#e63946',
      borderColor: '#1b1f24',
      borderWidth: 2,
    });
  if (near.length > 0)
    top.push({
      label: labels.neighbours,
      data: near,
      order: 1,
      pointRadius: 6.5,
      pointHoverRadius: 8,
      backgroundColor: '#ffd166',
      borderColor: '#1b1f24',
      borderWidth: 2,
    });
  const back: ScatterSet[] =
    leftOut.length > 0
      ? [
          {
            label: LEFT_OUT,
            data: leftOut,
            order: 4,
            pointRadius: 2.5,
            pointHoverRadius: 5,
            backgroundColor: 'rgba(120,126,135,0.28)',
            borderColor: 'rgba(120,126,135,0.45)',
            borderWidth: 0.5,
          },
        ]
      : [];
  return { top, back };
}

// eslint-disable-next-line max-lines-per-function -- a widget: the chart and the handlers that close over its state; each handler is named inside
export function createFilmMap(canvas: HTMLCanvasElement, onSelect: (p: MovieProjection) => void) {
  let points: MovieProjection[] = [];
  let selectedIds = new Set<number>();
  let neighbourIds = new Set<number>();
  let filter: MovieFilter | undefined;
  let cursor = -1; // index into points
  let whole: View = boundsOf([]);
  let view: View | null = null; // null: the whole map
  let drag: { x: number; y: number; view: View; moved: boolean; id: number } | null = null;
  let justDragged = false;
  let labels = FILM_LABELS;

  const chart = new Chart(
    canvas,
    // Chart.js types its options per chart type; ours are built apart (chartOptions) to stay readable.
    {
      type: 'scatter',
      data: { datasets: [] },
      options: chartOptions(
        (raw) => onSelect(raw.p),
        () => justDragged,
      ) as never,
    },
  );

  function applyView() {
    const v = view ?? whole;
    const s = chart.options.scales as Record<string, { min?: number; max?: number }>;
    s.x.min = v.xMin;
    s.x.max = v.xMax;
    s.y.min = v.yMin;
    s.y.max = v.yMax;
    // On touch screens a drag scrolls the page until the map is zoomed in; then it moves the map.
    canvas.style.touchAction = view ? 'none' : 'pan-y';
    canvas.dataset.zoomed = String(view !== null);
  }

  function rebuild() {
    const { groups, selected, near, leftOut, cursorPts } = partition(points, selectedIds, neighbourIds, filter, cursor);
    const { top, back } = highlightSets(selected, near, cursorPts, leftOut, labels);
    const all = [...top, ...genreSets(groups, selected.length + near.length > 0), ...back];
    // Zoomed in, points outside the view stay inside the plot area (a few pixels of slack for the big markers).
    for (const d of all) {
      d.clip = 6;
      // A fingertip is wider than a dot: a tap a few pixels off still hits it (the nearest one wins).
      d.pointHitRadius = 6;
    }
    chart.data.datasets = all as ChartDataset<'scatter'>[];
    applyView();
    chart.update();
    canvas.dataset.pointCount = String(points.length);
    canvas.dataset.highlighted = String(selected.length + near.length);
    canvas.dataset.leftOut = String(leftOut.length);
    if (cursorPts.length > 0) {
      const c = chart.getDatasetMeta(0).data[0];
      if (c) chart.tooltip?.setActiveElements([{ datasetIndex: 0, index: 0 }], { x: c.x, y: c.y });
    } else chart.tooltip?.setActiveElements([], { x: 0, y: 0 });
    chart.update();
  }

  const scale = (): XY => {
    const v = view ?? whole;
    const a = chart.chartArea;
    return a ? { x: (a.right - a.left) / (v.xMax - v.xMin), y: (a.bottom - a.top) / (v.yMax - v.yMin) } : { x: 1, y: 1 };
  };
  const dataAt = (clientX: number, clientY: number): XY => {
    const r = canvas.getBoundingClientRect();
    return { x: chart.scales.x.getValueForPixel(clientX - r.left) ?? 0, y: chart.scales.y.getValueForPixel(clientY - r.top) ?? 0 };
  };
  const centre = (): XY => {
    const v = view ?? whole;
    return { x: (v.xMin + v.xMax) / 2, y: (v.yMin + v.yMax) / 2 };
  };

  function zoom(factor: number, at: XY = centre()) {
    const next = zoomView(view ?? whole, factor, at);
    // Zooming out past the whole map snaps back to it.
    view = next.xMax - next.xMin >= whole.xMax - whole.xMin ? null : next;
    rebuild();
  }

  /** Keeps the cursor's film on screen: pans the zoomed view to it when it moved off. */
  function follow(p: XY) {
    if (!view || (p.x > view.xMin && p.x < view.xMax && p.y > view.yMin && p.y < view.yMax)) return;
    const w = view.xMax - view.xMin;
    const h = view.yMax - view.yMin;
    view = { xMin: p.x - w / 2, xMax: p.x + w / 2, yMin: p.y - h / 2, yMax: p.y + h / 2 };
  }

  canvas.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      zoom(e.deltaY < 0 ? 1.25 : 0.8, dataAt(e.clientX, e.clientY));
    },
    { passive: false },
  );
  canvas.addEventListener('pointerdown', (e) => {
    justDragged = false;
    if (e.pointerType !== 'mouse' && !view) return;
    drag = { x: e.clientX, y: e.clientY, view: view ?? whole, moved: false, id: e.pointerId };
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drag || drag.id !== e.pointerId) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 5) return;
    if (!drag.moved) canvas.setPointerCapture(e.pointerId);
    drag.moved = true;
    const s = scale();
    const v = drag.view;
    view = { xMin: v.xMin - dx / s.x, xMax: v.xMax - dx / s.x, yMin: v.yMin + dy / s.y, yMax: v.yMax + dy / s.y };
    applyView();
    chart.update('none');
  });
  const endDrag = () => {
    justDragged = drag?.moved ?? false;
    drag = null;
  };
  canvas.addEventListener('pointerup', endDrag);
  canvas.addEventListener('pointercancel', endDrag);

  return {
    setPoints(p: MovieProjection[]) {
      points = p;
      whole = boundsOf(p);
      view = null;
      cursor = -1;
      rebuild();
    },
    /** Dims the films `f` leaves out (undefined: none); returns how many are left out. */
    setFilter(f: MovieFilter | undefined): number {
      filter = f;
      rebuild();
      return points.filter((p) => !passesFilter(p.movie, filter)).length;
    },
    /** Highlights the selected film(s) (one, or a mood's) and their neighbours; returns how many of them are on the map. */
    highlight(selected: readonly number[], neighbours: readonly number[], names: HighlightLabels = FILM_LABELS): number {
      labels = names;
      selectedIds = new Set(selected);
      neighbourIds = new Set(neighbours.filter((id) => !selectedIds.has(id)));
      rebuild();
      return points.filter((p) => selectedIds.has(p.movie.id) || neighbourIds.has(p.movie.id)).length;
    },
    zoomIn: () => zoom(1.5, cursor >= 0 ? points[cursor] : centre()),
    zoomOut: () => zoom(1 / 1.5, cursor >= 0 ? points[cursor] : centre()),
    resetView() {
      view = null;
      rebuild();
    },
    /** Moves the keyboard cursor (starting at the chosen film, else the middle of the view); returns the film under it. */
    moveCursor(dir: Direction | 'start'): MovieProjection | null {
      if (points.length === 0) return null;
      if (cursor < 0 || dir === 'start') {
        const chosen = points.findIndex((p) => selectedIds.has(p.movie.id));
        cursor = chosen >= 0 ? chosen : nearestPoint(points, centre(), scale());
      } else cursor = nextPoint(points, cursor, dir, scale());
      follow(points[cursor]);
      rebuild();
      return points[cursor];
    },
    /** The film under the keyboard cursor, or null. */
    cursorFilm: (): MovieProjection | null => (cursor >= 0 ? (points[cursor] ?? null) : null),
    clearCursor() {
      if (cursor < 0) return;
      cursor = -1;
      rebuild();
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

/** The points by genre group, the left-out and the highlighted ones apart (a highlighted film is drawn once, in its highlight set: one tooltip per dot). */
function partition(
  points: MovieProjection[],
  selectedIds: ReadonlySet<number>,
  neighbourIds: ReadonlySet<number>,
  filter: MovieFilter | undefined,
  cursor: number,
) {
  const groups = new Map<string, MapPoint[]>();
  const selected: MapPoint[] = [];
  const near: MapPoint[] = [];
  const leftOut: MapPoint[] = [];
  const cursorPts: MapPoint[] = [];
  points.forEach((p, i) => {
    const pt = { x: p.x, y: p.y, p };
    if (i === cursor) cursorPts.push(pt);
    if (selectedIds.has(p.movie.id)) selected.push(pt);
    else if (neighbourIds.has(p.movie.id)) near.push(pt);
    else if (!passesFilter(p.movie, filter)) leftOut.push(pt);
    else {
      const g = genreGroup(p.movie.genres);
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g)!.push(pt);
    }
  });
  return { groups, selected, near, leftOut, cursorPts };
}
