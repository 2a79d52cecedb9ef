// Moving between the map's films with the arrow keys: from one point, the next one in
// the direction pressed is the closest within a 45° cone, distance counted with the
// sideways offset weighted double so the cursor goes where the arrow points. Pure;
// see map-nav.spec.ts.

export type Direction = 'left' | 'right' | 'up' | 'down';

export interface XY {
  x: number;
  y: number;
}

const AXIS: Record<Direction, XY> = { right: { x: 1, y: 0 }, left: { x: -1, y: 0 }, up: { x: 0, y: 1 }, down: { x: 0, y: -1 } };

/**
 * The index of the point to move to from `points[from]` in `dir` (data coordinates: up is
 * +y), or `from` when nothing lies that way. `scale` is how many screen pixels one data
 * unit is on each axis, so "closest" means closest as drawn.
 */
export function nextPoint(points: readonly XY[], from: number, dir: Direction, scale: XY = { x: 1, y: 1 }): number {
  const o = points[from];
  if (!o) return from;
  const a = AXIS[dir];
  let best = from;
  let bestScore = Infinity;
  points.forEach((p, i) => {
    if (i === from) return;
    const dx = (p.x - o.x) * scale.x;
    const dy = (p.y - o.y) * scale.y;
    const along = dx * a.x + dy * a.y;
    const side = Math.abs(dx * a.y - dy * a.x);
    if (along <= 0 || side > along) return;
    const score = along + 2 * side;
    if (score < bestScore) {
      bestScore = score;
      best = i;
    }
  });
  return best;
}

/** The index of the point nearest to `at` (where the keyboard cursor starts), or -1 for no points. */
export function nearestPoint(points: readonly XY[], at: XY, scale: XY = { x: 1, y: 1 }): number {
  let best = -1;
  let bestD = Infinity;
  points.forEach((p, i) => {
    const d = Math.hypot((p.x - at.x) * scale.x, (p.y - at.y) * scale.y);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

export interface View {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

/** The view zoomed by `factor` (> 1 zooms in) around `at`, which stays where it is on screen. */
export function zoomView(v: View, factor: number, at: XY): View {
  const f = 1 / factor;
  return {
    xMin: at.x - (at.x - v.xMin) * f,
    xMax: at.x + (v.xMax - at.x) * f,
    yMin: at.y - (at.y - v.yMin) * f,
    yMax: at.y + (v.yMax - at.y) * f,
  };
}

/** The bounds of the points with a small margin (the whole map). */
export function boundsOf(points: readonly XY[]): View {
  if (points.length === 0) return { xMin: -1, xMax: 1, yMin: -1, yMax: 1 };
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const mx = (x1 - x0 || 1) * 0.04;
  const my = (y1 - y0 || 1) * 0.04;
  return { xMin: x0 - mx, xMax: x1 + mx, yMin: y0 - my, yMax: y1 + my };
}
