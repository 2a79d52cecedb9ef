// Every MovieLens layout lands in the same domain tables: the hand-made fixtures
// (../movielens/fixtures) ingested into each backend give movies with MovieLens genres
// and years, ratings, tags where the layout has them, and the layout in datasets.params.
import { join } from 'node:path';
import { getActiveDataset, getIngestedMovie, ingestFingerprint, describeEachBackend } from '@cinemap/db/testing';
import { LAYOUT_FIXTURES } from '@cinemap/movielens/testing';
import { runIngest } from '../run-ingest';

const FIX = LAYOUT_FIXTURES;
const KEEP_ALL = { minAvgRating: 0, minMovieRatings: 1, minUserRatings: 1, sampleFraction: null, seed: 1 };

describeEachBackend('runIngest: every layout into the same tables', (ctx) => {
  it.each([
    ['ml-100k', 'ml-100k', 10, 6, 0, { movieId: 6, displayTitle: 'The Night Ferry', year: 1996, genres: ['Film-Noir', 'Mystery'] }],
    ['ml-1m', 'ml-1m', 7, 4, 0, { movieId: 1, displayTitle: 'Paper Lanterns', year: 1994, genres: ['Animation', 'Children', 'Comedy'] }],
    ['ml-10M100K', 'ml-10m', 6, 4, 3, { movieId: 3, displayTitle: "Mélodie d'hiver", year: 1996, genres: ['Drama', 'Romance'] }],
    [
      'ml-csv',
      'MovieLens CSV',
      4,
      3,
      2,
      { movieId: 2, displayTitle: 'The Harbour of Glass', year: 1995, genres: ['Action', 'Adventure', 'Thriller'] },
    ],
  ] as const)('%s → ratings, movies, tags; the layout is recorded', async (folder, layout, ratings, movies, tags, movie) => {
    const db = ctx.db();
    const logs: string[] = [];
    const r = await runIngest({ source: join(FIX, folder), curation: KEEP_ALL }, { db, log: (l) => logs.push(l) });
    expect(logs.join('\n')).toContain(`dataset: ${layout} layout in`);
    const fp = await ingestFingerprint(db);
    expect([fp.ratings.rows, fp.movies.rows, fp.tags.rows, fp.curated.rows]).toEqual([ratings, movies, tags, ratings]);
    expect(await getIngestedMovie(db, movie.movieId)).toMatchObject(movie);
    expect((await getActiveDataset(db))!).toMatchObject({ id: r.datasetId, params: { layout } });
  });

  it('ml-100k: the "unknown" movie without a date loads with no year and no genre; same-titled movies stay two movies', async () => {
    const db = ctx.db();
    await runIngest({ source: join(FIX, 'ml-100k'), curation: KEEP_ALL }, { db, log: () => {} });
    expect(await getIngestedMovie(db, 4)).toMatchObject({ title: 'unknown', year: null, genres: [], ratingCount: 1 });
    const [a, b] = [await getIngestedMovie(db, 2), await getIngestedMovie(db, 5)];
    expect([a!.title, b!.title]).toEqual(['Harbour of Glass (1995)', 'Harbour of Glass (1995)']);
    expect([a!.ratingCount, b!.ratingCount]).toEqual([2, 1]);
  });
});
