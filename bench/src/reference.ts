// The fast.ai reference (bench/reference/fastai_collab.py, PyTorch) and cinemap's
// engines on ONE split: the split is written by the trainer's writeSplitFile (what
// `npm run train -- --export-split FILE` writes), the reference reads it, so both train
// on the same ratings and are scored on the same held-out ones.
//  * train_vs_reference: native ratings/s ÷ the reference's ratings/s, with both valid
//    RMSEs beside it (the claim is "as accurate, this much faster");
//  * --real DIR (repeatable): valid RMSE of the reference, tfjs (wasm), native and
//    biases-only on a real MovieLens dump (any layout ingest reads), seeds averaged.
// The reference is slow (dense Adam over every row every batch of 64: 7-20k ratings/s
// on ml-latest-small), so it runs on dumps of ~100k ratings, never on `latest`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { openDumpSource, readDump } from '@cinemap/movielens';
import {
  NativeEngine,
  TfjsEngine,
  baselineRmse,
  fitBaseline,
  prepareTrainingData,
  writeSplitFile,
  type EngineConfig,
  type RawRatings,
  type TrainResult,
  type TrainingData,
} from '@cinemap/trainer';
import { findPython } from './python';
import type { BenchRow } from './types';

const log = (s: string) => process.stderr.write(`[reference] ${s}\n`);
const SCRIPT = resolve(__dirname, '../reference/fastai_collab.py');

export interface ReferenceRun {
  validRmse: number;
  ratingsPerSecond: number;
  torch: string;
  threads: number;
  seed: number;
}

/** One run of the fast.ai reference on a split file (fast.ai's defaults unless given). */
export function runFastaiReference(splitFile: string, seed: number, extra: string[] = []): ReferenceRun | { why: string } {
  const py = findPython('torch', 'python3-torch', 'the fast.ai reference');
  if (typeof py !== 'string') return py;
  const script = [SCRIPT, resolve('bench/reference/fastai_collab.py')].find((f) => {
    try {
      return readFileSync(f).length > 0;
    } catch {
      return false;
    }
  });
  if (!script) return { why: `bench/reference/fastai_collab.py not found (looked in ${SCRIPT})` };
  const r = spawnSync(py, [script, '--split', splitFile, '--seed', String(seed), '--json', ...extra], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) return { why: `the reference failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}` };
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ReferenceRun;
}

/** A real dump's ratings (any layout ingest reads), as trainer input. */
export async function readRealRatings(dir: string): Promise<RawRatings> {
  const dump = await readDump(await openDumpSource(dir));
  const c = dump.ratings;
  const ratings = new Float32Array(c.length);
  for (let i = 0; i < c.length; i++) ratings[i] = c.halfStars[i] / 2;
  return { userIds: c.userId.subarray(0, c.length), movieIds: c.movieId.subarray(0, c.length), ratings };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const finalRmse = (r: TrainResult) => r.epochs[r.epochs.length - 1].validRmse;

export interface Comparison {
  name: string;
  ratings: number;
  baseline: number;
  reference?: { rmse: number; rmses: number[]; ratingsPerSecond: number; torch: string; threads: number };
  referenceWhy?: string;
  native: { rmse: number; rmses: number[]; ratingsPerSecond: number; threads: number };
  tfjs?: { rmse: number; ratingsPerSecond: number };
}

/**
 * The reference, native and (optionally) tfjs on one split of `raw`, fast.ai's defaults
 * (k 50, 5 epochs, lr 5e-3, wd 0.1, bs 64, y_range (0, 5.5), valid 20%, split seed 42).
 * Native and the reference each run `seeds` times (init and shuffles differ; the split does not).
 */
export async function compareWithReference(name: string, raw: RawRatings, opts: { seeds: number; tfjs: boolean }): Promise<Comparison> {
  const data: TrainingData = prepareTrainingData(raw, 0.2, 42);
  const nTrain = data.train.ratings.length;
  const baseline = baselineRmse(fitBaseline(data.train, data.userIds.length, data.movieIds.length), data.valid);
  const cfg = (seed: number): EngineConfig => ({
    factors: 50,
    epochs: 5,
    lr: 5e-3,
    wd: 0.1,
    batchSize: 64,
    yRange: [0, 5.5],
    seed,
    threads: 2,
  });
  const dir = mkdtempSync(join(tmpdir(), 'cinemap-ref-'));
  try {
    const split = join(dir, 'split.csv');
    writeSplitFile(split, data, { seed: 42 });
    const out: Comparison = {
      name,
      ratings: raw.ratings.length,
      baseline,
      native: { rmse: NaN, rmses: [], ratingsPerSecond: NaN, threads: 0 },
    };
    const rates: number[] = [];
    for (let s = 1; s <= opts.seeds; s++) {
      const r = await new NativeEngine().train(data, cfg(s));
      out.native.rmses.push(finalRmse(r));
      rates.push(median(r.epochs.slice(1).map((e) => e.ratingsPerSecond)));
      out.native.threads = Number(r.details.threads);
    }
    out.native.rmse = mean(out.native.rmses);
    out.native.ratingsPerSecond = median(rates);
    log(
      `${name}: native valid RMSE ${out.native.rmses.map((x) => x.toFixed(4)).join(' ')} (biases-only ${baseline.toFixed(4)}), ${(out.native.ratingsPerSecond / 1e6).toFixed(2)}M ratings/s`,
    );
    runReferenceSeeds(out, split, nTrain, opts.seeds);
    if (opts.tfjs) {
      log(`${name}: tfjs (wasm), bs 64 …`);
      const t = await new TfjsEngine('wasm').train(data, cfg(1));
      out.tfjs = { rmse: finalRmse(t), ratingsPerSecond: median(t.epochs.map((e) => e.ratingsPerSecond)) };
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The fast.ai reference (PyTorch) on the same split, one run per seed, into `out` (or why it did not run). */
function runReferenceSeeds(out: Comparison, split: string, nTrain: number, seeds: number): void {
  const { name } = out;
  const refs: ReferenceRun[] = [];
  for (let s = 1; s <= seeds; s++) {
    log(`${name}: fast.ai reference, seed ${s} (${nTrain} training ratings, bs 64) …`);
    const r = runFastaiReference(split, s);
    if ('why' in r) {
      out.referenceWhy = r.why;
      log(`${name}: reference skipped: ${r.why}`);
      break;
    }
    refs.push(r);
  }
  if (!refs.length) return;
  out.reference = {
    rmse: mean(refs.map((r) => r.validRmse)),
    rmses: refs.map((r) => r.validRmse),
    ratingsPerSecond: median(refs.map((r) => r.ratingsPerSecond)),
    torch: refs[0].torch,
    threads: refs[0].threads,
  };
  log(
    `${name}: reference valid RMSE ${out.reference.rmses.map((x) => x.toFixed(4)).join(' ')}, ${Math.round(out.reference.ratingsPerSecond)} ratings/s`,
  );
}

const f4 = (x: number) => x.toFixed(4);

/** `train_vs_reference`: native ratings/s over the reference's, RMSEs beside it. */
export function trainVsReferenceRow(c: Comparison): BenchRow {
  const refNote = c.reference
    ? `reference valid RMSE ${f4(c.reference.rmse)} (${c.reference.rmses.map(f4).join(', ')}; PyTorch ${c.reference.torch}, ${c.reference.threads} thread)`
    : `reference not run: ${c.referenceWhy}`;
  const verdict = c.reference
    ? `; native ${c.native.rmse <= c.reference.rmse + 0.005 ? 'within' : 'OUTSIDE'} 0.005 of the reference (${c.native.rmse <= c.reference.rmse ? 'equal or better' : `+${f4(c.native.rmse - c.reference.rmse)}`})`
    : '';
  return {
    key: 'train_vs_reference',
    figure: `native vs fast.ai reference, ${c.name} (ratings/s)`,
    cinemap: c.native.ratingsPerSecond,
    baselineName: 'fast.ai reference (PyTorch, bs 64)',
    baseline: c.reference?.ratingsPerSecond,
    unit: 'ratings/s',
    higherIsBetter: true,
    notes: `${c.ratings} ratings, same split (valid 20%, seed 42), fast.ai defaults; native valid RMSE ${f4(c.native.rmse)} (${c.native.rmses.map(f4).join(', ')}; ${c.native.threads} thread), ${refNote}${verdict}; biases-only ${f4(c.baseline)}; aim ≥ 50×`,
  };
}

/** The valid-RMSE rows of one real dump: native against the reference, with tfjs and biases-only beside. */
export function realDumpRows(c: Comparison): BenchRow[] {
  const slug = c.name.replace(/[^a-z0-9]+/gi, '_').toLowerCase();
  const rows: BenchRow[] = [
    {
      key: `real_${slug}_native_rmse`,
      figure: `valid RMSE on real ${c.name}: native vs fast.ai reference`,
      cinemap: c.native.rmse,
      baselineName: 'fast.ai reference (PyTorch)',
      baseline: c.reference?.rmse,
      unit: 'RMSE',
      higherIsBetter: false,
      notes: `mean of ${c.native.rmses.length} seeds; tfjs (wasm) ${c.tfjs ? f4(c.tfjs.rmse) : 'not run'}; biases-only ${f4(c.baseline)}${c.reference ? '' : `; reference not run: ${c.referenceWhy}`}`,
    },
    {
      key: `real_${slug}_biases_only_rmse`,
      figure: `valid RMSE on real ${c.name}: biases-only`,
      cinemap: c.baseline,
      unit: 'RMSE',
      higherIsBetter: false,
      notes: "cinemap's damped biases baseline, same split",
    },
  ];
  if (c.tfjs)
    rows.push({
      key: `real_${slug}_tfjs_rmse`,
      figure: `valid RMSE on real ${c.name}: tfjs (wasm)`,
      cinemap: c.tfjs.rmse,
      baselineName: 'fast.ai reference (PyTorch)',
      baseline: c.reference?.rmse,
      unit: 'RMSE',
      higherIsBetter: false,
      notes: `seed 1, ${Math.round(c.tfjs.ratingsPerSecond)} ratings/s`,
    });
  return rows;
}

/** A name for a dump folder in the table (its folder name, e.g. ml-latest-small). */
export function dumpName(dir: string): string {
  return basename(resolve(dir));
}
