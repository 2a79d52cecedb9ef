// The active model as the model card shows it: one line for fans ("learned from …
// ratings by … people, May 2026") and, behind "model details", the facts (parameters, engine, backend)
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

// The parameters worth naming in "model details"; anything else the trainer records
// (batch-size options, kernels, validation percentages) is for developers, not fans.
const PARAM_LABELS: Record<string, string> = {
  factors: 'Taste dimensions',
  epochs: 'Training passes',
  lr: 'Learning rate',
  wd: 'Weight decay',
  yRange: 'Rating range',
  batchSize: 'Batch size',
  seed: 'Seed',
  validFraction: 'Ratings held back to check it',
};

const MONTH = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const COUNT = new Intl.NumberFormat('en-US');

/** "learned from 100,836 ratings by 610 people, May 2026" (ratings and people from the trainer's counts when recorded). */
export function fanLine(run: Record<string, unknown>): string {
  const counts = asObject(asObject(run.metrics).counts);
  const ratings = num(counts.ratings);
  const people = num(counts.users);
  const films = num(run.movieCount);
  const when = typeof run.createdAt === 'string' && !Number.isNaN(Date.parse(run.createdAt)) ? MONTH.format(new Date(run.createdAt)) : '';
  let what: string;
  if (ratings !== undefined && people !== undefined) what = `${COUNT.format(ratings)} ratings by ${COUNT.format(people)} people`;
  else if (films !== undefined) what = `the ratings of ${COUNT.format(films)} films`;
  else what = 'people’s ratings';
  return `Learned from ${what}${when ? `, ${when}` : ''}`;
}

function detailFacts(run: Record<string, unknown>, epochs: EpochPoint[]): [string, string][] {
  const params = asObject(run.params);
  const counts = asObject(asObject(run.metrics).counts);
  const facts: [string, string][] = [];
  if (typeof run.movieCount === 'number') facts.push(['Films in the model', COUNT.format(run.movieCount)]);
  if (num(counts.ratings) !== undefined) facts.push(['Ratings learned from', COUNT.format(num(counts.ratings)!)]);
  if (num(counts.users) !== undefined) facts.push(['People', COUNT.format(num(counts.users)!)]);
  const created = typeof run.createdAt === 'string' ? run.createdAt.slice(0, 16).replace('T', ' ') : undefined;
  if (created) facts.push(['Trained', `${created} UTC`]);
  const engine = [run.engine, run.backend].filter((x) => typeof x === 'string').join(' on ');
  if (engine) facts.push(['Trained with', engine]);
  for (const [k, label] of Object.entries(PARAM_LABELS)) {
    const v = params[k];
    if (v !== null && v !== undefined) facts.push([label, show(v)]);
  }
  const last = epochs[epochs.length - 1];
  if (last) facts.push(['Typical error (RMSE, stars)', last.validRmse.toFixed(3)]);
  if (run.id !== undefined) facts.push(['Version', `#${show(run.id)}`]);
  return facts;
}

/** The card for the GraphQL `activeModel` object (null → no model yet). */
export function modelCard(run: Record<string, unknown> | null | undefined): ModelCard {
  if (!run) return { facts: [], epochs: [], summary: 'cinemap is still learning: recommendations appear once it has been trained.' };
  const epochs = epochPoints(run.epochs ?? asObject(run.metrics).epochs);
  return { facts: detailFacts(run, epochs), epochs, summary: fanLine(run) };
}
