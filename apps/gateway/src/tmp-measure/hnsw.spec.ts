import { createTestDatabase, seedGatewayFixture } from '@cinemap/db/testing';
jest.setTimeout(1_200_000);
const GUIDE = (where = '') => `SELECT m.title, 1 - (e.embedding <=> (SELECT title_embedding('The Matrix'))) AS cosine
FROM active_movie_embeddings e JOIN active_movies m USING (movie_id) ${where}
ORDER BY e.embedding <=> (SELECT title_embedding('The Matrix')) LIMIT 11`;
const sizes = (process.env.SIZES ?? '1000,5000,20000,86000').split(',').map(Number);
const backend = (process.env.BACKEND ?? 'postgres') as 'postgres' | 'pglite';
it('measures', async () => {
  for (const n of sizes) {
    const t = await createTestDatabase(backend);
    const db = t.db;
    const t0 = Date.now();
    await seedGatewayFixture(db, { fillers: n - 60, dim: 50 });
    if (process.env.NO_ANALYZE !== '1') await db.exec('ANALYZE');
    const seedMs = Date.now() - t0;
    const plan = async (sql: string, pre = '') =>
      db.transaction(async (tx) => {
        if (pre) await tx.exec(pre);
        const p = (await tx.query<any>(`EXPLAIN (ANALYZE, COSTS) ${sql}`)).map((r) => r['QUERY PLAN']).join('\n');
        return { index: /Index Scan using movie_embeddings_hnsw/.test(p), sort: /Sort Key/.test(p), ms: Number(/Execution Time: ([\d.]+)/.exec(p)?.[1]), cost: /cost=[\d.]+\.\.([\d.]+)/.exec(p)?.[1] };
      });
    const out: any = { n, backend, seedMs };
    out.default = await plan(GUIDE());
    out.forced = await plan(GUIDE(), 'SET LOCAL enable_seqscan = off');
    // filtered: ~1.4% of movies (one year of 70)
    const where = 'WHERE m.year = 1985';
    const exact = await db.transaction(async (tx) => { await tx.exec('SET LOCAL enable_indexscan = off'); return tx.query<any>(GUIDE(where)); });
    for (const [name, pre] of [
      ['filtered_forced_plain', 'SET LOCAL enable_seqscan = off'],
      ['filtered_forced_ef200', 'SET LOCAL enable_seqscan = off; SET LOCAL hnsw.ef_search = 200'],
      ['filtered_forced_iter_relaxed', "SET LOCAL enable_seqscan = off; SET LOCAL hnsw.iterative_scan = relaxed_order"],
      ['filtered_forced_iter_strict', "SET LOCAL enable_seqscan = off; SET LOCAL hnsw.iterative_scan = strict_order"],
    ] as const) {
      const rows = await db.transaction(async (tx) => { await tx.exec(pre); return tx.query<any>(GUIDE(where)); });
      const p = await plan(GUIDE(where), pre);
      const exactTitles = new Set(exact.map((r: any) => r.title));
      out[name] = { rows: rows.length, recall: rows.filter((r: any) => exactTitles.has(r.title)).length + '/' + exact.length, ...p };
    }
    out.filtered_default = await plan(GUIDE(where));
    console.log(JSON.stringify(out));
    await t.drop();
  }
});
