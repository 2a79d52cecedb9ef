// Given an empty database on each backend, when migrated, then the contract's
// schema exists and its rules are enforced by the database itself.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEachBackend } from './testing';
import { Client } from 'pg';
import {
  migrate,
  migrationChecksum,
  migrations,
  openPglite,
  PGLITE_SHARED_BUFFERS,
  csvField,
  vectorLiteral,
  parseVector,
  pgArrayLiteral,
} from './index';
import { setRolePasswords } from './roles';

describe('migration texts', () => {
  // Stores in the field recorded these checksums: a refactor, a formatter or an edit that
  // changes an applied migration's text would make every such store refuse to open.
  // A schema change is a new migration with a higher version, never an edit here.
  it('are exactly the ones stores have applied', () => {
    expect(Object.fromEntries(migrations.map((m) => [m.version, migrationChecksum(m)]))).toEqual({
      1: '211e314d58557a79',
      2: 'ef68cf2024c7afa1',
      3: 'd38f137f7d72670e',
      200: '129cf6e408aeb62e',
      300: 'e86b1df81ace465a',
      301: '221066a43f85cc06',
      400: 'c168f757ebc23647',
      401: '9c3bac95a5458fe8',
      500: '9902ff0f44f80290',
      600: '8121ce64859ddad2',
      601: 'dcf16f766d4fce67',
      602: '68ecf2b5f7b264f2',
      603: 'd2057abb214471da',
      700: '2abd46b27d35633c',
      701: '6863bfaa80ddab6d',
    });
  });

  it('catch a changed text (planted: one blank added)', () => {
    expect(migrationChecksum({ ...migrations[1], sql: `${migrations[1].sql} ` })).not.toBe('ef68cf2024c7afa1');
  });
});

describeEachBackend('migrations', (ctx) => {
  it('applies every migration once; a second run changes nothing', async () => {
    const db = ctx.db();
    const before = await db.query<{ version: number; checksum: string }>(
      'SELECT version, checksum FROM schema_migrations ORDER BY version',
    );
    expect(before.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    const tablesBefore = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = 'public'",
    );
    const again = await migrate(db);
    expect(again.applied).toEqual([]);
    expect(again.current).toBe(migrations[migrations.length - 1].version);
    expect(await db.query('SELECT version, checksum FROM schema_migrations ORDER BY version')).toEqual(before);
    expect(await db.query("SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = 'public'")).toEqual(tablesBefore);
  });

  it('refuses an applied migration whose text changed', async () => {
    const edited = migrations.map((m) => (m.version === 2 ? { ...m, sql: m.sql + '\n-- edited' } : m));
    await expect(migrate(ctx.db(), edited)).rejects.toThrow(/Migration 2 \(core tables\) was changed after it was applied/);
  });

  it('has the contract tables and columns', async () => {
    const cols = await ctx
      .db()
      .query<{ table_name: string; column_name: string }>(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'",
      );
    const has = (t: string, c: string) => cols.some((r) => r.table_name === t && r.column_name === c);
    const contract: Record<string, string[]> = {
      movies: ['movie_id', 'title', 'display_title', 'year', 'genres', 'imdb_id', 'tmdb_id', 'rating_count', 'average_rating'],
      ratings: ['user_id', 'movie_id', 'rating', 'rated_at'],
      links: ['movie_id', 'imdb_id', 'tmdb_id'],
      tags: ['user_id', 'movie_id', 'tag'],
      datasets: ['id', 'created_at', 'source', 'params', 'counts', 'active'],
      model_runs: ['id', 'dataset_id', 'created_at', 'params', 'engine', 'backend', 'metrics', 'status', 'active'],
      movie_embeddings: ['run_id', 'movie_id', 'embedding', 'bias', 'pc1', 'pc2', 'pc3'],
      user_embeddings: ['run_id', 'user_id', 'embedding', 'bias'],
      model_artifacts: ['run_id', 'kind', 'bytes'],
    };
    for (const [t, cs] of Object.entries(contract)) for (const c of cs) expect(`${t}.${c}:${has(t, c)}`).toBe(`${t}.${c}:true`);
  });
});

describeEachBackend('rules the database enforces', (ctx) => {
  let datasetId: number;
  beforeAll(async () => {
    [{ id: datasetId }] = await ctx
      .db()
      .query<{ id: number }>("INSERT INTO datasets (source, status, active) VALUES ('test', 'complete', true) RETURNING id");
  });

  it('rejects a second active model run', async () => {
    const db = ctx.db();
    await db.query("INSERT INTO model_runs (dataset_id, engine, backend, status, active) VALUES ($1, 'native', 'cpu', 'complete', true)", [
      datasetId,
    ]);
    await expect(
      db.query("INSERT INTO model_runs (dataset_id, engine, backend, status, active) VALUES ($1, 'native', 'cpu', 'complete', true)", [
        datasetId,
      ]),
    ).rejects.toThrow(/model_runs_one_active/);
    const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM model_runs WHERE active');
    expect(n).toBe(1);
  });

  it('rejects an active run that has not completed', async () => {
    await expect(
      ctx
        .db()
        .query("INSERT INTO model_runs (dataset_id, engine, backend, status, active) VALUES ($1, 'native', 'cpu', 'training', true)", [
          datasetId,
        ]),
    ).rejects.toThrow(/check constraint/);
  });

  it('rejects a second active dataset', async () => {
    await expect(ctx.db().query("INSERT INTO datasets (source, status, active) VALUES ('again', 'complete', true)")).rejects.toThrow(
      /datasets_one_active/,
    );
  });

  it('rolls a failed transaction back whole', async () => {
    const db = ctx.db();
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO datasets (source, status) VALUES ('half', 'loading')");
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const rows = await db.query("SELECT id FROM datasets WHERE source = 'half'");
    expect(rows).toEqual([]);
  });

  it('answers pgvector cosine distance', async () => {
    const [{ d }] = await ctx.db().query<{ d: number }>("SELECT '[1,2]'::vector <=> '[2,1]'::vector AS d");
    expect(d).toBeCloseTo(1 - 4 / 5, 6);
  });

  it('bulk-loads CSV with COPY, in and out of a transaction', async () => {
    const db = ctx.db();
    const titles = ['Toy Story (1995)', 'American President, The (1995)', 'Big "Quoted" Movie, A (2001)', 'Multi\nline'];
    const rows = titles.map((t, i) => [i + 1, t, t, 1995, ['Comedy', 'Drama'], 0, 0].map(csvField).join(',') + '\n');
    // Rows split across chunks the way a streaming producer would send them.
    const n = await db.copyFrom('movies', ['movie_id', 'title', 'display_title', 'year', 'genres', 'rating_count', 'average_rating'], rows);
    expect(n).toBe(4);
    const got = await db.query<{ title: string; genres: string[] }>('SELECT title, genres FROM movies ORDER BY movie_id');
    expect(got.map((r) => r.title)).toEqual(titles);
    expect(got[0].genres).toEqual(['Comedy', 'Drama']);
    await db.transaction(async (tx) => {
      const m = await tx.copyFrom(
        'links',
        ['movie_id', 'imdb_id', 'tmdb_id'],
        (function* () {
          for (let i = 1; i <= 1000; i++) yield `${i},${i * 7},\n`;
        })(),
      );
      expect(m).toBe(1000);
    });
    const [{ n: links, nulls }] = await db.query<{ n: number; nulls: number }>(
      'SELECT count(*)::int AS n, count(*) FILTER (WHERE tmdb_id IS NULL)::int AS nulls FROM links',
    );
    expect([links, nulls]).toEqual([1000, 1000]);
  });

  it('delivers NOTIFY to listeners', async () => {
    const db = ctx.db();
    const got: string[] = [];
    const stop = await db.listen('cinemap_test', (p) => got.push(p));
    await db.query("SELECT pg_notify('cinemap_test', 'hello')");
    for (let i = 0; i < 50 && !got.includes('hello'); i++) await new Promise((r) => setTimeout(r, 20));
    await stop();
    expect(got).toContain('hello');
  });
});

describeEachBackend('roles', (ctx) => {
  it('lets the gateway and analyst roles read but never write', async () => {
    const db = ctx.db();
    for (const role of ['cinemap_gateway', 'cinemap_analyst']) {
      await db.transaction(async (tx) => {
        await tx.exec(`SET LOCAL ROLE ${role}`);
        await expect(tx.query('SELECT count(*) FROM movies')).resolves.toBeDefined();
        await tx.exec('SAVEPOINT w');
        await expect(tx.query("INSERT INTO datasets (source) VALUES ('x')")).rejects.toThrow(/permission denied/);
        await tx.exec('ROLLBACK TO SAVEPOINT w');
        await expect(tx.query('DELETE FROM movies')).rejects.toThrow(/permission denied/);
      });
    }
  });

  it('lets the writer role write data but not change the schema', async () => {
    await ctx.db().transaction(async (tx) => {
      await tx.exec('SET LOCAL ROLE cinemap_writer');
      await tx.query("INSERT INTO datasets (source) VALUES ('writer')");
      await expect(tx.query('DROP TABLE movies')).rejects.toThrow(/must be owner/);
    });
  });
});

describe('embedded store', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'cinemap-db-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('refuses a second opener with a clear error, and reopens after close', async () => {
    const a = await openPglite({ dataDir: home });
    await expect(openPglite({ dataDir: home })).rejects.toThrow(/already open in this process/);
    await a.close();
    // Another live process holds the lock: our parent (jest's own runner), which started
    // before the lock was written.
    writeFileSync(join(home, 'pgdata.lock'), String(process.ppid));
    await expect(openPglite({ dataDir: home })).rejects.toThrow(new RegExp(`in use by process ${process.ppid}`));
    rmSync(join(home, 'pgdata.lock'));
    const b = await openPglite({ dataDir: home });
    const [{ one }] = await b.query<{ one: number }>('SELECT 1 AS one');
    expect(one).toBe(1);
    // its buffer cache is the small one (PostgreSQL's 128 MB would stay resident in the WASM heap)
    expect((await b.query<{ shared_buffers: string }>('SHOW shared_buffers'))[0].shared_buffers).toBe(PGLITE_SHARED_BUFFERS);
    expect(PGLITE_SHARED_BUFFERS).toBe('32MB');
    await b.close();
  }, 60_000);

  it('takes over a stale lock left by a killed process', async () => {
    writeFileSync(join(home, 'pgdata.lock'), '999999');
    const db = await openPglite({ dataDir: home });
    await db.close();
  }, 60_000);
});

describe('literals', () => {
  it('escapes CSV fields and arrays', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('""');
    expect(pgArrayLiteral(['Sci-Fi', 'a"b'])).toBe('{"Sci-Fi","a\\"b"}');
  });
  it('round-trips vectors', () => {
    expect(vectorLiteral([1, 0.5, -2])).toBe('[1,0.5,-2]');
    expect(Array.from(parseVector('[1,0.5,-2]'))).toEqual([1, 0.5, -2]);
  });
});

describeEachBackend('role login', (ctx) => {
  it('gives a role LOGIN and a password that is quoted safely', async () => {
    if (ctx.backend === 'pglite') return expect(await setRolePasswords(ctx.db(), {})).toEqual([]);
    const pw = "it's a secret";
    expect(await setRolePasswords(ctx.db(), { cinemap_analyst: pw })).toEqual(['cinemap_analyst']);
    const u = new URL(ctx.url()!);
    u.username = 'cinemap_analyst';
    u.password = pw;
    const c = new Client({ connectionString: u.toString() });
    await c.connect();
    const r = await c.query('SELECT current_user AS who');
    await expect(c.query("INSERT INTO datasets (source) VALUES ('x')")).rejects.toThrow(/permission denied/);
    await c.end();
    expect(r.rows[0].who).toBe('cinemap_analyst');
  });
});
