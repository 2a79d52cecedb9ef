// The served (dataset, run) pair, black-box through the built CLIs and gateway:
//  - issue 14 #5: after an ingest of another dump without retraining (or while a trainer
//    runs), every answer — GraphQL and SQL similar_movies() — comes from the served run
//    and the catalogue it was trained with; health, activeModel and /metrics say a newer
//    dataset awaits its model; a run trained on the new dataset then takes over;
//  - issue 14 #6: --keep-runs never deletes another trainer's run in progress (only runs
//    past the training lease), and two trainers finishing together both activate;
//  - a split that leaves no validation (or training) rating is refused before any run
//    exists (it activated a run with "valid RMSE NaN").
// Two synthetic dumps whose ids mean different films ("The Matrix" is 261 in one, 237 in
// the other) make any mix of catalogues visible.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { activateModelRun, createModelRunForDataset } from '@cinemap/db';
import { createModelRun, seedCuratedDataset, availableBackends, describeEachBackend } from '@cinemap/db/testing';
import {
  CLI,
  CliDatabase,
  QUICK_TRAIN,
  TINY_CURATION,
  builtClis,
  cliDatabase,
  codes,
  generateTiny,
  gql,
  run,
  start,
  startGateway,
  tempDir,
  type GatewayProcess,
} from './support/harness';
import { writeReport } from './support/report';

const d = builtClis ? describe : describe.skip;
/** ~3 s of training on the tiny dump: time to pause the trainer mid-run (SIGSTOP) and act meanwhile. */
const SLOW_TRAIN = ['--engine', 'native', '--threads', '1', '--factors', '16', '--epochs', '1000'];

/** movieId → title of a movies.csv (RFC 4180 quoting). */
function catalogue(file: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    if (!line) continue;
    const m = /^(\d+),("(?:[^"]|"")*"|[^,]*),/.exec(line);
    if (m) out.set(Number(m[1]), m[2].startsWith('"') ? m[2].slice(1, -1).replace(/""/g, '"') : m[2]);
  }
  return out;
}

interface MovieOut {
  id: number;
  title: string;
}

const QUERY = `{
  activeModel { id datasetId activeDatasetId upToDate }
  movie(title: "The Matrix") { id title }
  searchMovies(query: "matrix", limit: 5) { id title }
  similarMovies(title: "The Matrix", k: 5, filter: { minRatingCount: 0 }) { movie { id title } }
  mostAppreciated(limit: 5, filter: { minRatingCount: 0 }) { id title }
  pcaProjection(limit: 5, filter: { minRatingCount: 0 }) { movie { id title } }
}`;

interface Answer {
  activeModel: { id: number; datasetId: number; activeDatasetId: number | null; upToDate: boolean };
  movie: MovieOut;
  searchMovies: MovieOut[];
  similarMovies: { movie: MovieOut }[];
  mostAppreciated: MovieOut[];
  pcaProjection: { movie: MovieOut }[];
}

async function ask(gw: GatewayProcess): Promise<Answer> {
  const r = await gql(gw.url, QUERY);
  expect(codes(r)).toEqual([]);
  return r.body!.data as Answer;
}

/** Every (id, title) the answer shows, with where it came from. */
function pairs(a: Answer): [string, MovieOut][] {
  return [
    ['movie', a.movie],
    ...a.searchMovies.map((m) => ['searchMovies', m] as [string, MovieOut]),
    ...a.similarMovies.map((s) => ['similarMovies', s.movie] as [string, MovieOut]),
    ...a.mostAppreciated.map((m) => ['mostAppreciated', m] as [string, MovieOut]),
    ...a.pcaProjection.map((p) => ['pcaProjection', p.movie] as [string, MovieOut]),
  ];
}

/** The pairs that are not (id, title) of `cat`. */
function foreign(a: Answer, cat: Map<number, string>): string[] {
  return pairs(a)
    .filter(([, m]) => cat.get(m.id) !== m.title)
    .map(([where, m]) => `${where}: ${m.id} ${JSON.stringify(m.title)} (catalogue: ${JSON.stringify(cat.get(m.id) ?? null)})`);
}

async function health(
  gw: GatewayProcess,
): Promise<{ status: number; body: { status: string; warnings: string[]; runDatasetId: number; activeDatasetId: number } }> {
  const r = await fetch(`${gw.base}/health/ready`);
  return { status: r.status, body: await r.json() };
}

async function upToDateGauge(gw: GatewayProcess): Promise<number> {
  const m = /^cinemap_model_up_to_date (\d+)/m.exec(await (await fetch(`${gw.base}/metrics`)).text());
  return Number(m?.[1]);
}

const observed: Record<string, unknown>[] = [];

d('the served (dataset, run) pair and training runs', () => {
  let work: string;
  let A: { dir: string; cat: Map<number, string> };
  let B: { dir: string; cat: Map<number, string> };
  beforeAll(async () => {
    work = tempDir('pair');
    const a = await generateTiny(join(work, 'a'), 1);
    const b = await generateTiny(join(work, 'b'), 2);
    A = { dir: a.dir, cat: catalogue(join(a.dir, 'movies.csv')) };
    B = { dir: b.dir, cat: catalogue(join(b.dir, 'movies.csv')) };
    // The premise: the same title is another id in each dump, and ids mean other films.
    const matrixA = [...A.cat].find(([, t]) => t === 'Matrix, The (1999)')![0];
    const matrixB = [...B.cat].find(([, t]) => t === 'Matrix, The (1999)')![0];
    expect(matrixA).not.toBe(matrixB);
  }, 60_000);
  afterAll(() => writeReport('model-consistency', observed));

  describe.each(availableBackends())('[%s]', (backend) => {
    // Concurrency on one database needs a server; the embedded store admits one process.
    const pgIt = backend === 'postgres' ? it : it.skip;
    const embeddedIt = backend === 'pglite' ? it : it.skip;
    let db: CliDatabase;
    beforeAll(async () => {
      db = await cliDatabase(backend);
    }, 60_000);
    afterAll(() => db?.drop(), 60_000);

    const ingest = async (dir: string) => expect((await run(CLI.ingest, ['--source', dir, ...TINY_CURATION], db.env)).code).toBe(0);
    const train = async (extra: string[] = []) => {
      const r = await run(CLI.train, [...QUICK_TRAIN, ...extra], db.env);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
      return r;
    };
    const sqlSimilar = async (title: string): Promise<MovieOut[]> =>
      db.with(async (h) =>
        (await h.query<{ movie_id: number; title: string }>('SELECT movie_id, title FROM similar_movies($1, 5)', [title])).map((r) => ({
          id: r.movie_id,
          title: r.title,
        })),
      );

    it('#5 an ingest of another dump without retraining: every answer stays on the served run and its own catalogue, and says a newer dataset waits', async () => {
      await ingest(A.dir);
      await train();
      let gw: GatewayProcess | null = null;
      let gwAnswer: MovieOut[] = [];
      // PostgreSQL: the gateway runs while the ingest happens (it is notified). PGlite: one
      // process at a time, so the gateway starts after the ingest.
      if (backend === 'postgres') {
        gw = await startGateway(db.env);
        expect(foreign(await ask(gw), A.cat)).toEqual([]);
      }
      await ingest(B.dir);
      if (!gw) gw = await startGateway(db.env);
      try {
        if (backend === 'postgres') await new Promise((ok) => setTimeout(ok, 300)); // the NOTIFY
        const a = await ask(gw);
        const h = await health(gw);
        const gauge = await upToDateGauge(gw);
        observed.push({
          backend,
          case: 'ingest B without retraining',
          matrix: a.movie,
          search: a.searchMovies,
          activeModel: a.activeModel,
          health: h,
          upToDateGauge: gauge,
        });
        expect(foreign(a, A.cat)).toEqual([]);
        expect(a.movie.title).toBe('Matrix, The (1999)');
        expect(a.activeModel).toMatchObject({ upToDate: false });
        expect(a.activeModel.activeDatasetId).not.toBe(a.activeModel.datasetId);
        expect(h.status).toBe(200);
        expect(h.body.status).toBe('stale');
        expect(h.body.warnings.join(' ')).toMatch(/trained on dataset \d+.*npm run train/);
        expect(gauge).toBe(0);
        // The analysts' SQL agrees with GraphQL (same run, same catalogue, same default floor).
        const viaGraphql = (
          (await gql(gw.url, '{ similarMovies(title: "The Matrix", k: 5) { movie { id title } } }')).body!.data as {
            similarMovies: { movie: MovieOut }[];
          }
        ).similarMovies.map((s) => s.movie);
        expect(viaGraphql.length).toBe(5);
        if (backend === 'postgres') expect(await sqlSimilar('The Matrix')).toEqual(viaGraphql);
        gwAnswer = viaGraphql;
      } finally {
        await gw.stop();
      }
      // PGlite: SQL once the gateway has let go of the store.
      if (backend === 'pglite') expect(await sqlSimilar('The Matrix')).toEqual(gwAnswer);
      // A run trained on the new dataset takes over, with the new catalogue.
      await train();
      const gw2 = await startGateway(db.env);
      try {
        const a = await ask(gw2);
        observed.push({
          backend,
          case: 'after training on B',
          matrix: a.movie,
          activeModel: a.activeModel,
          health: (await health(gw2)).body.status,
        });
        expect(foreign(a, B.cat)).toEqual([]);
        expect(a.activeModel.upToDate).toBe(true);
        expect((await health(gw2)).body.status).toBe('ok');
        expect(await upToDateGauge(gw2)).toBe(1);
      } finally {
        await gw2.stop();
      }
    }, 180_000);

    pgIt(
      '#5 an ingest while a trainer runs: the run is activated with the catalogue it trained with, and the gateway serves that pair',
      async () => {
        await ingest(A.dir); // dataset A' active
        const gw = await startGateway(db.env);
        const trainer = start(CLI.train, SLOW_TRAIN, db.env);
        try {
          await trainer.waitFor(/run \d+: training/);
          trainer.child.kill('SIGSTOP');
          await ingest(B.dir); // B' active while the trainer (on A') is paused mid-training
          trainer.child.kill('SIGCONT');
          const r = await trainer.done;
          expect(r.code).toBe(0);
          await new Promise((ok) => setTimeout(ok, 500)); // the activation's NOTIFY
          const a = await ask(gw);
          observed.push({ backend, case: 'ingest B while a trainer on A ran', matrix: a.movie, activeModel: a.activeModel });
          expect(foreign(a, A.cat)).toEqual([]);
          expect(a.activeModel.upToDate).toBe(false);
        } finally {
          trainer.child.kill('SIGCONT');
          await gw.stop();
        }
      },
      120_000,
    );

    pgIt(
      "#6 --keep-runs 1 in one trainer leaves another trainer's run in progress alone; that trainer then completes",
      async () => {
        const t1 = start(CLI.train, SLOW_TRAIN, db.env);
        try {
          await t1.waitFor(/run (\d+): training/);
          t1.child.kill('SIGSTOP');
          const t1Run = Number(/run (\d+): training/.exec(t1.output())![1]);
          const status = await db.with((h) => h.query<{ status: string }>('SELECT status FROM model_runs WHERE id = $1', [t1Run]));
          expect(status[0].status).toBe('training'); // paused mid-training, as intended
          const t2 = await run(CLI.train, [...QUICK_TRAIN, '--keep-runs', '1'], db.env);
          expect(t2.code).toBe(0);
          t1.child.kill('SIGCONT');
          const r1 = await t1.done;
          const runs = await db.with((h) =>
            h.query<{ id: number; status: string; active: boolean }>('SELECT id, status, active FROM model_runs ORDER BY id'),
          );
          observed.push({
            backend,
            case: '--keep-runs 1 while another trainer runs',
            t1Exit: r1.code,
            t1Stderr: r1.stderr.trim().split('\n')[0],
            t2Pruned: /pruned old runs: (.*)/.exec(t2.stdout)?.[1] ?? 'none',
            runs,
          });
          expect({ code: r1.code, stderr: r1.stderr }).toEqual({ code: 0, stderr: expect.not.stringMatching(/foreign key|violates/) });
          expect(runs.find((x) => x.id === t1Run)).toMatchObject({ status: 'complete', active: true });
        } finally {
          t1.child.kill('SIGCONT');
        }
      },
      120_000,
    );

    pgIt(
      '#6 a run left "training" past the lease (its trainer was killed) is cleaned up; a younger one is not',
      async () => {
        const ids = await db.with(async (h) => {
          const [{ id: ds }] = await h.query<{ id: number }>('SELECT id FROM datasets WHERE active');
          const mk = async (age: string) =>
            (
              await h.query<{ id: number }>(
                `INSERT INTO model_runs (dataset_id, engine, backend, status, created_at) VALUES ($1, 'native', 'cpu', 'training', now() - $2::interval) RETURNING id`,
                [ds, age],
              )
            )[0].id;
          return { old: await mk('2 days'), young: await mk('1 hour') };
        });
        const t = await run(CLI.train, [...QUICK_TRAIN, '--keep-runs', '1'], db.env);
        expect(t.code).toBe(0);
        const left = await db.with((h) =>
          h.query<{ id: number }>('SELECT id FROM model_runs WHERE id = ANY($1::bigint[])', [[ids.old, ids.young]]),
        );
        observed.push({
          backend,
          case: 'training runs past / within the lease, --keep-runs 1',
          kept: left.map((r) => r.id),
          old: ids.old,
          young: ids.young,
        });
        expect(left.map((r) => r.id)).toEqual([ids.young]);
        await db.with((h) => h.query('DELETE FROM model_runs WHERE id = $1', [ids.young]));
      },
      60_000,
    );

    pgIt(
      '#6 two trainers reaching activation together both succeed, one after the other',
      async () => {
        const admin = new Client({ connectionString: db.env.DATABASE_URL });
        // Another session watches: pg_stat_activity is read once per transaction, so the
        // session holding the lock would see the same snapshot every time.
        const watch = new Client({ connectionString: db.env.DATABASE_URL });
        await admin.connect();
        await watch.connect();
        try {
          // The hard case is the first activation (no run active: nothing to lock on), so
          // deactivate every run; then hold the analysts' view, which activation replaces:
          // both trainers queue inside their activation.
          await admin.query('UPDATE model_runs SET active = false WHERE active');
          await admin.query('BEGIN');
          await admin.query('LOCK TABLE active_movie_embeddings IN ACCESS SHARE MODE');
          const t1 = start(CLI.train, QUICK_TRAIN, db.env);
          const t2 = start(CLI.train, QUICK_TRAIN, db.env);
          const waiting = async () =>
            Number(
              (
                await watch.query(
                  `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'cinemap-trainer' AND wait_event_type = 'Lock'`,
                )
              ).rows[0].n,
            );
          for (let i = 0; i < 300 && (await waiting()) < 2; i++) await new Promise((ok) => setTimeout(ok, 50));
          const queued = await waiting();
          await admin.query('COMMIT');
          const [r1, r2] = await Promise.all([t1.done, t2.done]);
          const runs = await db.with((h) =>
            h.query<{ n: number; active: number }>(
              `SELECT count(*)::int AS n, count(*) FILTER (WHERE active)::int AS active FROM model_runs WHERE status = 'complete'`,
            ),
          );
          observed.push({
            backend,
            case: 'two trainers activating at once',
            queuedAtActivation: queued,
            exits: [r1.code, r2.code],
            stderr: [r1.stderr.trim().split('\n')[0] ?? '', r2.stderr.trim().split('\n')[0] ?? ''],
            runs: runs[0],
          });
          expect(queued).toBe(2);
          expect([r1.code, r2.code, r1.stderr + r2.stderr]).toEqual([0, 0, expect.not.stringMatching(/duplicate key|unique/)]);
          expect(runs[0].active).toBe(1);
        } finally {
          await admin.end();
          await watch.end();
        }
      },
      120_000,
    );

    embeddedIt(
      'embedded: a second trainer while one runs is refused at once, naming the process',
      async () => {
        const t1 = start(CLI.train, SLOW_TRAIN, db.env);
        try {
          await t1.waitFor(/run \d+: training/);
          t1.child.kill('SIGSTOP');
          const t2 = await run(CLI.train, QUICK_TRAIN, db.env);
          observed.push({ backend, case: 'second trainer on the embedded store', exit: t2.code, stderr: t2.stderr.trim().split('\n')[0] });
          expect(t2.code).toBe(1);
          expect(t2.stderr).toMatch(new RegExp(`in use by process ${t1.child.pid}`));
          t1.child.kill('SIGCONT');
          expect((await t1.done).code).toBe(0);
        } finally {
          t1.child.kill('SIGCONT');
        }
      },
      120_000,
    );

    it('a split that leaves no validation rating is refused before a run exists, saying what to do', async () => {
      const dir = join(tempDir('two'), 'two-ratings');
      const { mkdirSync, writeFileSync } = await import('node:fs');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'movies.csv'), 'movieId,title,genres\n1,Alpha (2001),Drama\n2,Beta (2002),Comedy\n');
      writeFileSync(join(dir, 'ratings.csv'), 'userId,movieId,rating,timestamp\n1,1,4.0,1000000000\n2,2,3.0,1000000001\n');
      const before = await db.with((h) =>
        h.query<{ n: number; active: number | null }>(
          'SELECT count(*)::int AS n, max(id) FILTER (WHERE active)::int AS active FROM model_runs',
        ),
      );
      const ing = await run(CLI.ingest, ['--source', dir, ...TINY_CURATION], db.env);
      expect(ing.code).toBe(0);
      const t = await run(CLI.train, QUICK_TRAIN, db.env);
      const after = await db.with((h) =>
        h.query<{ n: number; active: number | null }>(
          'SELECT count(*)::int AS n, max(id) FILTER (WHERE active)::int AS active FROM model_runs',
        ),
      );
      observed.push({ backend, case: 'train on 2 curated ratings', exit: t.code, stderr: t.stderr.trim() });
      expect(t.code).toBe(1);
      expect(t.stderr).toMatch(/split into \d+ for training and 0 for validation.*no run was created/);
      expect(t.stderr).toMatch(/Ingest more ratings|--valid-pct/);
      expect(t.stderr).not.toMatch(/NaN/);
      expect(after[0]).toEqual(before[0]); // no run row, the active run unchanged
    }, 90_000);
  });
});

// The same rule at the database API, for the moments a CLI test cannot time: the dataset
// changes between reading the ratings and creating the run, and a run without a
// catalogue of its own whose dataset is gone.
describeEachBackend('a run is tied to its dataset', (ctx) => {
  const ratings = { userIds: [1, 2, 3], movieIds: [1, 1, 2], ratings: [4, 3, 5] };

  it('creating a run for a dataset that is no longer active is refused, saying what to do', async () => {
    const x = await seedCuratedDataset(ctx.db(), 'x', ratings);
    const y = await seedCuratedDataset(ctx.db(), 'y', ratings); // an ingest finished meanwhile
    await expect(createModelRunForDataset(ctx.db(), { datasetId: x, params: {}, engine: 'native', backend: 'cpu' })).rejects.toThrow(
      new RegExp(`Dataset ${x} stopped being the active dataset.*dataset ${y} is active now[\\s\\S]*Train again`),
    );
    expect(await ctx.db().query('SELECT id FROM model_runs WHERE dataset_id = $1', [x])).toEqual([]);
  });

  it('a run without its own catalogue is activated only while its dataset is the loaded one', async () => {
    const x = await seedCuratedDataset(ctx.db(), 'x2', ratings);
    const run = await createModelRun(ctx.db(), { datasetId: x, params: {}, engine: 'native', backend: 'cpu' });
    await seedCuratedDataset(ctx.db(), 'y2', ratings);
    await expect(activateModelRun(ctx.db(), run, 8)).rejects.toThrow(
      /trained on dataset \d+, which is no longer loaded[\s\S]*npm run train/,
    );
  });
});
