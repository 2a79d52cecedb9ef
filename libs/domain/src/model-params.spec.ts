import { DEFAULT_MODEL_PARAMS, validateModelParams, type ModelParams } from './model-params';

describe('ModelParams', () => {
  it("defaults to fast.ai's collab_learner + fit_one_cycle as the blog ran it", () => {
    expect(DEFAULT_MODEL_PARAMS).toEqual({
      factors: 50,
      epochs: 5,
      lr: 5e-3,
      wd: 0.1,
      yRange: [0, 5.5],
      validPct: 0.2,
      seed: 42,
      batchSize: 64,
    });
    expect(validateModelParams(DEFAULT_MODEL_PARAMS)).toEqual([]);
  });

  it.each<[Partial<ModelParams>, RegExp]>([
    [{ factors: 0 }, /^--factors must be a whole number from 1 to 2000 \(got 0\)$/],
    [{ factors: 2001 }, /^--factors/],
    [{ epochs: 1.5 }, /^--epochs/],
    [{ epochs: 1001 }, /^--epochs must be a whole number from 1 to 1000/],
    [{ lr: 0 }, /^--lr must be a number above 0 and below 10/],
    [{ lr: 10 }, /^--lr/],
    [{ wd: -0.1 }, /^--wd/],
    [{ wd: 100 }, /^--wd must be a number from 0 up to \(not including\) 100/],
    [{ yRange: [5.5, 0] }, /^y_range must be two numbers lo < hi/],
    [{ validPct: 1 }, /^--valid-pct must be a fraction above 0 and below 1/],
    [{ seed: 0.5 }, /^--seed must be a whole number/],
    [{ seed: 2 ** 53 }, /^--seed/],
    [{ batchSize: 0 }, /^--batch-size/],
    [{ batchSize: (1 << 22) + 1 }, /^--batch-size must be a whole number from 1 to 4194304/],
  ])('%j is rejected, naming the flag', (change, message) => {
    const errors = validateModelParams({ ...DEFAULT_MODEL_PARAMS, ...change });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it('accepts the edges of every bound', () => {
    for (const change of [
      { factors: 2000 },
      { epochs: 1000 },
      { lr: 9.99 },
      { wd: 0 },
      { wd: 99.9 },
      { seed: -7 },
      { seed: 2 ** 40 },
      { batchSize: 1 << 22 },
    ]) {
      expect(validateModelParams({ ...DEFAULT_MODEL_PARAMS, ...change })).toEqual([]);
    }
  });
});
