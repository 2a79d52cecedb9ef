// `npm run train`: trains EmbeddingDotBias on the active dataset, stores the run
// (embeddings, PCA, ONNX) and activates it. Ctrl-C stops cleanly, leaving the
// previous active model in place.
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_OPTIONS, runTraining } from '../index';

const num = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`${flag} expects a number, got "${v}"`);
  return n;
};
const int = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${flag} expects an integer, got "${v}"`);
  return n;
};

const d = DEFAULT_OPTIONS;
const program = new Command()
  .name('npm run train --')
  .description(
    "Train fast.ai's EmbeddingDotBias on the active dataset's curated ratings, store embeddings (pgvector), PCA and ONNX, and activate the run.\n" +
      'Database: DATABASE_URL, else the embedded store in CINEMAP_HOME (./.cinemap).',
  )
  .option('--factors <n>', 'embedding size (n_factors)', int('--factors'), d.factors)
  .option('--epochs <n>', 'epochs of fit_one_cycle', int('--epochs'), d.epochs)
  .option('--lr <x>', 'peak learning rate (lr_max)', num('--lr'), d.lr)
  .option('--wd <x>', 'decoupled weight decay', num('--wd'), d.wd)
  .option(
    '--batch-size <n>',
    'fast.ai batch size (tfjs: ratings per step; native: the batch whose decay/second-moment clock it emulates); auto: 64 up to ~100k training ratings, else ~1,250 batches per epoch (docs/trainer.md)',
    (v: string) => (v === 'auto' ? 'auto' : int('--batch-size')(v)),
    d.batchSize,
  )
  .option('--valid-pct <x>', 'share of ratings held out for validation', num('--valid-pct'), d.validPct)
  .option('--seed <n>', 'random seed (split, init, shuffles)', int('--seed'), d.seed)
  .option('--engine <name>', 'auto | native | tfjs (auto: tfjs when a GPU backend loads, else native)', d.engine)
  .option('--backend <name>', 'tfjs backend: auto | tensorflow-gpu | tensorflow | wasm | cpu', d.backend)
  .option('--threads <n>', 'native engine worker threads (1 = deterministic)', int('--threads'), d.threads)
  .option('--kernel <name>', 'native engine inner loop: wasm (f32x4 SIMD) | ts (plain TypeScript, same optimizer)', d.kernel)
  .option('--onnx-out <file>', 'also write the ONNX scorer to this file')
  .option(
    '--export-split <file>',
    'also write the train/valid split (CSV of dense indices) for the fast.ai reference: python3 bench/reference/fastai_collab.py --split <file>',
  )
  .option(
    '--audience-factors <n>',
    'width of the audience embedding (randomized SVD of who rated what; docs/similarity.md)',
    int('--audience-factors'),
    d.audienceFactors,
  )
  .option('--blend-weight <x>', "taste's weight in the default BLEND basis (0..1)", num('--blend-weight'), d.blendWeight)
  .option('--keep-runs <n>', 'delete inactive runs beyond the newest N (0 keeps all)', int('--keep-runs'), d.keepRuns)
  .showHelpAfterError();

async function main(): Promise<void> {
  program.parse();
  const f = program.opts();
  let stop = false;
  process.on('SIGINT', () => {
    if (stop) process.exit(130);
    stop = true;
    console.error('\nStopping after the current step (Ctrl-C again to quit at once); the active model is left unchanged.');
  });
  try {
    const r = await runTraining(
      {
        factors: f.factors,
        epochs: f.epochs,
        lr: f.lr,
        wd: f.wd,
        batchSize: f.batchSize,
        validPct: f.validPct,
        seed: f.seed,
        engine: f.engine,
        backend: f.backend,
        threads: f.threads,
        kernel: f.kernel,
        onnxOut: f.onnxOut,
        exportSplit: f.exportSplit,
        keepRuns: f.keepRuns,
        audienceFactors: f.audienceFactors,
        blendWeight: f.blendWeight,
      },
      {
        progressStream: process.stderr,
        shouldStop: () => stop,
        // Test hook for the kill test: announce a phase and hold there, so a SIGKILL lands mid-write.
        onPhase: process.env.CINEMAP_TRAINER_HOLD_AT
          ? async (phase) => {
              if (phase !== process.env.CINEMAP_TRAINER_HOLD_AT) return;
              console.log(`holding at ${phase}`);
              await new Promise((r) => setTimeout(r, 600_000));
            }
          : undefined,
      },
    );
    console.log(
      `done: run ${r.runId} (${r.engine}/${r.backend}) valid RMSE ${r.metrics.validRmse.toFixed(4)}, baseline ${r.metrics.baselineRmse.toFixed(4)}`,
    );
  } catch (e) {
    console.error(`train: ${(e as Error).message}`);
    process.exit(stop ? 130 : 1);
  }
}

void main();
