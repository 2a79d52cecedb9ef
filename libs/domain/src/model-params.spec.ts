import { DEFAULT_MODEL_PARAMS, validateModelParams, type ModelParams } from './model-params';

describe('ModelParams', () => {
  it("defaults to fast.ai's collab_learner + fit_one_cycle as the blog ran it", () => {
    expect(DEFAULT_MODEL_PARAMS).toEqual({ factors: 50, epochs: 5, lr: 5e-3, wd: 0.1, yRange: [0, 5.5], validPct: 0.2, seed: 42, batchSize: 64 });
    expect(validateModelParams(DEFAULT_MODEL_PARAMS)).toEqual([]);
  });

  it.each<[Partial<ModelParams>, RegExp]>([
    [{ factors: 0 }, /^--factors must be a whole number from 1 to 2000 \(got 0\)$/],
    [{ epochs: 1.5 }, /^--epochs/],
    [{ lr: 0 }, /^--lr must be a number above 0/],
    [{ wd: -0.1 }, /^--wd/],
    [{ yRange: [5.5, 0] }, /^--y-range must be two numbers lo < hi/],
    [{ validPct: 1 }, /^--valid-pct must be a fraction above 0 and below 1/],
    [{ seed: 2 ** 32 }, /^--seed/],
    [{ batchSize: 0 }, /^--batch-size/],
  ])('%j is rejected, naming the flag', (change, message) => {
    const errors = validateModelParams({ ...DEFAULT_MODEL_PARAMS, ...change });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });
});
