// The active model as the model card shows it: the facts (parameters, engine, backend)
// and the per-epoch validation RMSE, read from whatever the gateway's ModelRun carries
// (parameters and metrics are JSON, so the reading is tolerant). Pure; see model-card.spec.ts.

export interface EpochPoint {
  epoch: number;
  validRmse: number;
  trainLoss?: number;
}

export interface ModelCard {
  facts: [label: string, value: string][];
  epochs: EpochPoint[];
  /** One line for the page header. */
  summary: string;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function asObject(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') {
    try {
      return asObject(JSON.parse(v));
    } catch {
      return {};
    }
  }
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Per-epoch points from an `epochs` array with validRmse (or validMse/validLoss, square-rooted). */
export function epochPoints(raw: unknown): EpochPoint[] {
  if (!Array.isArray(raw)) return [];
  const out: EpochPoint[] = [];
  raw.forEach((e, i) => {
    const o = asObject(e);
    const mse = num(o.validMse) ?? num(o.validLoss);
    const rmse = num(o.validRmse) ?? (mse !== undefined ? Math.sqrt(mse) : undefined);
    if (rmse === undefined) return;
    out.push({ epoch: num(o.epoch) ?? i + 1, validRmse: rmse, trainLoss: num(o.trainLoss) ?? num(o.trainMse) });
  });
  return out;
}

function show(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  if (Array.isArray(v)) return `(${v.map(show).join(', ')})`;
  if (v && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const PARAM_LABELS: Record<string, string> = {
  factors: 'Factors',
  epochs: 'Epochs',
  lr: 'Learning rate',
  wd: 'Weight decay',
  yRange: 'Rating range',
  batchSize: 'Batch size',
  seed: 'Seed',
  validFraction: 'Validation share',
};

/** The card for the GraphQL `activeModel` object (null → no model yet). */
export function modelCard(run: Record<string, unknown> | null | undefined): ModelCard {
  if (!run) return { facts: [], epochs: [], summary: 'No trained model yet: run `npm run train`.' };
  const params = asObject(run.params);
  const metrics = asObject(run.metrics);
  const epochs = epochPoints(run.epochs ?? metrics.epochs);
  const facts: [string, string][] = [];
  if (run.id !== undefined) facts.push(['Run', `#${show(run.id)}`]);
  if (typeof run.engine === 'string') facts.push(['Engine', run.engine]);
  if (typeof run.backend === 'string') facts.push(['Backend', run.backend]);
  if (typeof run.movieCount === 'number') facts.push(['Films in the model', run.movieCount.toLocaleString('en-US')]);
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined) continue;
    facts.push([PARAM_LABELS[k] ?? k, show(v)]);
  }
  const last = epochs[epochs.length - 1];
  if (last) facts.push(['Valid RMSE (last epoch)', last.validRmse.toFixed(3)]);
  const created = typeof run.createdAt === 'string' ? run.createdAt.slice(0, 16).replace('T', ' ') : undefined;
  if (created) facts.push(['Trained', created]);
  const bits = [
    `model #${show(run.id ?? '?')}`,
    [run.engine, run.backend].filter((x) => typeof x === 'string').join('/'),
    last ? `valid RMSE ${last.validRmse.toFixed(3)}` : '',
  ].filter((b) => b !== '');
  return { facts, epochs, summary: `Active ${bits.join(' · ')}` };
}
