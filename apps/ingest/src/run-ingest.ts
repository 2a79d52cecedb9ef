// The whole ingest as one call (the CLI and `npm start` use it): source → parse →
// curate → (report) → load, printing the counts table. Returns the new dataset's id.
import { join } from 'node:path';
import { FLOOR_CURATION, presetCuration, type CurationPreset } from '@cinemap/domain';
import { Db, cinemapHome, openDb } from '@cinemap/db';
import { Curation, curate, explainEmptyCuration, isEmptyCuration, StepCounts } from './curate/curate';
import { CurationParams, checkCurationParams } from './curate/params';
import { suggestCuration } from './curate/suggest';
import { downloadToCache, resolveSourceArg } from './download/download';
import { redactSecrets, redactUrl } from './download/redact';
import { readDump, IngestError, OnInvalid, openDumpSource, type Dump } from '@cinemap/movielens';
import { writeReport } from './report/figures';
import { formatCountsTable } from './curate/counts-table';
import { LoadStep, loadDataset, recordFailedIngest, type LoadInput } from './load/load';

export interface IngestOptions {
  /** URL, zip, folder, or a GroupLens dataset name (ml-100k … ml-latest-small). */
  source: string;
  /** One size limit (bytes) for every file of the dataset instead of the per-file defaults. */
  maxFileBytes?: number;
  onInvalid?: OnInvalid;
  curation?: Partial<CurationParams>;
  /** Same as preset 'floors' (npm start; kept for the flag of that name). */
  autoCuration?: boolean;
  /** Which thresholds to start from (domain CURATION_PRESETS); `curation` values override them. */
  preset?: CurationPreset;
  /** Folder for the three SVG figures. */
  report?: string;
  /** Where downloads go (default CINEMAP_HOME/cache). */
  cacheDir?: string;
  /** Parse and curate only; write nothing to the database. */
  dryRun?: boolean;
}

export interface IngestContext {
  /** An open database; otherwise openDb() (DATABASE_URL or the embedded store) is opened and closed. */
  db?: Db;
  log?: (line: string) => void;
  progress?: (label: string, done: number, total: number) => void;
  /** Awaited at each load step (tests pause a load there to kill it). */
  onLoadStep?: (step: LoadStep) => void | Promise<void>;
}

export interface IngestCounts {
  steps: StepCounts[];
  moviesInFile: number;
  links: number;
  tags: number;
  duplicateRatings: number;
  invalid: Record<string, number>;
}

export interface IngestResult {
  /** null for a dry run. */
  datasetId: number | null;
  params: CurationParams;
  counts: IngestCounts;
  curation: Curation;
  reportFiles: string[];
}

/**
 * Secrets in the source URL (userinfo, token-like query values) are used for the
 * download only: every line logged, every error thrown and what is stored in
 * datasets.source/params carry the redacted form (download/redact.ts).
 */
export async function runIngest(options: IngestOptions, ctx: IngestContext = {}): Promise<IngestResult> {
  try {
    return await ingest(options, ctx);
  } catch (e) {
    if (e instanceof Error) {
      e.message = redactSecrets(e.message);
      if (e.stack) e.stack = redactSecrets(e.stack);
    }
    throw e;
  }
}

type Log = (line: string) => void;

async function ingest(options: IngestOptions, ctx: IngestContext): Promise<IngestResult> {
  const rawLog = ctx.log ?? ((l: string) => console.log(l));
  const log = (l: string) => rawLog(redactSecrets(l));
  const source = redactUrl(options.source);
  const preset = curationPreset(options);
  const given = checkCurationParams({ ...presetCuration(preset), ...definedOnly(options.curation ?? {}) });
  const dump = await readSource(options, ctx, log);
  const invalid = { ...dump.invalid.counts } as Record<string, number>;
  logInvalidRows(dump, log);
  for (const n of dump.notes) log(`note: ${n}`);

  log(`curation: ${describePreset(preset)}`);
  const { params, curation } = curateDump(dump, given, preset === 'blog-scaled', log);
  const counts: IngestCounts = {
    steps: curation.steps,
    moviesInFile: dump.movies.length,
    links: dump.links.length,
    tags: dump.tags.userId.length,
    duplicateRatings: dump.duplicateRatings,
    invalid,
  };
  const storedParams = { ...params, curation: preset, onInvalid: options.onInvalid ?? 'fail', source, layout: dump.layout.name };
  log(formatCountsTable(curation.steps));

  const reportFiles = options.report ? await writeReport(options.report, dump.ratings, curation) : [];
  for (const f of reportFiles) log(`figure: ${f}`);

  if (isEmptyCuration(curation)) {
    if (!options.dryRun) await withDb(ctx, (db) => recordFailedIngest(db, source, storedParams, counts));
    throw emptyCurationError(curation, dump, params);
  }
  if (options.dryRun) return { datasetId: null, params, counts, curation, reportFiles };
  const datasetId = await withDb(ctx, (db) => load(db, { dump, curation, source, params: storedParams, counts }, ctx, log));
  return { datasetId, params, counts, curation, reportFiles };
}

/** The preset asked for: --curation, else floors with --auto-curation, else the blog's exact thresholds. */
function curationPreset(options: IngestOptions): CurationPreset {
  return options.preset ?? (options.autoCuration ? 'floors' : 'blog');
}

function describePreset(preset: CurationPreset): string {
  if (preset === 'floors')
    return `floors (every film with >= ${FLOOR_CURATION.minMovieRatings} ratings and every user with >= ${FLOOR_CURATION.minUserRatings}, no average threshold, no sampling; "only the good ones" is the query-time filter minAverageRating)`;
  if (preset === 'blog') return "blog (the seed blog's exact thresholds)";
  return "blog-scaled (the seed blog's thresholds, scaled to the dump when they keep nothing)";
}

/** The source as a dump: downloaded into the cache when it is a URL, resolved to one dataset and layout, every file read. */
async function readSource(options: IngestOptions, ctx: IngestContext, log: Log): Promise<Dump> {
  const spec = resolveSourceArg(options.source);
  let path: string;
  if (spec.kind === 'url') {
    log(`source: ${redactUrl(spec.url)}`);
    path = await downloadToCache(spec.url, {
      cacheDir: options.cacheDir ?? join(cinemapHome(), 'cache'),
      log,
      md5: spec.md5,
      onProgress: (d, t) => ctx.progress?.('download', d, t),
    });
  } else path = spec.path;
  const src = await openDumpSource(path, { maxFileBytes: options.maxFileBytes });
  log(
    `dataset: ${src.layout.name} layout in ${src.root ? `${src.root}/ of ` : ''}${path} (${Object.values(src.layout.files).filter(Boolean).join(', ')}; ${src.layout.encoding === 'utf8' ? 'UTF-8' : 'Latin-1'})`,
  );
  try {
    return await readDump(src, { onInvalid: options.onInvalid ?? 'fail', onProgress: ctx.progress });
  } finally {
    await src.close();
  }
}

function logInvalidRows(dump: Dump, log: Log): void {
  if (!dump.invalid.total) return;
  log(`skipped ${dump.invalid.total} invalid rows (--on-invalid skip):`);
  for (const [reason, n] of Object.entries(dump.invalid.counts)) {
    const ex = dump.invalid.examples[reason as keyof typeof dump.invalid.examples];
    log(`  ${reason}: ${n}${ex ? `  (first: ${ex.file}:${ex.line}: ${ex.message})` : ''}`);
  }
}

/** The four steps with the given thresholds; when they keep nothing and `scale` (preset blog-scaled), again with thresholds scaled to the dump. */
function curateDump(dump: Dump, given: CurationParams, scale: boolean, log: Log): { params: CurationParams; curation: Curation } {
  const curation = curate(dump.ratings, given);
  if (!isEmptyCuration(curation) || !scale) return { params: given, curation };
  log(formatCountsTable(curation.steps));
  const s = suggestCuration(curation.stats, given);
  log('These thresholds keep nothing in this dump; using thresholds scaled to it:');
  for (const w of s.why) log(`  ${w}`);
  return { params: s.params, curation: curate(dump.ratings, s.params, curation.stats) };
}

/** Why nothing was kept, which step emptied it, and the flags that would keep something. */
function emptyCurationError(curation: Curation, dump: Dump, params: CurationParams): IngestError {
  const s = suggestCuration(curation.stats, params);
  const flags = `--min-avg-rating ${s.params.minAvgRating} --min-movie-ratings ${s.params.minMovieRatings} --min-user-ratings ${s.params.minUserRatings} --sample-fraction ${s.params.sampleFraction ?? 'none'}`;
  const e = explainEmptyCuration(curation, dump.ratings);
  const after = 'Nothing was loaded; the previous dataset is still active.';
  if (e.step === 'sample') {
    // Rounded up to two significant digits, so the fraction named does keep something.
    const unit = 10 ** (Math.floor(Math.log10(e.minFraction!)) - 1);
    const least = Number((Math.ceil(e.minFraction! / unit) * unit).toPrecision(2));
    return new IngestError(
      `Curation kept no ratings: ${e.why}. ${after}`,
      `Rerun with --sample-fraction ${Math.min(1, Math.max(least, 0.1))} (any value from ${Math.min(1, least)} keeps something), or --sample-fraction none to keep every rating.`,
    );
  }
  return new IngestError(
    `Curation kept no ratings: ${e.why} (the dump has ${curation.stats.ratings} ratings; the defaults suit the full MovieLens dump). ${after}`,
    `Thresholds scaled to this dump:\n    ${s.why.join('\n    ')}\n  Rerun with: ${flags} (or --curation blog-scaled; --auto-curation keeps every film and user with enough ratings for a vector)`,
  );
}

/** The one-transaction load, timing each step (and awaiting the test hook at each). */
async function load(db: Db, input: LoadInput, ctx: IngestContext, log: Log): Promise<number> {
  log(`loading into ${db.location} ...`);
  const t0 = Date.now();
  let stepAt = t0;
  let current: LoadStep | null = null;
  const onStep = async (s: LoadStep) => {
    const now = Date.now();
    if (current) log(`  load ${current}: ${((now - stepAt) / 1000).toFixed(1)} s`);
    current = s;
    stepAt = now;
    await ctx.onLoadStep?.(s);
  };
  const id = await loadDataset(db, input, { onStep });
  log(`dataset ${id} is active (${((Date.now() - t0) / 1000).toFixed(1)} s to load)`);
  return id;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function withDb<T>(ctx: IngestContext, fn: (db: Db) => Promise<T>): Promise<T> {
  if (ctx.db) return fn(ctx.db);
  const db = await openDb({ applicationName: 'cinemap-ingest' });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
