// Given the synthetic generator's tiny dump (zip and folder), when ingested with
// thresholds scaled to it, then every generated row arrives and both forms agree.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestFingerprint, describeEachBackend } from '@cinemap/db/testing';
import { generateSyntheticDump } from '@cinemap/synthetic';
import { runIngest } from '../run-ingest';

describeEachBackend('ingest of the synthetic tiny dump', (ctx) => {
  it('loads every generated row from the zip and from the folder alike, with auto curation', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cinemap-syn-')), 'tiny');
    const g = await generateSyntheticDump({ out, scale: 'tiny', seed: 1, zip: true });
    const db = ctx.db();
    const logs: string[] = [];
    const r = await runIngest({ source: g.zipPath!, autoCuration: true }, { db, log: (l) => logs.push(l) });
    expect(logs.join('\n')).toMatch(/using thresholds scaled to it/);
    expect(r.counts.steps[0]).toMatchObject({ ratings: g.counts.ratings, users: g.counts.users });
    expect(r.counts.moviesInFile).toBe(g.counts.movies);
    expect(r.counts.steps[4].ratings).toBeGreaterThan(0);
    const fp = await ingestFingerprint(db);
    expect([fp.ratings.rows, fp.movies.rows, fp.tags.rows, fp.links.rows]).toEqual([
      g.counts.ratings,
      g.counts.movies,
      g.counts.tags,
      g.counts.links,
    ]);
    await runIngest({ source: out, curation: r.params }, { db, log: () => {} });
    expect({ ...(await ingestFingerprint(db)), datasets: null }).toEqual({ ...fp, datasets: null });
  }, 60_000);
});
