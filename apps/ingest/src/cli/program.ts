// `npm run ingest -- ...`: flags → runIngest, errors → one message and a non-zero
// exit code (the stack only with --verbose).
import { Command, InvalidArgumentError, Option } from 'commander';
import { CURATION_PRESETS, FLOOR_CURATION, type CurationPreset } from '@cinemap/domain';
import { DEFAULT_CURATION, parseSampleFraction, type CurationParams } from '../curate/params';
import { IngestError, MOVIELENS_DATASETS } from '@cinemap/movielens';
import { redactSecrets } from '../download/redact';
import { runIngest } from '../run-ingest';
import type { LoadStep } from '../load/load';
import { createProgress } from '@cinemap/cli';

const num = (flag: string, integer: boolean) => (v: string) => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)))
    throw new InvalidArgumentError(`${flag} wants ${integer ? 'a whole number' : 'a number'}, got "${v}"`);
  return n;
};

export function buildProgram(): Command {
  const program = new Command('ingest')
    .description(
      'Load a MovieLens dataset into the database, curated in four steps: ' +
        'drop movies with a low average rating, drop movies with few ratings, drop users with few ratings in total, keep a stratified ' +
        "sample of each movie's ratings. Prints the counts after each step. DATABASE_URL selects PostgreSQL; otherwise the embedded " +
        'database in CINEMAP_HOME (default ./.cinemap) is used. Every MovieLens layout is read, recognised by its files: ' +
        'movies.csv + ratings.csv (ml-latest, ml-latest-small, ml-20m, ml-25m, ml-32m), movies.dat + ratings.dat (ml-1m, ml-10m), ' +
        'u.item + u.data (ml-100k); the folder or zip must hold exactly one dataset.',
    )
    .requiredOption(
      '--source <url|zip|dir>',
      `a URL, a zip, a folder, or a GroupLens dataset name (downloaded from ${'https://files.grouplens.org/datasets/movielens/<name>.zip'}): ${Object.keys(MOVIELENS_DATASETS).join(', ')}`,
    )
    .addOption(
      new Option('--on-invalid <policy>', 'what to do with an invalid row: fail (stop, naming file:line) or skip (count per reason)')
        .choices(['fail', 'skip'])
        .default('fail'),
    );
  return withOtherFlags(withCurationFlags(program));
}

/** The four curation steps' thresholds and the sampling seed. */
function withCurationFlags(program: Command): Command {
  const d = DEFAULT_CURATION;
  return program
    .option('--min-avg-rating <n>', 'step 1: drop movies whose average rating is below n', num('--min-avg-rating', false), d.minAvgRating)
    .option('--min-movie-ratings <n>', 'step 2: drop movies with fewer than n ratings', num('--min-movie-ratings', true), d.minMovieRatings)
    .option(
      '--min-user-ratings <n>',
      'step 3: drop all ratings of users with fewer than n ratings in total',
      num('--min-user-ratings', true),
      d.minUserRatings,
    )
    .option(
      '--sample-fraction <f>',
      "step 4: keep this share of each movie's ratings, stratified by score (1 or none: no sampling)",
      (v) => {
        try {
          // commander turns a parser's null into '' (and the run then fails), so "no
          // sampling" travels as the string 'none' and becomes null below.
          return parseSampleFraction(v) ?? 'none';
        } catch (e) {
          throw new InvalidArgumentError((e as Error).message);
        }
      },
      d.sampleFraction,
    )
    .option('--seed <n>', 'seed of the sampling', num('--seed', true), d.seed);
}

/** Everything else: auto-curation, figures, cache, file size limit, progress, dry run, verbosity. */
function withOtherFlags(program: Command): Command {
  return program
    .addOption(
      new Option(
        '--curation <preset>',
        `thresholds to start from (flags override them): floors = every film with >= ${FLOOR_CURATION.minMovieRatings} ratings and user with >= ${FLOOR_CURATION.minUserRatings}, no average threshold, no sampling ("only the good ones" is then the API's minAverageRating filter); blog = the seed blog's exact thresholds (default); blog-scaled = the blog's, scaled to the dump when they keep nothing`,
      ).choices([...CURATION_PRESETS]),
    )
    .option('--auto-curation', 'same as --curation floors (what npm start uses)')
    .option('--report <dir>', 'write the three figures (ratings per month, ratings per movie/user, average rating before/after) as SVG')
    .option('--cache-dir <dir>', 'where downloads are kept (default CINEMAP_HOME/cache)')
    .option(
      '--max-file-mb <n>',
      'largest file accepted, in MB, for every file of the dataset (default: 2048 for ratings, 512 for tags, 128 for movies/links)',
      (v) => {
        const n = num('--max-file-mb', false)(v);
        if (!(n > 0)) throw new InvalidArgumentError(`--max-file-mb wants a size in MB above 0, got "${v}"`);
        return n;
      },
    )
    .option('--progress', 'show progress even when stderr is not a terminal (it is shown on a terminal anyway)')
    .option('--dry-run', 'parse and curate only; write nothing to the database')
    .option('--verbose', 'print stack traces with errors')
    .addHelpText(
      'after',
      '\nExamples:\n  npm run ingest -- --source ml-latest-small --min-movie-ratings 20 --min-user-ratings 50 --sample-fraction none\n  npm run ingest -- --source ~/Downloads/ml-100k --auto-curation\n  npm run ingest -- --source ~/Downloads/ml-latest.zip --report ./figures\n  npm run generate -- --out ./demo --scale small && npm run ingest -- --source ./demo --auto-curation',
    );
}

/** The thresholds given on the command line (a preset supplies the others). */
function givenThresholds(program: Command, opts: Record<string, unknown>): Partial<CurationParams> {
  const given = (name: string) => program.getOptionValueSource(name) === 'cli';
  const out: Partial<CurationParams> = {};
  if (given('minAvgRating')) out.minAvgRating = opts.minAvgRating as number;
  if (given('minMovieRatings')) out.minMovieRatings = opts.minMovieRatings as number;
  if (given('minUserRatings')) out.minUserRatings = opts.minUserRatings as number;
  if (given('sampleFraction')) out.sampleFraction = opts.sampleFraction === 'none' ? null : (opts.sampleFraction as number | null);
  if (given('seed')) out.seed = opts.seed as number;
  return out;
}

export interface CliIo {
  out: (line: string) => void;
  err: NodeJS.WriteStream;
  onLoadStep?: (step: LoadStep) => void | Promise<void>;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[], io: CliIo = { out: (l) => console.log(l), err: process.stderr }): Promise<number> {
  const program = buildProgram().exitOverride();
  program.configureOutput({ writeErr: (s) => io.err.write(s), writeOut: (s) => process.stdout.write(s) });
  let opts: Record<string, unknown>;
  try {
    program.parse(argv, { from: 'user' });
    opts = program.opts();
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    return typeof code === 'number' ? code : 2;
  }
  const progress = createProgress(io.err, { enabled: Boolean(opts.progress) || Boolean(io.err.isTTY) });
  try {
    await runIngest(
      {
        source: String(opts.source),
        onInvalid: opts.onInvalid as 'fail' | 'skip',
        curation: givenThresholds(program, opts),
        autoCuration: Boolean(opts.autoCuration),
        preset: opts.curation as CurationPreset | undefined,
        report: opts.report as string | undefined,
        cacheDir: opts.cacheDir as string | undefined,
        maxFileBytes: opts.maxFileMb === undefined ? undefined : Math.round((opts.maxFileMb as number) * 1024 * 1024),
        dryRun: Boolean(opts.dryRun),
      },
      { log: (l) => io.out(redactSecrets(l)), progress, onLoadStep: io.onLoadStep },
    );
    progress.finish();
    return 0;
  } catch (e) {
    progress.finish();
    const err = e as Error;
    const known = err instanceof IngestError || err.name === 'DbError';
    // Redacted again here: the one place every error passes on its way out.
    io.err.write(redactSecrets(`ingest: ${known ? err.message : `unexpected error: ${err.message}`}\n`));
    if (opts.verbose) io.err.write(redactSecrets(`${err.stack}\n`));
    else if (!known) io.err.write('  (rerun with --verbose for the stack trace)\n');
    return 1;
  }
}
