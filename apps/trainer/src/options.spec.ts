// Given training options, when resolved, then the model's hyper-parameters are checked
// against the domain's one set of bounds (validateModelParams) and the engine's own
// choices here, every problem named by its flag at once.
import { MODEL_PARAM_BOUNDS } from '@cinemap/domain';
import { DEFAULT_OPTIONS, resolveOptions } from './options';

describe('resolveOptions', () => {
  it("takes fast.ai's defaults, with --batch-size auto", () => {
    expect(resolveOptions()).toEqual(DEFAULT_OPTIONS);
    expect(resolveOptions().batchSize).toBe('auto');
  });

  it('checks the hyper-parameters against the domain bounds (planted: a wd past the bound)', () => {
    expect(() => resolveOptions({ wd: MODEL_PARAM_BOUNDS.wd[1] })).toThrow(/^--wd must be a number from 0 up to \(not including\) 100/);
    expect(() => resolveOptions({ batchSize: MODEL_PARAM_BOUNDS.batchSize[1] + 1 })).toThrow(
      /^--batch-size must be a whole number from 1 to 4194304/,
    );
    expect(resolveOptions({ wd: 99, batchSize: MODEL_PARAM_BOUNDS.batchSize[1] }).wd).toBe(99);
  });

  it('checks the engine choices and reports every problem at once', () => {
    let message = '';
    try {
      resolveOptions({ factors: 0, engine: 'gpu' as 'auto', threads: 0 });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split('\n')).toEqual([
      '--factors must be a whole number from 1 to 2000 (got 0)',
      'Invalid --engine: expected auto, native or tfjs, got gpu',
      'Invalid --threads: expected an integer 1..256, got 0',
    ]);
  });

  it('checks the audience embedding and blend options by flag (planted: zero factors, a weight past 1)', () => {
    expect(DEFAULT_OPTIONS).toMatchObject({ audienceFactors: 50, blendWeight: 0.3 });
    expect(() => resolveOptions({ audienceFactors: 0 })).toThrow('Invalid --audience-factors: expected an integer 1..1000, got 0');
    expect(() => resolveOptions({ blendWeight: 1.5 })).toThrow('Invalid --blend-weight: expected a number in 0..1, got 1.5');
    expect(resolveOptions({ audienceFactors: 32, blendWeight: 1 })).toMatchObject({ audienceFactors: 32, blendWeight: 1 });
  });
});
