// The model card reads the gateway's ModelRun: facts in order, per-epoch valid RMSE.
import { epochPoints, modelCard } from './model-card';

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
  it('lists engine, backend and parameters, and the valid RMSE of each epoch', () => {
    const c = modelCard(run);
    expect(c.facts).toEqual([
      ['Run', '#4'],
      ['Engine', 'native'],
      ['Backend', 'cpu'],
      ['Films in the model', '1,333'],
      ['Factors', '8'],
      ['Epochs', '2'],
      ['Learning rate', '0.005'],
      ['Weight decay', '0.1'],
      ['Rating range', '(0, 5.5)'],
      ['Valid RMSE (last epoch)', '0.905'],
      ['Trained', '2025-11-27 15:02'],
    ]);
    expect(c.epochs.map((e) => e.validRmse)).toEqual([1.0, 0.905]);
    expect(c.summary).toBe('Active model #4 · native/cpu · valid RMSE 0.905');
  });

  it('says what to do when no model is active', () => {
    expect(modelCard(null)).toEqual({ facts: [], epochs: [], summary: 'No trained model yet: run `npm run train`.' });
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
