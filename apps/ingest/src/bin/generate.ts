// `npm run generate -- --out <dir> --scale tiny|small|latest [--seed N] [--zip]`:
// writes a synthetic dump in the MovieLens "latest" format plus truth.json.
// `npm run generate -- --stats <dir>` prints the shape of any dump (synthetic or
// real: ratings.csv or ml-100k's u.data), the figures of the calibration table.
// Progress goes to stderr (a bar with rate and ETA on a TTY, a line every few
// seconds otherwise: @cinemap/cli's); Ctrl-C removes the partial files.
import { Command, InvalidArgumentError, Option } from 'commander';
import { countsOf, createProgress } from '@cinemap/cli';
import { resolve } from 'node:path';
import {
  DEFAULT_SEED,
  SYNTHETIC_SCALES,
  dumpStats,
  formatStats,
  generateSyntheticDump,
  readRatingsForStats,
  type GenerateProgress,
  type SyntheticScale,
} from '@cinemap/synthetic';

function parseSeed(v: string): number {
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError('must be an integer, e.g. --seed 42');
  return Number(v);
}

/** Generator progress through the one progress bar (@cinemap/cli): users done, with ratings and MB written. */
function progressReporter(stream: NodeJS.WriteStream): (p: GenerateProgress) => void {
  const progress = createProgress(stream, { enabled: true, unit: countsOf('users') });
  return (p) => {
    if (p.phase === 'ratings') {
      progress('users', p.usersDone, p.users, `${p.ratings.toLocaleString('en-US')} ratings, ${(p.bytes / 1e6).toFixed(0)} MB`);
      return;
    }
    progress.finish();
    if (p.phase !== 'done') stream.write(`${p.phase === 'movies' ? 'planting movies' : 'writing zip'}...\n`);
  };
}

async function main(): Promise<void> {
  const program = new Command()
    .name('npm run generate --')
    .description(
      'Write a synthetic dump in the MovieLens "latest" format (movies.csv, ratings.csv, links.csv, tags.csv) plus truth.json, the planted franchises and anchors.',
    )
    .option('--out <dir>', 'output folder (created if missing; existing dump files are replaced); required unless --stats')
    .addOption(
      new Option(
        '--scale <scale>',
        'tiny (~20k ratings, for tests), small (like ml-latest-small) or latest (like ml-latest, ~900 MB); required unless --stats',
      ).choices(SYNTHETIC_SCALES as string[]),
    )
    .option('--seed <n>', 'random seed; the same seed and scale give the same bytes', parseSeed, DEFAULT_SEED)
    .option('--zip', 'also write <out>/<ml-folder>.zip with the files inside a top folder, like the GroupLens zips', false)
    .option('--quiet', 'no progress output', false)
    .option(
      '--stats <dir>',
      'instead of generating: print the shape of the dump in <dir> (ratings.csv, or u.data for ml-100k): rating histogram, mean/sd, top film/user shares, long tail, user-activity quantiles, sd of film/user means',
    )
    .option('--json', 'with --stats: one JSON object instead of the table', false)
    .addHelpText(
      'after',
      '\nExamples:\n  npm run generate -- --out data/synthetic-small --scale small\n  npm run generate -- --out data/ml-latest --scale latest --seed 7 --zip\n  npm run generate -- --stats data/synthetic-small',
    );
  program.parse();
  const o = program.opts<{
    out?: string;
    scale?: SyntheticScale;
    seed: number;
    zip: boolean;
    quiet: boolean;
    stats?: string;
    json: boolean;
  }>();
  if (o.stats !== undefined) {
    if (o.out !== undefined || o.scale !== undefined)
      return program.error('error: --stats reads an existing dump; leave out --out and --scale');
    return printStats(o.stats, o.json);
  }
  if (o.out === undefined) return program.error("error: required option '--out <dir>' not specified (or use --stats <dir>)");
  if (o.scale === undefined) return program.error("error: required option '--scale <scale>' not specified (tiny, small or latest)");
  await generate({ ...o, out: o.out, scale: o.scale });
}

/** `--stats <dir>`: the shape of any dump, as a table or one JSON object. */
async function printStats(dir: string, json: boolean): Promise<void> {
  const s = dumpStats(await readRatingsForStats(resolve(dir)));
  process.stdout.write(json ? `${JSON.stringify(s)}\n` : `${resolve(dir)}\n${formatStats(s)}`);
}

/** Writes the dump (Ctrl-C removes the partial files) and says what was written. */
async function generate(o: { out: string; scale: SyntheticScale; seed: number; zip: boolean; quiet: boolean }): Promise<void> {
  const ac = new AbortController();
  const onSigint = (): void => {
    ac.abort(new Error('interrupted (SIGINT); partial files removed'));
  };
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  const t0 = Date.now();
  const res = await generateSyntheticDump({
    out: resolve(o.out),
    scale: o.scale,
    seed: o.seed,
    zip: o.zip,
    signal: ac.signal,
    onProgress: o.quiet ? undefined : progressReporter(process.stderr),
  });
  const c = res.counts;
  process.stdout.write(
    `wrote ${res.dir}: ${c.movies} movies, ${c.ratings} ratings, ${c.users} users, ${c.tags} tags, ${c.links} links` +
      ` in ${((Date.now() - t0) / 1000).toFixed(1)} s\n` +
      (res.zipPath ? `zip: ${res.zipPath}\n` : '') +
      `planted truth: ${res.truthPath}\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`\ngenerate: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
