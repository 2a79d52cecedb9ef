// Given a seeded run on each backend: an artifact reads back byte for byte whatever its
// size around the slices it is read in (empty, one byte, a slice and one either side,
// a query's worth and one more), an absent kind reads (and sizes) as null, and an artifact replaced
// while it is being read is refused rather than returned mixed.
import { describeEachBackend } from '../testing';
import { seedGatewayFixture, type SeedResult } from '../testing/seed';
import type { Queryable } from '../db';
import { loadModelArtifact, modelArtifactSize, saveModelArtifact } from './artifacts';

const SLICE = 16 * 1024;

function bytesOf(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

describeEachBackend('model_artifacts', (ctx) => {
  let seed: SeedResult;
  beforeAll(async () => {
    seed = await seedGatewayFixture(ctx.db(), { fillers: 10, neighbourLists: false });
  }, 60_000);

  it.each([0, 1, SLICE - 1, SLICE, SLICE + 1, 64 * SLICE, 64 * SLICE + 1, 150_001])('reads back %i bytes exactly', async (n) => {
    const bytes = bytesOf(n, n + 1);
    await saveModelArtifact(ctx.db(), seed.runId, `test-${n}`, bytes);
    const got = await loadModelArtifact(ctx.db(), seed.runId, `test-${n}`);
    expect(got).toBeInstanceOf(Uint8Array);
    expect(got!.length).toBe(n);
    expect(Buffer.from(got!).equals(Buffer.from(bytes))).toBe(true);
  });

  it('reads the seeded scorer, and null for a kind the run does not have', async () => {
    const [{ bytes }] = await ctx
      .db()
      .query<{ bytes: Uint8Array }>(`SELECT bytes FROM model_artifacts WHERE run_id = $1 AND kind = 'onnx-scorer'`, [seed.runId]);
    const got = await loadModelArtifact(ctx.db(), seed.runId, 'onnx-scorer');
    expect(Buffer.from(got!).equals(Buffer.from(bytes))).toBe(true);
    expect(await loadModelArtifact(ctx.db(), seed.runId, 'no-such-kind')).toBeNull();
  });

  it('sizes an artifact without reading it (the gateway loads its scorer on first use), null when absent', async () => {
    await saveModelArtifact(ctx.db(), seed.runId, 'sized', bytesOf(SLICE + 3, 9));
    expect(await modelArtifactSize(ctx.db(), seed.runId, 'sized')).toBe(SLICE + 3);
    await saveModelArtifact(ctx.db(), seed.runId, 'empty', new Uint8Array(0));
    expect(await modelArtifactSize(ctx.db(), seed.runId, 'empty')).toBe(0);
    expect(await modelArtifactSize(ctx.db(), seed.runId, 'no-such-kind')).toBeNull();
    expect(await modelArtifactSize(ctx.db(), seed.runId + 1000, 'sized')).toBeNull();
  });

  it('refuses an artifact replaced while it is read', async () => {
    const db = ctx.db();
    await saveModelArtifact(db, seed.runId, 'moving', bytesOf(200 * SLICE, 1));
    let queries = 0;
    // Between the reads of its first and second slices, another writer replaces it (same size, other bytes).
    const racing: Queryable = {
      ...db,
      query: async (sql, params) => {
        if (++queries === 3) await saveModelArtifact(db, seed.runId, 'moving', bytesOf(200 * SLICE, 2));
        return db.query(sql, params);
      },
    };
    await expect(loadModelArtifact(racing, seed.runId, 'moving')).rejects.toThrow(/artifact changed while it was read/);
  });
});
