// How hard a dump is for the trainer: the learning half of the synthetic
// generator's calibration table (libs/synthetic/README.md; the data
// half is `npm run generate -- --stats DIR`). On one dump folder it reports
//   * the valid RMSE of the biases-only baseline and of the native engine at the
//     trainer's defaults (fast.ai's, bs auto), same seeded 20% split, and the gain;
//   * optionally the fast.ai reference (bench/reference/fastai_collab.py) on the
//     exported split, the mean over --reference N seeds;
//   * planted-franchise recall@10 of the trained movie factors, as measured on real
//     MovieLens: the most-rated member of each franchise is the query, the other
//     members are looked for among its 10 nearest films by cosine, with no rating
//     floor and among films with >= 20 and >= 50 ratings (the floor applies to the
//     candidates and to the members alike).
// Usage: node --import tsx bench/src/calibrate.ts DIR [--threads 1] [--reference N] [--json]
import { fastaiDefaults } from './fastai-defaults';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { normalizeRows, topKByDot } from '@cinemap/math';
import { readRatingsForStats } from '@cinemap/synthetic';
import {
  NativeEngine,
  autoBatchSize,
  baselineRmse,
  fitBaseline,
  prepareTrainingData,
  writeSplitFile,
  type RawRatings,
  type TrainingData,
} from '@cinemap/trainer';
import type { ModelWeights } from '@cinemap/model';

export const RECALL_FLOORS = [0, 20, 50] as const;

export interface CalibrationFigures {
  dir: string;
  ratings: number;
  baselineRmse: number;
  nativeRmse: number;
  /** 1 - native / baseline. */
  nativeGain: number;
  reference?: { seeds: number; rmse: number[]; meanRmse: number; gain: number };
  /** Per floor in RECALL_FLOORS; null when the dump has no franchises (no truth.json and no --franchises). */
  franchiseRecall: { floor: number; recall: number; queries: number }[] | null;
}

/**
 * recall@k with the most-rated member of each franchise as the query, over the films
 * with at least `floor` ratings (`counts` by dense movie index). Franchises with
 * fewer than two members above the floor are skipped.
 */
export function franchiseRecallMostRated(
  p: ModelWeights,
  movieIds: ArrayLike<number>,
  counts: ArrayLike<number>,
  franchises: number[][],
  floor: number,
  k = 10,
): { recall: number; queries: number } {
  const index = new Map<number, number>();
  for (let i = 0; i < movieIds.length; i++) index.set(movieIds[i], i);
  const keep: number[] = [];
  for (let i = 0; i < p.nMovies; i++) if (counts[i] >= floor) keep.push(i);
  const d = p.factors;
  const sub = new Float32Array(keep.length * d);
  keep.forEach((i, r) => sub.set(p.movieFactors.subarray(i * d, (i + 1) * d), r * d));
  const normed = normalizeRows(sub, keep.length, d, { inPlace: true });
  const row = new Map<number, number>();
  keep.forEach((i, r) => row.set(i, r));
  let found = 0,
    possible = 0,
    queries = 0;
  for (const f of franchises) {
    const members = f.map((id) => index.get(id)).filter((i): i is number => i !== undefined && counts[i] >= floor);
    if (members.length < 2) continue;
    const q = members.reduce((a, b) => (counts[b] > counts[a] ? b : a));
    const qr = row.get(q)!;
    const top = new Set(topKByDot(normed, keep.length, d, normed.subarray(qr * d, (qr + 1) * d), k, { exclude: new Set([qr]) }).indices);
    queries++;
    for (const m of members)
      if (m !== q) {
        possible++;
        if (top.has(row.get(m)!)) found++;
      }
  }
  return { recall: possible ? found / possible : NaN, queries };
}

async function readRaw(dir: string): Promise<RawRatings> {
  const r = await readRatingsForStats(dir);
  const ratings = new Float32Array(r.length);
  for (let i = 0; i < r.length; i++) ratings[i] = r.halfStars[i] / 2;
  const userIds = new Int32Array(r.length),
    movieIds = new Int32Array(r.length);
  for (let i = 0; i < r.length; i++) {
    userIds[i] = r.userId[i];
    movieIds[i] = r.movieId[i];
  }
  return { userIds, movieIds, ratings };
}

function movieCounts(data: TrainingData): Float64Array {
  const c = new Float64Array(data.movieIds.length);
  for (const s of [data.train, data.valid]) for (let i = 0; i < s.movies.length; i++) c[s.movies[i]]++;
  return c;
}

export async function calibrate(
  dir: string,
  opts: {
    threads?: number;
    reference?: number;
    python?: string;
    franchises?: number[][];
    log?: (s: string) => void;
  } = {},
): Promise<CalibrationFigures> {
  const log = opts.log ?? (() => {});
  const raw = await readRaw(dir);
  const data = prepareTrainingData(raw, 0.2, 42);
  const nTrain = data.train.ratings.length;
  const base = baselineRmse(fitBaseline(data.train, data.userIds.length, data.movieIds.length), data.valid);
  log(
    `${raw.ratings.length} ratings; biases-only ${base.toFixed(4)}; training native (bs ${autoBatchSize(nTrain)}, ${opts.threads ?? 1} thread(s))`,
  );
  const native = await new NativeEngine().train(data, {
    ...fastaiDefaults(nTrain),
    seed: 42,
    threads: opts.threads ?? 1,
  });
  const nativeRmse = native.epochs[native.epochs.length - 1].validRmse;
  let franchises = opts.franchises;
  const truthPath = join(dir, 'truth.json');
  if (!franchises && existsSync(truthPath))
    franchises = (JSON.parse(readFileSync(truthPath, 'utf8')) as { franchises: number[][] }).franchises;
  const counts = movieCounts(data);
  const franchiseRecall = franchises
    ? RECALL_FLOORS.map((floor) => ({ floor, ...franchiseRecallMostRated(native.weights, data.movieIds, counts, franchises!, floor) }))
    : null;
  const out: CalibrationFigures = {
    dir,
    ratings: raw.ratings.length,
    baselineRmse: base,
    nativeRmse,
    nativeGain: 1 - nativeRmse / base,
    franchiseRecall,
  };
  if (opts.reference) out.reference = runReference(data, opts.reference, opts.python ?? '/usr/bin/python3', base, log);
  return out;
}

function runReference(
  data: TrainingData,
  seeds: number,
  python: string,
  base: number,
  log: (s: string) => void,
): CalibrationFigures['reference'] {
  const work = mkdtempSync(join(tmpdir(), 'cinemap-calibrate-'));
  try {
    const split = join(work, 'split.csv');
    writeSplitFile(split, data, { seed: 42 });
    const script = resolve(__dirname, '../reference/fastai_collab.py');
    const rmse: number[] = [];
    for (let s = 1; s <= seeds; s++) {
      log(`fast.ai reference, seed ${s}/${seeds} …`);
      const r = spawnSync(python, [script, '--split', split, '--seed', String(s), '--json'], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (r.status !== 0)
        throw new Error(
          `${python} ${script} failed (${r.status ?? r.signal}): ${r.stderr.slice(-2000)}\nNeeds PyTorch: Debian's python3-torch (--python /usr/bin/python3).`,
        );
      rmse.push((JSON.parse(r.stdout.trim().split('\n').pop()!) as { validRmse: number }).validRmse);
    }
    const meanRmse = rmse.reduce((a, b) => a + b, 0) / rmse.length;
    return { seeds, rmse, meanRmse, gain: 1 - meanRmse / base };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function formatCalibration(c: CalibrationFigures): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = [
    `${c.dir}: ${c.ratings.toLocaleString('en-US')} ratings, valid 20% (seed 42)`,
    `biases-only valid RMSE   ${c.baselineRmse.toFixed(4)}`,
    `native (defaults)        ${c.nativeRmse.toFixed(4)}  gain ${pct(c.nativeGain)}`,
  ];
  if (c.reference)
    lines.push(
      `fast.ai reference        ${c.reference.meanRmse.toFixed(4)}  gain ${pct(c.reference.gain)}  (mean of ${c.reference.seeds} seeds: ${c.reference.rmse.map((x) => x.toFixed(4)).join(', ')})`,
    );
  if (c.franchiseRecall) {
    lines.push(
      `franchise recall@10 (most-rated member as query): ${c.franchiseRecall.map((r) => `${r.floor ? `>= ${r.floor} ratings` : 'no floor'} ${r.recall.toFixed(2)} (${r.queries} franchises)`).join('; ')}`,
    );
  } else lines.push('franchise recall@10: no truth.json (give --franchises FILE)');
  return lines.join('\n') + '\n';
}

const HELP = `Usage: node --import tsx bench/src/calibrate.ts DIR... [--threads N] [--reference N] [--python PATH] [--franchises FILE] [--json]

How much a dump rewards the trainer: biases-only vs native (trainer defaults) valid RMSE
on a seeded 20% split, the gain, and planted-franchise recall@10 (truth.json's franchises,
most-rated member as the query; no floor, >= 20, >= 50 ratings).
DIR holds ratings.csv (ml-latest layout, synthetic dumps) or u.data (ml-100k).
  --threads N       native engine threads (default 1: quality is the point)
  --reference N     also run the fast.ai reference (bench/reference/fastai_collab.py) with seeds 1..N
                    on the same split (slow: 10-60 s per seed on 100k ratings)
  --python PATH     Python with PyTorch for the reference (default /usr/bin/python3)
  --franchises FILE JSON array of movieId arrays, for a dump without truth.json
  --json            one JSON object per DIR on stdout
The data half of the table: npm run generate -- --stats DIR`;

async function main(argv: string[]): Promise<void> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) return void console.log(HELP);
  const dirs: string[] = [];
  const o: { threads: number; reference: number; python?: string; franchises?: number[][]; json: boolean } = {
    threads: 1,
    reference: 0,
    json: false,
  };
  const num = (name: string, v: string | undefined): number => {
    if (v === undefined || !/^[1-9]\d*$/.test(v))
      throw new Error(`${name} needs a positive integer, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--threads') o.threads = num(a, argv[++i]);
    else if (a === '--reference') o.reference = num(a, argv[++i]);
    else if (a === '--python') o.python = argv[++i];
    else if (a === '--franchises') o.franchises = JSON.parse(readFileSync(argv[++i], 'utf8')) as number[][];
    else if (a === '--json') o.json = true;
    else if (a.startsWith('-')) throw new Error(`unknown option ${a} (see --help)`);
    else dirs.push(a);
  }
  for (const dir of dirs) {
    const c = await calibrate(dir, { ...o, log: (s) => process.stderr.write(`[calibrate] ${s}\n`) });
    process.stdout.write(o.json ? `${JSON.stringify(c)}\n` : formatCalibration(c));
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`calibrate: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
