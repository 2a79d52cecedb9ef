import { combinedCos, oneCycle, schedCos } from './one-cycle';

// Known answers worked from fast.ai's definitions (see one-cycle.ts):
// SchedCos(s, e)(pos) = s + (1 + cos(pi(1-pos)))(e-s)/2, so
//   pos 0 -> s; pos 1/3 -> s + (1-1/2)(e-s)/2 = s + (e-s)/4; pos 1/2 -> (s+e)/2; pos 1 -> e.
// With lrMax = 1e-2, div 25, divFinal 1e5: start 4e-4, peak 1e-2, end 1e-7.
describe('schedCos / combinedCos', () => {
  it('matches the hand values of a half cosine', () => {
    expect(schedCos(2, 10, 0)).toBe(2);
    expect(schedCos(2, 10, 1)).toBe(10);
    expect(schedCos(2, 10, 0.5)).toBeCloseTo(6, 14);
    expect(schedCos(2, 10, 1 / 3)).toBeCloseTo(4, 14);
    expect(schedCos(2, 10, 2 / 3)).toBeCloseTo(8, 14);
  });

  it('switches phase at pct (pos == pct is the start of phase 2)', () => {
    expect(combinedCos(0.25, 1, 5, 3, 0.25)).toBe(5);
    expect(combinedCos(0.25, 1, 5, 3, 0.125)).toBeCloseTo(3, 14);
    expect(combinedCos(0.25, 1, 5, 3, 0.625)).toBeCloseTo(4, 14);
    expect(combinedCos(0, 1, 5, 3, 0)).toBe(5); // no warm-up at all
  });
});

describe('oneCycle (fast.ai fit_one_cycle defaults)', () => {
  const sched = oneCycle({ lrMax: 1e-2, totalSteps: 1000 });

  it('starts at lrMax/25 exactly with momentum 0.95', () => {
    expect(sched(0)).toEqual({ lr: 1e-2 / 25, mom: 0.95 });
  });

  it('peaks at lrMax with momentum 0.85 after 25% of the steps', () => {
    expect(sched(250)).toEqual({ lr: 1e-2, mom: 0.85 });
  });

  it('is half-way through each cosine at the phase mid-points', () => {
    // step 125: pos 0.125 = middle of warm-up -> (4e-4 + 1e-2)/2 = 5.2e-3; mom (0.95+0.85)/2 = 0.9
    expect(sched(125).lr).toBeCloseTo(5.2e-3, 15);
    expect(sched(125).mom).toBeCloseTo(0.9, 14);
    // step 625: pos 0.625 = middle of annealing -> (1e-2 + 1e-7)/2 = 5.00005e-3; mom 0.9
    expect(sched(625).lr).toBeCloseTo(5.00005e-3, 15);
    expect(sched(625).mom).toBeCloseTo(0.9, 14);
  });

  it('is a quarter of the way at a third of the warm-up: 4e-4 + (1e-2 - 4e-4)/4 = 2.8e-3', () => {
    const s = oneCycle({ lrMax: 1e-2, totalSteps: 1200 });
    expect(s(100).lr).toBeCloseTo(2.8e-3, 15); // pos 1/12 = 1/3 of pct_start 0.25
    expect(s(100).mom).toBeCloseTo(0.95 - 0.1 / 4, 14);
  });

  it('ends at lrMax/1e5 with momentum 0.95; the last batch (step N-1) is just above it', () => {
    expect(Math.abs(sched(1000).lr / 1e-7 - 1)).toBeLessThan(1e-9);
    expect(sched(1000).mom).toBeCloseTo(0.95, 15);
    expect(sched(5000)).toEqual(sched(1000)); // clamped
    // step 999: pos 0.999, phase-2 pos 0.99867; cos(pi*0.0013333) = 0.99999122703 (python math.cos)
    const last = sched(999).lr;
    expect(last).toBeGreaterThan(1e-7);
    expect(last).toBeCloseTo(1e-7 + ((1 - 0.9999912270311) * (1e-2 - 1e-7)) / 2, 12);
  });

  it('rises monotonically during warm-up and falls after', () => {
    for (let t = 1; t <= 250; t++) expect(sched(t).lr).toBeGreaterThan(sched(t - 1).lr);
    for (let t = 251; t <= 1000; t++) expect(sched(t).lr).toBeLessThan(sched(t - 1).lr);
  });

  it('honours custom pctStart, div, divFinal and moms', () => {
    const s = oneCycle({ lrMax: 1, totalSteps: 10, pctStart: 0.5, div: 10, divFinal: 100, moms: [0.9, 0.8, 0.7] });
    expect(s(0)).toEqual({ lr: 0.1, mom: 0.9 });
    expect(s(5)).toEqual({ lr: 1, mom: 0.8 });
    expect(s(10).lr).toBeCloseTo(0.01, 15);
    expect(s(10).mom).toBeCloseTo(0.7, 15);
  });

  it('explains bad options', () => {
    expect(() => oneCycle({ lrMax: 0, totalSteps: 10 })).toThrow(/lrMax must be a positive number/);
    expect(() => oneCycle({ lrMax: 1, totalSteps: 0 })).toThrow(/totalSteps must be a positive integer, got 0/);
    expect(() => oneCycle({ lrMax: 1, totalSteps: 5, pctStart: 2 })).toThrow(/pctStart/);
  });
});
