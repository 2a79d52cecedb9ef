// Given a tiny dump, when ingested, then the tables hold it; the same ingest twice
// gives identical tables; a failed ingest leaves the previous dataset as it was.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  countIngestTablesAs,
  getActiveDataset,
  getCuratedRatings,
  getIngestedMovie,
  getRawRatings,
  ingestFingerprint,
  listDatasets,
  describeEachBackend,
} from '@cinemap/db/testing';
import { runIngest } from '../run-ingest';
import { tinyDump, writeDumpDir, writeDumpZip } from '@cinemap/movielens/testing';

const CURATION = { minAvgRating: 3.0, minMovieRatings: 5, minUserRatings: 10, sampleFraction: 0.5, seed: 3 };
const quiet = { log: () => {} };

describeEachBackend('runIngest', (ctx) => {
  const dir = mkdtempSync(join(tmpdir(), 'cinemap-ingest-'));
  const dumpA = writeDumpDir(join(dir, 'a'), tinyDump({ seed: 1 }));
  const dumpB = writeDumpDir(join(dir, 'b'), tinyDump({ seed: 2, movies: 40, users: 30 }));

  it('loads a dump: tables, movies columns, a datasets row with counts per step, the curated sample', async () => {
    const db = ctx.db();
    const r = await runIngest({ source: dumpA, curation: CURATION }, { db, ...quiet });
    expect(r.datasetId).not.toBeNull();
    const fp = await ingestFingerprint(db);
    const lines = tinyDump({ seed: 1 });
    expect(fp.ratings.rows).toBe(lines['ratings.csv'].trim().split('\n').length - 1);
    expect(fp.movies.rows).toBe(60);
    expect(fp.links.rows).toBe(60);
    expect(fp.tags.rows).toBe(lines['tags.csv']!.trim().split('\n').length - 1);
    const active = await getActiveDataset(db);
    expect(active).toMatchObject({ id: r.datasetId, status: 'complete', active: true });
    const steps = (active!.counts as { steps: { step: string; ratings: number }[] }).steps;
    expect(steps.map((s) => s.step)).toEqual(['dump', 'min-avg-rating', 'min-movie-ratings', 'min-user-ratings', 'sample']);
    expect(steps[0].ratings).toBe(fp.ratings.rows);
    expect(active!.params).toMatchObject(CURATION);
    const curated = await getCuratedRatings(db, r.datasetId!);
    expect(curated.length).toBe(steps[4].ratings);
    expect(curated.length).toBe(r.curation.keep.reduce((a, b) => a + b, 0));

    // Every movie records why curation left it out, exactly for those without a curated rating.
    const curatedMovies = new Set(curated.map((c) => c.movieId));
    const reasons = await db.query<{ movieId: number; excludedBy: string | null }>(
      'SELECT movie_id AS "movieId", excluded_by AS "excludedBy" FROM movies ORDER BY movie_id',
    );
    expect(reasons.filter((x) => (x.excludedBy === null) !== curatedMovies.has(x.movieId))).toEqual([]);
    expect(new Set(reasons.map((x) => x.excludedBy)).size).toBeGreaterThan(2);

    const m = (await getIngestedMovie(db, 1))!;
    expect(m).toMatchObject({ displayTitle: 'The Matrix', year: 1999, genres: ['Drama'], imdbId: 100001, tmdbId: 5001 });
    expect(m.titleKeys).toContain('matrix');
    const mine = lines['ratings.csv']
      .split('\n')
      .filter((l) => /^\d+,1,/.test(l))
      .map((l) => Number(l.split(',')[2]));
    expect(m.ratingCount).toBe(mine.length);
    expect(m.averageRating).toBeCloseTo(mine.reduce((a, b) => a + b, 0) / mine.length, 5);
    const first = lines['ratings.csv'].split('\n')[1].split(',');
    const raw = await getRawRatings(db, Number(first[0]));
    const row = raw.find((x) => x.movieId === Number(first[1]))!;
    expect(row.ratedAt.getTime()).toBe(Number(first[3]) * 1000);
    expect(row.rating).toBe(Number(first[2]));
  });

  it('the same ingest twice gives identical tables and the same curated sample', async () => {
    const db = ctx.db();
    const before = await ingestFingerprint(db);
    const first = (await getActiveDataset(db))!.id;
    const r = await runIngest({ source: dumpA, curation: CURATION }, { db, ...quiet });
    const after = await ingestFingerprint(db);
    expect({ ...after, datasets: null }).toEqual({ ...before, datasets: null });
    expect(await getCuratedRatings(db, r.datasetId!)).toEqual(await getCuratedRatings(db, first));
    expect((await listDatasets(db)).filter((d) => d.active).map((d) => d.id)).toEqual([r.datasetId]);
  });

  it('reads a zip with the files in a folder the same as the folder', async () => {
    const db = ctx.db();
    const before = await ingestFingerprint(db);
    const zip = await writeDumpZip(join(dir, 'a.zip'), tinyDump({ seed: 1 }));
    await runIngest({ source: zip, curation: CURATION }, { db, ...quiet });
    expect({ ...(await ingestFingerprint(db)), datasets: null }).toEqual({ ...before, datasets: null });
  });

  it('a failing ingest (bad row, empty curation, error mid-load) leaves the previous dataset exactly as it was', async () => {
    const db = ctx.db();
    const before = await ingestFingerprint(db);
    const bad = writeDumpDir(join(dir, 'bad'), {
      ...tinyDump({ seed: 1 }),
      'ratings.csv': 'userId,movieId,rating,timestamp\n1,1,4.0,1\n1,2,7,1\n',
    });
    await expect(runIngest({ source: bad }, { db, ...quiet })).rejects.toThrow(/ratings\.csv:3: rating "7"/);
    expect(await ingestFingerprint(db)).toEqual(before);

    // The blog's defaults keep nothing of a tiny dump: stop, record a failed row, suggest thresholds.
    await expect(runIngest({ source: dumpB }, { db, ...quiet })).rejects.toThrow(
      /Curation kept no ratings[\s\S]*Rerun with: --min-avg-rating 3\.5 --min-movie-ratings \d+ --min-user-ratings \d+ --sample-fraction none/,
    );
    const all = await listDatasets(db);
    expect(all[all.length - 1]).toMatchObject({ status: 'failed', active: false });
    expect({ ...(await ingestFingerprint(db)), datasets: null }).toEqual({ ...before, datasets: null });

    // An error in the middle of the load transaction (after the staging COPY) rolls everything back.
    const fpBeforeLoad = await ingestFingerprint(db);
    await expect(
      runIngest(
        { source: dumpB, curation: CURATION },
        {
          db,
          ...quiet,
          onLoadStep: (s) => {
            if (s === 'swap') throw new Error('boom at swap');
          },
        },
      ),
    ).rejects.toThrow('boom at swap');
    expect(await ingestFingerprint(db)).toEqual(fpBeforeLoad);
  });

  it('a different dump replaces the raw tables; older curated samples stay', async () => {
    const db = ctx.db();
    const old = (await getActiveDataset(db))!.id;
    const oldCurated = await getCuratedRatings(db, old);
    const r = await runIngest({ source: dumpB, autoCuration: true }, { db, ...quiet });
    expect((await ingestFingerprint(db)).movies.rows).toBe(40);
    expect(r.params.minMovieRatings).toBeLessThan(1000);
    expect(await getCuratedRatings(db, old)).toEqual(oldCurated);
    expect((await getActiveDataset(db))!.id).toBe(r.datasetId);
  });

  if (ctx.backend === 'postgres') {
    it('after a swap the analyst and gateway roles can still read the swapped tables', async () => {
      const db = ctx.db();
      const analyst = await countIngestTablesAs(db, 'cinemap_analyst');
      expect(analyst).toEqual({ ...(await countIngestTablesAs(db, 'cinemap_gateway')) });
      expect(analyst.movies).toBe(40);
      expect(analyst.ratings).toBe((await ingestFingerprint(db)).ratings.rows);
    });
  }
});
