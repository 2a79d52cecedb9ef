import { mse, recallAtK, rmse, sigmoid, sigmoidRange } from './metrics';

describe('metrics', () => {
  it('mse / rmse on a worked example: errors 1, -2, 2 -> mse 9/3 = 3, rmse sqrt 3', () => {
    expect(mse([4, 1, 5], [3, 3, 3])).toBe(3);
    expect(rmse(Float32Array.of(4, 1, 5), Float64Array.of(3, 3, 3))).toBe(Math.sqrt(3));
    expect(rmse([2, 2], [2, 2])).toBe(0);
    expect(() => mse([1], [1, 2])).toThrow(/1 predictions but 2 targets/);
    expect(() => rmse([], [])).toThrow(/no values/);
  });

  it('recallAtK counts the truth found, once each', () => {
    expect(recallAtK([1, 2, 3, 4], [2, 4, 6, 8])).toBe(0.5);
    expect(recallAtK([7, 7, 7], [7, 8])).toBe(0.5);
    expect(recallAtK(Int32Array.of(5, 6), [6, 5])).toBe(1);
    expect(recallAtK([], [1])).toBe(0);
    expect(() => recallAtK([1], [])).toThrow(/truth list is empty/);
  });

  it('sigmoid: 0 -> 1/2, ln 3 -> 3/4, symmetric, no overflow at +-1000', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(Math.log(3))).toBeCloseTo(0.75, 15);
    expect(sigmoid(-Math.log(3))).toBeCloseTo(0.25, 15);
    expect(sigmoid(1000)).toBe(1);
    expect(sigmoid(-1000)).toBe(0);
  });

  it('sigmoidRange maps onto (lo, hi): y_range (0, 5.5) gives 2.75 at 0 and 4.125 at ln 3', () => {
    expect(sigmoidRange(0, 0, 5.5)).toBe(2.75);
    expect(sigmoidRange(Math.log(3), 0, 5.5)).toBeCloseTo(4.125, 14);
    expect(sigmoidRange(0, 1, 3)).toBe(2);
    expect(sigmoidRange(-50, 0, 5.5)).toBeGreaterThanOrEqual(0);
  });
});
