// Given the map's points, when a keyboard user presses an arrow, then the cursor goes to
// the nearest film that way (not one off to the side), and stays when nothing lies that
// way; zooming keeps the point under the pointer in place.
import { boundsOf, nearestPoint, nextPoint, zoomView } from './map-nav';

//        3 (0,2)
//  1 (-2,0)  0 (0,0)  2 (1,0)   4 (3,0.5)
//        5 (0.2,-1)        6 (2,-2.5)
const pts = [
  { x: 0, y: 0 },
  { x: -2, y: 0 },
  { x: 1, y: 0 },
  { x: 0, y: 2 },
  { x: 3, y: 0.5 },
  { x: 0.2, y: -1 },
  { x: 2, y: -2.5 },
];

describe('arrow-key navigation of the map', () => {
  it('moves to the nearest point in the direction pressed', () => {
    expect(nextPoint(pts, 0, 'right')).toBe(2);
    expect(nextPoint(pts, 0, 'left')).toBe(1);
    expect(nextPoint(pts, 0, 'up')).toBe(3);
    expect(nextPoint(pts, 0, 'down')).toBe(5);
    expect(nextPoint(pts, 2, 'right')).toBe(4);
  });

  it('ignores points off to the side (outside 45°), and stays put at the edge', () => {
    // From 2, point 6 is down-right at 68°: "right" must not jump there.
    expect(nextPoint(pts, 4, 'right')).toBe(4);
    expect(nextPoint(pts, 3, 'up')).toBe(3);
    expect(nextPoint([], 0, 'up')).toBe(0);
  });

  it('measures as drawn: a squeezed axis changes which point is nearest', () => {
    const p = [
      { x: 0, y: 0 },
      { x: 1, y: 0.3 },
      { x: 2, y: 0 },
    ];
    expect(nextPoint(p, 0, 'right')).toBe(1);
    expect(nextPoint(p, 0, 'right', { x: 1, y: 10 })).toBe(2);
  });

  it('starts at the point nearest the middle', () => {
    expect(nearestPoint(pts, { x: 0.9, y: 0.1 })).toBe(2);
    expect(nearestPoint([], { x: 0, y: 0 })).toBe(-1);
  });
});

describe('zoom', () => {
  it('zooms around a point that stays where it was', () => {
    const v = { xMin: 0, xMax: 10, yMin: 0, yMax: 10 };
    const z = zoomView(v, 2, { x: 2, y: 8 });
    expect(z).toEqual({ xMin: 1, xMax: 6, yMin: 4, yMax: 9 });
    // the point's relative position in the view is unchanged
    expect((2 - z.xMin) / (z.xMax - z.xMin)).toBeCloseTo((2 - v.xMin) / (v.xMax - v.xMin));
    expect(zoomView(z, 0.5, { x: 2, y: 8 })).toEqual(v);
  });

  it('the whole map holds every point', () => {
    const b = boundsOf(pts);
    for (const p of pts) expect(p.x > b.xMin && p.x < b.xMax && p.y > b.yMin && p.y < b.yMax).toBe(true);
  });
});
