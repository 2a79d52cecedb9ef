// The model card reads the gateway's ModelRun: facts in order, per-epoch valid RMSE.
import { epochPoints, fanLine, modelCard } from './model-card';

const run = {
  id: 4,
  engine: 'native',
  backend: 'cpu',
  movieCount: 1333,
  createdAt: '2025-11-27T15:02:03.000Z',
  params: { factors: 8, epochs: 2, lr: 0.005, wd: 0.1, yRange: [0, 5.5] },
  metrics: { epochs: [] },
  epochs: [
    { epoch: 1, trainLoss: 1.1, validLoss: 1.0, validRmse: 1.0, seconds: 0.1 },
    { epoch: 2, trainLoss: 0.8, validLoss: 0.82, validRmse: 0.905, seconds: 0.1 },
  ],
};

describe('modelCard', () => {
  it("gives fans one line: ratings, people and the month, from the trainer's counts", () => {
    const withCounts = { ...run, metrics: { counts: { ratings: 100836, users: 610, movies: 9724 } }, createdAt: '2026-05-14T09:00:00Z' };
    expect(modelCard(withCounts).summary).toBe('Learned from 100,836 ratings by 610 people, May 2026');
    expect(fanLine(run)).toBe('Learned from the ratings of 1,333 films, November 2025');
    expect(fanLine({})).toBe('Learned from people’s ratings');
  });

  it('keeps the details for the disclosure: each fact once, known parameters only, no internals', () => {
    const c = modelCard({ ...run, params: { ...run.params, engine: 'native', batchSizeOption: 'auto', kernel: 'simd', validPct: 20 } });
    expect(c.facts).toEqual([
      ['Films in the model', '1,333'],
      ['Trained', '2025-11-27 15:02 UTC'],
      ['Trained with', 'native on cpu'],
      ['Taste dimensions', '8'],
      ['Training passes', '2'],
      ['Learning rate', '0.005'],
      ['Weight decay', '0.1'],
      ['Rating range', '(0, 5.5)'],
      ['Typical error (RMSE, stars)', '0.905'],
      ['Version', '#4'],
    ]);
    expect(c.epochs.map((e) => e.validRmse)).toEqual([1.0, 0.905]);
  });

  it('says what is going on when no model is active, without commands', () => {
    expect(modelCard(null)).toEqual({
      facts: [],
      epochs: [],
      summary: 'cinemap is still learning: recommendations appear once it has been trained.',
    });
  });

  it('derives RMSE from a validation MSE when that is all the trainer recorded', () => {
    expect(epochPoints([{ epoch: 3, validMse: 0.81 }, { nothing: true }, 'junk'])).toEqual([
      { epoch: 3, validRmse: 0.9, trainLoss: undefined },
    ]);
    expect(modelCard({ id: 1, metrics: { epochs: [{ validRmse: 0.95 }] } }).epochs).toEqual([
      { epoch: 1, validRmse: 0.95, trainLoss: undefined },
    ]);
  });
});
