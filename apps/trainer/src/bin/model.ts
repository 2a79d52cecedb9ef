// `npm run model -- list | activate <run> | delete <run>`: the rollback command. Lists the
// trained runs, makes an earlier complete run of the active dataset the served one (the
// trainer's own activation transaction: views, indexes, NOTIFY to the gateway), deletes
// an inactive run. Every refusal says why and what to do instead.
import { Command, InvalidArgumentError } from 'commander';
import { activateCompleteRun, deleteModelRun, listModelRuns, openDb, type Db, type ModelRunSummary } from '@cinemap/db';
import { formatTable } from '@cinemap/cli';

const runId = (v: string): number => {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError(`<run> must be a run id (a whole number, see: npm run model -- list), got "${v}"`);
  return n;
};

const DB_NOTE = 'Database: DATABASE_URL, else the embedded store in CINEMAP_HOME (./.cinemap).';

async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDb({ applicationName: 'cinemap-model' });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

function runRow(r: ModelRunSummary): string[] {
  const note = r.active
    ? 'serving'
    : r.status !== 'complete'
      ? `cannot activate: ${r.status}`
      : !r.onActiveDataset
        ? 'cannot activate: other dataset'
        : r.dim === null
          ? 'cannot activate: no embeddings'
          : 'can activate';
  return [
    (r.active ? '* ' : '  ') + String(r.id),
    String(r.datasetId),
    r.createdAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    r.status,
    `${r.engine}/${r.backend}`,
    r.dim === null ? '-' : String(r.dim),
    String(r.movies),
    r.validRmse === null ? '-' : r.validRmse.toFixed(4),
    note,
  ];
}

function formatRuns(runs: ModelRunSummary[]): string {
  if (!runs.length) return 'No model runs yet: train one with npm run train.';
  return formatTable(runs.map(runRow), {
    head: ['run', 'dataset', 'created', 'status', 'engine', 'factors', 'movies', 'valid RMSE', ''],
    alignRight: (c) => c === 1 || c === 5 || c === 6 || c === 7,
  });
}

const program = new Command()
  .name('npm run model --')
  .description(`Model runs: list them, roll back to an earlier one, delete one.\n${DB_NOTE}`)
  .showHelpAfterError();

program
  .command('list')
  .description('every run, newest first; * marks the one the gateway serves')
  .action(() => withDb(async (db) => console.log(formatRuns(await listModelRuns(db)))));

program
  .command('activate')
  .description(
    'make <run> the served run (rollback): a complete run of the active dataset; the gateway follows at once (NOTIFY), as after training',
  )
  .argument('<run>', 'run id (npm run model -- list)', runId)
  .action((id: number) =>
    withDb(async (db) => {
      const r = await activateCompleteRun(db, id);
      console.log(`run ${id} is now active${r.previousRunId ? ` (was ${r.previousRunId})` : ''}; NOTIFY cinemap_model sent`);
    }),
  );

program
  .command('delete')
  .description('delete an inactive run with its embeddings, catalogue and artifacts (never the active one)')
  .argument('<run>', 'run id (npm run model -- list)', runId)
  .action((id: number) =>
    withDb(async (db) => {
      await deleteModelRun(db, id);
      console.log(`run ${id} deleted`);
    }),
  );

program.parseAsync().catch((e: Error) => {
  console.error(`model: ${e.message}`);
  process.exit(1);
});
