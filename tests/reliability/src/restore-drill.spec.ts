// The dev overlay's restore drill (docs/deploy.md "Dev: pg_dump / pg_restore"), run for
// real on PostgreSQL: given a database with an ingested dump and an active trained model,
// when it is dumped with pg_dump (custom format) and restored with pg_restore into a fresh
// database, then a gateway started on the restored database answers the same
// similarMovies as one on the original, and an analyst's fresh psql session there finds
// cinemap's functions unqualified (the database's search_path, which pg_dump without
// --create does not carry, is set again when the gateway migrates on open). Planted: a
// different run activated on the restored copy changes the answers, so the comparison can
// fail. PostgreSQL only (skipped without DATABASE_URL, as every [postgres] suite); the
// PostgreSQL client tools come from CINEMAP_PG_BIN, else the server's major version's
// /usr/lib/postgresql/<major>/bin (what tools/ci/install-postgres.sh installs), else PATH.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { openPostgres } from '@cinemap/db';
import { createTestDatabase, getActiveModelRun, seedModelRun, type SeedResult } from '@cinemap/db/testing';
import {
  CLI,
  QUICK_TRAIN,
  TINY_CURATION,
  builtClis,
  generateTiny,
  gql,
  run,
  startGateway,
  tempDir,
  type GatewayProcess,
} from './support/harness';

const admin = process.env.DATABASE_URL;
const pgIt = admin && builtClis ? it : it.skip;
jest.setTimeout(240_000);

/** pg_dump / pg_restore of the server's major version (a newer server refuses an older pg_dump). */
async function pgTool(name: 'pg_dump' | 'pg_restore', url: string): Promise<string> {
  const c = new Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
  await c.end();
  const major = Math.floor(Number(rows[0].v) / 10000);
  const dirs = [process.env.CINEMAP_PG_BIN, `/usr/lib/postgresql/${major}/bin`].filter((d): d is string => !!d);
  for (const d of dirs) if (existsSync(join(d, name))) return join(d, name);
  if (spawnSync(name, ['--version']).status === 0) return name;
  throw new Error(
    `${name} for PostgreSQL ${major} not found (looked in ${dirs.join(', ')} and PATH): install postgresql-client-${major} (tools/ci/install-postgres.sh does) or set CINEMAP_PG_BIN.`,
  );
}

const SIMILAR = `query($t: String!) { similarMovies(title: $t, k: 10) { similarity movie { id title } } }`;

describe('[postgres] restore drill: pg_dump, pg_restore into a fresh database, the gateway answers the same', () => {
  let source: Awaited<ReturnType<typeof createTestDatabase>>;
  let target: Awaited<ReturnType<typeof createTestDatabase>>;
  let titles: string[] = [];
  let before: unknown[] = [];
  let gw: GatewayProcess | undefined;

  const answers = async (url: string) => {
    const out = [];
    for (const t of titles) out.push((await gql(url, SIMILAR, { t })).body);
    return out;
  };

  beforeAll(async () => {
    if (!admin || !builtClis) return;
    source = await createTestDatabase('postgres');
    await source.db.close();
    const env = { DATABASE_URL: source.url! };
    const dump = await generateTiny(tempDir('restore-drill-dump'));
    expect((await run(CLI.ingest, ['--source', dump.dir, ...TINY_CURATION], env)).code).toBe(0);
    const train = await run(CLI.train, QUICK_TRAIN, env);
    expect({ code: train.code, stderr: train.stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.any(String) });
    const db = await openPostgres({ url: source.url!, max: 1 });
    titles = (await db.query<{ title: string }>('SELECT title FROM active_movies ORDER BY rating_count DESC, movie_id LIMIT 5')).map(
      (r) => r.title,
    );
    await db.close();
    gw = await startGateway(env);
    before = await answers(gw.url);
    await gw.stop();
    gw = undefined;
  });
  afterAll(async () => {
    await gw?.stop();
    await target?.drop();
    await source?.drop();
  });

  pgIt('restores every table and the active model; the gateway and psql answer as before', async () => {
    expect(titles).toHaveLength(5);
    expect((before as { data: { similarMovies: unknown[] } }[]).every((b) => b.data.similarMovies.length === 10)).toBe(true);
    const file = join(tempDir('restore-drill'), 'cinemap.dump');
    execFileSync(await pgTool('pg_dump', source.url!), ['-Fc', '-d', source.url!, '-f', file]);
    // A fresh database as an operator makes one (CREATE DATABASE): nothing migrated in it.
    target = await createTestDatabase('postgres', { migrate: false });
    await target.db.close();
    execFileSync(await pgTool('pg_restore', target.url!), ['--exit-on-error', '-d', target.url!, file]);
    // The dump carries no database settings: until cinemap migrates on open, psql would not find the functions.
    const bare = new Client({ connectionString: target.url });
    await bare.connect();
    expect((await bare.query(`SELECT current_setting('search_path') AS p`)).rows[0].p).not.toMatch(/cinemap/);
    await bare.end();

    gw = await startGateway({ DATABASE_URL: target.url! });
    expect(await answers(gw.url)).toEqual(before);
    await gw.stop();
    gw = undefined;

    // An analyst's first session on the restored database: cinemap's functions unqualified.
    const c = new Client({ connectionString: target.url });
    await c.connect();
    try {
      const { rows } = await c.query('SELECT title FROM similar_movies($1, 10)', [titles[0]]);
      const gqlTitles = (before[0] as { data: { similarMovies: { movie: { title: string } }[] } }).data.similarMovies.map(
        (s) => s.movie.title,
      );
      expect(rows.map((r) => r.title)).toEqual(gqlTitles);
    } finally {
      await c.end();
    }
  });

  pgIt('catches a restored copy that serves another model (planted: another run activated)', async () => {
    const db = await openPostgres({ url: target.url!, max: 1 });
    try {
      const run = (await getActiveModelRun(db))!;
      const movies = await db.query<{ movieId: number; title: string; genres: string[]; ratingCount: number; averageRating: number }>(
        `SELECT movie_id AS "movieId", title, genres, rating_count AS "ratingCount", average_rating AS "averageRating" FROM active_movies`,
      );
      const fixture = {
        datasetId: run.datasetId,
        runId: run.id,
        dim: 8,
        movies: movies.map((m) => ({ ...m, imdbId: null, tmdbId: null })),
        userIds: [1, 2, 3],
      } as SeedResult;
      await seedModelRun(db, fixture, { seed: 99 });
    } finally {
      await db.close();
    }
    gw = await startGateway({ DATABASE_URL: target.url! });
    expect(await answers(gw.url)).not.toEqual(before);
  });
});
