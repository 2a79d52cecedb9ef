// One training run, end to end: read the active dataset's curated ratings, fit
// EmbeddingDotBias with the chosen engine, write embeddings (+ PCA), the ONNX scorer
// and similarity graph, the per-run HNSW indexes, then activate the run in one
// transaction. Until that last step nothing of this run is usable: an error, Ctrl-C
// or SIGKILL leaves the previous active run as it was (this run stays 'training' or
// becomes 'failed').
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  activateModelRun,
  copyAudienceEmbeddings,
  copyMovieEmbeddings,
  copyMovieNeighbours,
  copyUserEmbeddings,
  createRunAudienceIndexes,
  createModelRunForDataset,
  createRunEmbeddingIndexes,
  getActiveTrainingDataset,
  markModelRunFailed,
  openDb,
  pruneModelRuns,
  saveModelArtifact,
  streamCuratedRatings,
  updateModelRunMetrics,
  type Db,
  type AudienceRow,
  type EmbeddingRow,
} from '@cinemap/db';
import { AUDIENCE_DEFAULTS, blendRows } from '@cinemap/math';
import { trainingAudience, type AudienceParams } from './model/audience';
import { prepareTrainingData, RawRatingsBuilder, type RawRatings, type TrainingData } from './data/training-data';
import { writeSplitFile } from './data/split-file';
import { NativeEngine } from './engines/native/native-engine';
import { TfjsEngine } from './engines/tfjs/tfjs-engine';
import { gpuBackendAvailable, loadTf } from './engines/tfjs/backend';
import { TrainingInterrupted, type Engine, type EngineName, type EpochStats, type TrainResult } from './engines/types';
import { baselineRmse, fitBaseline } from './model/baseline';
import { buildScorerOnnx, buildSimilarityOnnx, type ModelWeights } from '@cinemap/model';
import { moviePca } from './export/pca';
import { computeNeighbourLists, neighbourRows } from './neighbours/neighbour-lists';
import { FASTAI_BATCHES_PER_EPOCH, resolveBatchSize, resolveOptions, type TrainOptions } from './options';
import { countsOf, createProgress } from '@cinemap/cli';
import { epochTableHeader, epochTableRow, formatRate, type Log } from './report/progress';

export interface RunTrainingContext {
  /** An open database; otherwise one is opened from DATABASE_URL / CINEMAP_HOME and closed at the end. */
  db?: Db;
  log?: Log;
  /** Progress bar target (a TTY gets a bar; default none). */
  progressStream?: NodeJS.WriteStream;
  /** Returns true once the run should stop (Ctrl-C). */
  shouldStop?(): boolean;
  /** Test hook: called between phases ('trained', 'embeddings-written', ...). */
  onPhase?(phase: string, runId: number): void | Promise<void>;
}

export interface RunMetrics {
  epochs: EpochStats[];
  validRmse: number;
  validMse: number;
  trainMse: number;
  baselineRmse: number;
  explainedVariance: number[];
  /** The audience embedding: seconds it took, which passes ran (wasm | ts) and its singular values (largest first). */
  audience?: { seconds: number; kernel: string; sigma: number[] };
  counts: { ratings: number; train: number; valid: number; users: number; movies: number };
  timings: { loadSeconds: number; trainSeconds: number; writeSeconds: number; totalSeconds: number };
  ratingsPerSecond: number;
  datasetId: number;
  engineDetails: Record<string, unknown>;
}

export interface RunTrainingResult {
  runId: number;
  engine: EngineName;
  backend: string;
  metrics: RunMetrics;
  /** The trained parameters and id maps (the bench and tests compare them). */
  weights: ModelWeights;
  data: TrainingData;
}

/** Which engine `--engine` means here: auto → tfjs when a GPU backend loads, else native. */
export async function chooseEngine(o: TrainOptions, log: Log): Promise<{ engine: Engine; name: EngineName }> {
  if (o.engine === 'native') return { engine: new NativeEngine({ kernel: o.kernel }), name: 'native' };
  if (o.engine === 'tfjs') return { engine: new TfjsEngine(o.backend), name: 'tfjs' };
  const gpu = await gpuBackendAvailable();
  if (gpu.available) {
    log('engine auto: a GPU backend (tfjs-node-gpu) loaded → tfjs');
    return { engine: new TfjsEngine('tensorflow-gpu'), name: 'tfjs' };
  }
  log(`engine auto: no GPU backend (${gpu.reason ?? 'tfjs-node-gpu did not load'}) → native`);
  return { engine: new NativeEngine({ kernel: o.kernel }), name: 'native' };
}

export async function loadDatasetRatings(db: Db, log: Log): Promise<{ datasetId: number; data: ReturnType<RawRatingsBuilder['finish']> }> {
  const ds = await getActiveTrainingDataset(db);
  if (!ds) throw new Error(`No active dataset in ${db.location}. Load one first: npm run ingest -- --source <dir|zip|url>`);
  if (ds.ratingCount < 2)
    throw new Error(
      `The active dataset ${ds.id} (${ds.source}) has ${ds.ratingCount} curated ratings; loosen the curation thresholds and ingest again.`,
    );
  log(`dataset ${ds.id} (${ds.source}): ${ds.ratingCount} curated ratings`);
  const b = new RawRatingsBuilder(ds.ratingCount);
  await streamCuratedRatings(db, ds.id, (batch) => b.add(batch));
  return { datasetId: ds.id, data: b.finish() };
}

function* embeddingRows(ids: Int32Array, table: Float32Array, bias: Float32Array, k: number, pcs?: Float32Array): Generator<EmbeddingRow> {
  for (let r = 0; r < ids.length; r++) {
    yield {
      id: ids[r],
      embedding: table.subarray(r * k, (r + 1) * k),
      bias: bias[r],
      pcs: pcs ? [pcs[r * 3], pcs[r * 3 + 1], pcs[r * 3 + 2]] : undefined,
    };
  }
}

export async function runTraining(options: Partial<TrainOptions> = {}, ctx: RunTrainingContext = {}): Promise<RunTrainingResult> {
  const o = resolveOptions(options);
  const log: Log = ctx.log ?? ((l) => console.log(l));
  const t0 = performance.now();
  const db = ctx.db ?? (await openDb({ applicationName: 'cinemap-trainer' }));
  let runId: number | undefined;
  try {
    const input = await readTrainingInput(db, o, log);
    const tLoad = performance.now();
    // The run and its catalogue (the titles it is served with) in one transaction that
    // checks the dataset is still the active one.
    runId = await createModelRunForDataset(db, {
      datasetId: input.datasetId,
      params: runParams(o, input.batchSize),
      engine: input.name,
      backend: input.backend,
    });
    const id = runId;
    const result = await fit(input, o, id, ctx, log);
    const tTrain = performance.now();
    await ctx.onPhase?.('trained', id);
    if (ctx.shouldStop?.()) throw new TrainingInterrupted();
    const pca = await writeRun(db, id, input.data, result.weights, o, ctx, log);
    const tWrite = performance.now();
    const metrics = runMetrics(input, result, pca, {
      loadSeconds: (tLoad - t0) / 1000,
      trainSeconds: (tTrain - tLoad) / 1000,
      writeSeconds: (tWrite - tTrain) / 1000,
      totalSeconds: (tWrite - t0) / 1000,
    });
    await updateModelRunMetrics(db, id, metrics as unknown as Record<string, unknown>, result.backend);
    if (ctx.shouldStop?.()) throw new TrainingInterrupted();
    await ctx.onPhase?.('before-activation', id);
    await activate(db, id, result.weights.factors, o, log);
    return { runId: id, engine: input.name, backend: result.backend, metrics, weights: result.weights, data: input.data };
  } catch (e) {
    if (runId !== undefined) await markModelRunFailed(db, runId, (e as Error).message).catch(() => {});
    throw e;
  } finally {
    if (!ctx.db) await db.close().catch(() => {});
  }
}

/** What a run trains on, decided before any run row exists. */
interface TrainingInput {
  engine: Engine;
  name: EngineName;
  backend: string;
  datasetId: number;
  raw: RawRatings;
  data: TrainingData;
  baseline: number;
  batchSize: number;
}

/** The engine, the active dataset's ratings split for validation, the biases-only baseline; refuses a split with an empty side. */
async function readTrainingInput(db: Db, o: TrainOptions, log: Log): Promise<TrainingInput> {
  const { engine, name } = await chooseEngine(o, log);
  // For tfjs the backend is known (and recorded) before the run row exists.
  const backend = name === 'tfjs' ? (await loadTf(o.backend === 'auto' ? 'auto' : o.backend)).backend : 'cpu';
  if (name === 'tfjs') log(`tfjs backend: ${backend}`);
  const { datasetId, data: raw } = await loadDatasetRatings(db, log);
  const data = prepareTrainingData(raw, o.validPct, o.seed);
  // A model with nothing to validate on cannot be judged (valid RMSE NaN), and one with
  // nothing to train on is the initial guess: refuse before any run row exists.
  if (data.train.ratings.length === 0 || data.valid.ratings.length === 0) {
    throw new Error(
      `The ${raw.ratings.length} curated ratings of dataset ${datasetId} split into ${data.train.ratings.length} for training and ${data.valid.ratings.length} for validation (--valid-pct ${o.validPct}): both need at least one rating, so no run was created. ` +
        'Ingest more ratings (loosen the curation thresholds: --min-movie-ratings, --min-user-ratings, --sample-fraction) or change --valid-pct.',
    );
  }
  if (o.exportSplit) {
    const file = resolve(o.exportSplit);
    mkdirSync(dirname(file), { recursive: true });
    const { rows } = writeSplitFile(file, data, { seed: o.seed, datasetId });
    log(`split written to ${file} (${rows} ratings; bench/reference/fastai_collab.py --split reads it)`);
  }
  const baseline = baselineRmse(fitBaseline(data.train, data.userIds.length, data.movieIds.length), data.valid);
  log(
    `${data.userIds.length} users, ${data.movieIds.length} movies; ${data.train.ratings.length} train / ${data.valid.ratings.length} valid ratings`,
  );
  log(`biases-only baseline: valid RMSE ${baseline.toFixed(4)}`);
  const batchSize = resolveBatchSize(o.batchSize, data.train.ratings.length);
  if (o.batchSize === 'auto')
    log(
      `batch size ${batchSize} (auto: ${batchSize === 64 ? "fast.ai's 64" : `~${FASTAI_BATCHES_PER_EPOCH} batches per epoch, as fast.ai's 64 on ml-100k; see docs/trainer.md`})`,
    );
  return { engine, name, backend, datasetId, raw, data, baseline, batchSize };
}

/** The run's params as model_runs records them. */
function runParams(o: TrainOptions, batchSize: number): Record<string, unknown> {
  return {
    factors: o.factors,
    epochs: o.epochs,
    lr: o.lr,
    wd: o.wd,
    batchSize,
    batchSizeOption: o.batchSize,
    validPct: o.validPct,
    seed: o.seed,
    yRange: o.yRange,
    threads: o.threads,
    engine: o.engine,
    backend: o.backend,
    kernel: o.kernel,
    ...audienceParams(o),
    blendWeight: o.blendWeight,
  };
}

/** The audience embedding's settings as the run records them (model_runs.params). */
function audienceParams(o: TrainOptions): AudienceParams {
  return {
    audienceFactors: o.audienceFactors,
    audienceOversampling: AUDIENCE_DEFAULTS.oversampling,
    audiencePowerIterations: AUDIENCE_DEFAULTS.powerIterations,
    audienceRowExponent: AUDIENCE_DEFAULTS.rowExponent,
    audienceValues: AUDIENCE_DEFAULTS.values,
    audienceSeed: o.seed,
  };
}

/** Trains with fast.ai's per-epoch table, a progress bar inside each epoch. */
async function fit(input: TrainingInput, o: TrainOptions, runId: number, ctx: RunTrainingContext, log: Log): Promise<TrainResult> {
  const { name, backend } = input;
  log(
    `run ${runId}: training with the ${name} engine (${name === 'native' ? (o.threads > 1 ? `up to ${o.threads} threads` : '1 thread') : backend}), ${o.epochs} epochs, k=${o.factors}, lr=${o.lr}, wd=${o.wd}`,
  );
  log(epochTableHeader());
  // On a terminal a bar inside each epoch, erased before its table row; otherwise a log line every 10 s.
  const tty = Boolean(ctx.progressStream?.isTTY);
  const progress = createProgress(ctx.progressStream, {
    enabled: true,
    tty,
    unit: countsOf('ratings'),
    transient: true,
    intervalMs: tty ? 100 : 10_000,
    writeLine: log,
  });
  let epochNo = 1;
  const result = await input.engine.train(
    input.data,
    {
      factors: o.factors,
      epochs: o.epochs,
      lr: o.lr,
      wd: o.wd,
      batchSize: input.batchSize,
      yRange: o.yRange,
      seed: o.seed,
      threads: o.threads,
    },
    {
      onProgress: (d, t) => progress(`epoch ${epochNo}`, d, t),
      onEpoch: (s) => {
        progress.finish();
        log(epochTableRow(s));
        epochNo++;
      },
      shouldStop: ctx.shouldStop,
    },
  );
  progress.finish();
  const last = result.epochs[result.epochs.length - 1];
  if (typeof result.details.threadsNote === 'string') log(result.details.threadsNote);
  log(
    `valid RMSE ${last.validRmse.toFixed(4)} (baseline ${input.baseline.toFixed(4)}), ${formatRate(mean(result.epochs.map((e) => e.ratingsPerSecond)))} ratings/s`,
  );
  return result;
}

/**
 * Writes the run: embeddings with PCA, the taste basis's exact neighbour lists (what
 * the gateway answers similarMovies from), the ONNX scorer and similarity graph in ONE
 * transaction (a run killed while writing leaves none behind), then --onnx-out and the
 * per-run HNSW indexes. Returns the PCA's explained variance.
 */
async function writeRun(
  db: Db,
  id: number,
  data: TrainingData,
  p: ModelWeights,
  o: TrainOptions,
  ctx: RunTrainingContext,
  log: Log,
): Promise<{ explainedVariance: number[]; audience: NonNullable<RunMetrics['audience']> }> {
  const pca = moviePca(p.movieFactors, p.nMovies, p.factors);
  const audience = await computeAudience(data, p, o, ctx, log);
  const scorer = buildScorerOnnx(p, { runId: id, userIds: data.userIds, movieIds: data.movieIds });
  const similarity = buildSimilarityOnnx(p, { runId: id, movieIds: data.movieIds });
  // Lists for the two bases most asked: BLEND (the default) and TASTE (the blog's);
  // AUDIENCE keeps the exact scan (same answers, slower).
  const taste = await computeNeighbourLists(data.movieIds, p.movieFactors, p.factors);
  log(
    `neighbour lists (taste): ${data.movieIds.length} films x ${taste.lists.n} in ${taste.seconds.toFixed(1)} s (${taste.screen} screen)`,
  );
  const blend = await computeNeighbourLists(data.movieIds, audience.blend, p.factors + audience.k);
  log(
    `neighbour lists (blend): ${data.movieIds.length} films x ${blend.lists.n} in ${blend.seconds.toFixed(1)} s (${blend.screen} screen)`,
  );
  await db.transaction(async (tx) => {
    await copyMovieEmbeddings(tx, id, embeddingRows(data.movieIds, p.movieFactors, p.movieBias, p.factors, pca.coords));
    await copyMovieNeighbours(tx, id, 'taste', neighbourRows(taste));
    await copyMovieNeighbours(tx, id, 'blend', neighbourRows(blend));
    await ctx.onPhase?.('movie-embeddings-written', id);
    await copyUserEmbeddings(tx, id, embeddingRows(data.userIds, p.userFactors, p.userBias, p.factors));
    await copyAudienceEmbeddings(tx, id, audienceRows(data.movieIds, audience));
    await saveModelArtifact(tx, id, 'onnx-scorer', scorer);
    await saveModelArtifact(tx, id, 'onnx-similarity', similarity);
  });
  await ctx.onPhase?.('embeddings-written', id);
  if (o.onnxOut) {
    const out = resolve(o.onnxOut);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out + '.tmp', scorer);
    renameSync(out + '.tmp', out);
    log(`ONNX scorer written to ${out} (${scorer.length} bytes)`);
  }
  await createRunEmbeddingIndexes(db, id, p.factors);
  await createRunAudienceIndexes(db, id, { audience: audience.k, blend: p.factors + audience.k });
  return {
    explainedVariance: pca.explainedVariance,
    audience: { seconds: audience.seconds, kernel: audience.kernel, sigma: Array.from(audience.sigma) },
  };
}

interface RunAudience {
  k: number;
  vectors: Float32Array;
  blend: Float32Array;
  sigma: Float64Array;
  seconds: number;
  kernel: string;
}

/** The audience embedding (all curated ratings) and the blend rows, with a progress line per pass. */
async function computeAudience(
  data: TrainingData,
  p: ModelWeights,
  o: TrainOptions,
  ctx: RunTrainingContext,
  log: Log,
): Promise<RunAudience> {
  const t0 = performance.now();
  const tty = Boolean(ctx.progressStream?.isTTY);
  const progress = createProgress(ctx.progressStream, {
    enabled: true,
    tty,
    transient: true,
    intervalMs: tty ? 100 : 10_000,
    writeLine: log,
  });
  const a = await trainingAudience(data, audienceParams(o), (done, total) => progress('audience embedding (passes)', done, total));
  progress.finish();
  const blend = blendRows(p.movieFactors, p.factors, a.vectors, a.k, p.nMovies, o.blendWeight);
  const seconds = (performance.now() - t0) / 1000;
  log(
    `audience embedding: k=${a.k}, sigma ${a.sigma[0].toFixed(2)} .. ${a.sigma[a.k - 1].toFixed(2)}, ${seconds.toFixed(1)} s (${a.kernel} passes); BLEND weight ${o.blendWeight}`,
  );
  return { k: a.k, vectors: a.vectors, blend, sigma: a.sigma, seconds, kernel: a.kernel };
}

function* audienceRows(ids: Int32Array, a: RunAudience): Generator<AudienceRow> {
  const d = a.blend.length / ids.length;
  for (let r = 0; r < ids.length; r++) {
    yield { movieId: ids[r], audience: a.vectors.subarray(r * a.k, (r + 1) * a.k), blend: a.blend.subarray(r * d, (r + 1) * d) };
  }
}

function runMetrics(
  input: TrainingInput,
  result: TrainResult,
  written: { explainedVariance: number[]; audience: NonNullable<RunMetrics['audience']> },
  timings: RunMetrics['timings'],
): RunMetrics {
  const { explainedVariance } = written;
  const last = result.epochs[result.epochs.length - 1];
  const { raw, data } = input;
  return {
    epochs: result.epochs,
    validRmse: last.validRmse,
    validMse: last.validMse,
    trainMse: last.trainMse,
    baselineRmse: input.baseline,
    explainedVariance,
    audience: written.audience,
    counts: {
      ratings: raw.ratings.length,
      train: data.train.ratings.length,
      valid: data.valid.ratings.length,
      users: data.userIds.length,
      movies: data.movieIds.length,
    },
    timings,
    ratingsPerSecond: mean(result.epochs.map((e) => e.ratingsPerSecond)),
    datasetId: input.datasetId,
    engineDetails: result.details,
  };
}

/** Activates the run (one transaction, NOTIFY to the gateway), then prunes old runs if asked. */
async function activate(db: Db, id: number, factors: number, o: TrainOptions, log: Log): Promise<void> {
  const act = await activateModelRun(db, id, factors);
  log(`run ${id} is now active${act.previousRunId ? ` (was ${act.previousRunId})` : ''}; NOTIFY cinemap_model sent`);
  if (o.keepRuns > 0) {
    const pruned = await pruneModelRuns(db, o.keepRuns);
    if (pruned.length) log(`pruned old runs: ${pruned.join(', ')}`);
  }
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}
