// Given the synthetic generator's tiny dump (zip and folder), when ingested with
// thresholds scaled to it, then every generated row arrives and both forms agree.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestFingerprint, describeEachBackend, getActiveDataset } from '@cinemap/db/testing';
import { FLOOR_CURATION } from '@cinemap/domain';
import { generateSyntheticDump } from '@cinemap/synthetic';
import { runIngest } from '../run-ingest';

describeEachBackend('ingest of the synthetic tiny dump', (ctx) => {
  it('loads every generated row from the zip and from the folder alike, with auto curation', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cinemap-syn-')), 'tiny');
    const g = await generateSyntheticDump({ out, scale: 'tiny', seed: 1, zip: true });
    const db = ctx.db();
    const logs: string[] = [];
    const r = await runIngest({ source: g.zipPath!, preset: 'blog-scaled' }, { db, log: (l) => logs.push(l) });
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

  it('with --auto-curation (floors) keeps every film with enough ratings for a vector, whatever its average, and records it', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cinemap-syn-')), 'tiny');
    await generateSyntheticDump({ out, scale: 'tiny', seed: 1 });
    const db = ctx.db();
    const r = await runIngest({ source: out, autoCuration: true }, { db, log: () => {} });
    expect(r.params).toEqual(FLOOR_CURATION);
    const s = r.curation.stats;
    let usable = 0;
    for (let m = 0; m < s.movieCount.length; m++) if (s.movieCount[m] >= FLOOR_CURATION.minMovieRatings) usable++;
    expect(r.counts.steps[4].movies).toBe(usable);
    expect((await getActiveDataset(db))!.params).toMatchObject({ curation: 'floors', minAvgRating: 0, sampleFraction: null });
  }, 60_000);
});
