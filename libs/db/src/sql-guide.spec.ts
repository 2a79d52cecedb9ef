// Given the seeded catalogue, an active run and ratings on each backend, when an analyst
// runs docs/sql-guide.md as written (every ```sql block, over the wire: PGlite through the
// embedded SQL port as psql would reach it, PostgreSQL as a fresh session of the
// database), then every statement runs as cinemap_analyst and every query returns rows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, type QueryResult } from 'pg';
import { describeEachBackend, seedGatewayFixture } from './testing';
import { serveSql, type SqlServer } from './serve';

const GUIDE = join(__dirname, '../../../docs/sql-guide.md');

/** The guide's ```sql blocks, each with the line it starts on. */
function sqlBlocks(markdown: string): { line: number; sql: string }[] {
  const out: { line: number; sql: string }[] = [];
  const re = /^```sql\n([\s\S]*?)^```/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown))
    out.push({ line: markdown.slice(0, m.index).split('\n').length + 1, sql: m[1] });
  return out;
}

/** Runs a block (simple protocol: several statements); returns what was wrong with it, or null. */
async function runBlock(c: Client, block: { line: number; sql: string }): Promise<string | null> {
  let results: QueryResult[];
  try {
    const r = (await c.query(block.sql)) as QueryResult | QueryResult[];
    results = Array.isArray(r) ? r : [r];
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    return `docs/sql-guide.md:${block.line}: ${(e as Error).message}`;
  }
  const empty = results.filter((r) => (r.command === 'SELECT' || r.command === 'EXPLAIN') && r.rows.length === 0);
  return empty.length ? `docs/sql-guide.md:${block.line}: ${empty.length} quer${empty.length > 1 ? 'ies' : 'y'} returned no rows` : null;
}

describeEachBackend('docs/sql-guide.md, run as an analyst', (ctx) => {
  let server: SqlServer | undefined;
  let client: Client;
  beforeAll(async () => {
    const db = ctx.db();
    // With audience vectors: the guide has a query per basis.
    await seedGatewayFixture(db, { fillers: 300, audienceDim: 8 });
    // Ratings for every movie (the seed has none): 20 users, stars 0.5..5.
    await db.exec(`INSERT INTO ratings (user_id, movie_id, rating, rated_at)
      SELECT u, m.movie_id, 0.5 + ((u * 7 + m.movie_id) % 10) * 0.5, now() FROM generate_series(1, 20) u, movies m`);
    await db.exec('ANALYZE');
    if (ctx.backend === 'pglite') {
      server = await serveSql(db, { port: 0 });
      client = new Client({ host: '127.0.0.1', port: server.port, database: 'postgres', ssl: false });
      await client.connect();
    } else {
      client = new Client({ connectionString: ctx.url() });
      // The suite's database is dropped WITH (FORCE) before this file's afterAll runs.
      client.on('error', () => {});
      await client.connect();
      await client.query('SET ROLE cinemap_analyst');
    }
  }, 90_000);
  afterAll(async () => {
    await client?.end().catch(() => {});
    await server?.close();
  });

  it('is read-only cinemap_analyst, with cinemap on the search path', async () => {
    const { rows } = await client.query(`SELECT current_user AS u, current_setting('search_path') AS p`);
    expect(rows[0].u).toBe('cinemap_analyst');
    expect(rows[0].p).toMatch(/cinemap/);
    await expect(client.query('UPDATE movies SET title = title')).rejects.toThrow(/permission denied/);
  });

  const blocks = sqlBlocks(readFileSync(GUIDE, 'utf8'));
  it('has the queries this test runs', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(7);
  });

  it.each(blocks.map((b) => [b.line, b] as const))('the block at line %i runs and every query in it returns rows', async (_line, block) => {
    expect(await runBlock(client, block)).toBeNull();
  });

  it("the demo block's EXPLAIN shows the run's HNSW index at work (the seed is a small catalogue)", async () => {
    const demo = blocks.find((b) => /\bEXPLAIN\b/.test(b.sql))!;
    const r = (await client.query(demo.sql)) as unknown as QueryResult[];
    const plan = r
      .find((x) => x.command === 'EXPLAIN')!
      .rows.map((row) => row['QUERY PLAN'])
      .join('\n');
    expect(plan).toMatch(/Index Scan using movie_embeddings_hnsw_run_/);
    expect(plan).not.toMatch(/Sort Key/);
  });

  it('catches a block that fails or answers nothing (planted)', async () => {
    expect(await runBlock(client, { line: 1, sql: `SELECT * FROM similar_movies('Matrx');` })).toMatch(
      /^docs\/sql-guide.md:1: Movie "Matrx" not found/,
    );
    expect(await runBlock(client, { line: 2, sql: 'SELECT 1; SELECT 1 WHERE false;' })).toBe(
      'docs/sql-guide.md:2: 1 query returned no rows',
    );
  });
});
