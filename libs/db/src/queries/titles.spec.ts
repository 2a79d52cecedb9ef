// Given the seed catalogue on each backend: the SQL key function equals titleKey()
// (table + random strings); resolve_title() answers the resolution table and, for the
// same typed titles (the table, every seeded title, case/year/article/accent variants
// and misses), exactly what the domain's TitleIndex (the gateway's resolution) answers;
// title_suggestions() offers close titles.
import fc from 'fast-check';
import { MOVIELENS_TITLE_EXAMPLES, TITLE_KEY_FOLDS, TITLE_KEY_MULTI_FOLDS, TitleIndex, titleKey } from '@cinemap/domain';
import { describeEachBackend } from '../testing';
import { sqlTitleKeys } from '../testing/queries';
import { seedGatewayFixture, RESOLUTION_TABLE, SEED_TITLES, type SeedResult } from '../testing/seed';
import { forEachTitleKeys, loadTitleKeys, resolveTitle, titleSuggestions } from './titles';

describeEachBackend('TitleIndex (libs/domain) and SQL resolve_title()', (ctx) => {
  let index: TitleIndex;
  let seed: SeedResult;
  beforeAll(async () => {
    seed = await seedGatewayFixture(ctx.db(), { fillers: 40 });
    index = new TitleIndex(await loadTitleKeys(ctx.db(), seed.runId));
  }, 60_000);

  it('computes in SQL the same key as titleKey() on the domain table, the seed titles and the fold data', async () => {
    const texts = [
      ...MOVIELENS_TITLE_EXAMPLES.map((e) => e[0]),
      ...SEED_TITLES.map((t) => t[0]),
      ...TITLE_KEY_FOLDS.map(([f]) => `x${f}y Z`),
      ...TITLE_KEY_MULTI_FOLDS.map(([f]) => `The ${f}x`),
      ...RESOLUTION_TABLE.map((r) => r[0]),
    ];
    expect(await sqlTitleKeys(ctx.db(), texts)).toEqual(texts.map(titleKey));
  });

  it('computes in SQL the same key as titleKey() on random strings', async () => {
    const alphabet = [
      ...TITLE_KEY_FOLDS.map(([f]) => f),
      ...TITLE_KEY_MULTI_FOLDS.map(([f]) => f),
      'a',
      'b',
      ' ',
      'the ',
      ' la',
      '東',
      'ß',
    ];
    const arb = fc.array(fc.constantFrom(...alphabet), { maxLength: 24 }).map((xs) => xs.join(''));
    const samples = fc.sample(
      fc.oneof(
        arb,
        fc.string({ unit: 'binary', maxLength: 20 }).map((s) => s.replace(/\0/g, '')),
      ),
      { numRuns: 400, seed: 42 },
    );
    expect(await sqlTitleKeys(ctx.db(), samples)).toEqual(samples.map(titleKey));
  });

  it.each(RESOLUTION_TABLE)('resolve_title(%j) finds %j', async (typed, expected) => {
    const id = await resolveTitle(ctx.db(), typed);
    expect(id === null ? null : seed.movies.find((m) => m.movieId === id)!.title).toBe(expected);
  });

  it('suggests up to 5 close titles for an unknown one', async () => {
    const s = await titleSuggestions(ctx.db(), 'Matrx');
    expect(s.length).toBeGreaterThan(0);
    expect(s.length).toBeLessThanOrEqual(5);
    expect(s[0].title).toBe('Matrix, The (1999)');
    expect(await titleSuggestions(ctx.db(), 'zzqqxx')).toEqual([]);
  });

  it('answers what SQL resolve_title() answers, for every typed title tried', async () => {
    const typed = new Set<string>(RESOLUTION_TABLE.map(([t]) => t));
    for (const [title] of SEED_TITLES) {
      const bare = title.replace(/ \(\d{4}\)$/, '');
      for (const t of [
        title,
        bare,
        bare.toUpperCase(),
        `the ${bare.toLowerCase()}`,
        `${bare} (1999)`,
        `${bare} 1999`,
        `${bare}x`,
        bare.normalize('NFD'),
      ])
        typed.add(t);
    }
    for (const t of [
      'Filler Picture 007',
      'Filler Picture 007 (1957)',
      'Filler Picture 007 (1958)',
      'filler picture 039',
      '(1999)',
      'The',
      '...',
      'Matrix (1999) (1999)',
    ])
      typed.add(t);
    const disagreements: string[] = [];
    let found = 0;
    for (const t of typed) {
      const sql = await resolveTitle(ctx.db(), t);
      const mem = index.resolve(t);
      if (sql !== null) found++;
      if (sql !== mem) disagreements.push(`${JSON.stringify(t)}: SQL ${sql}, in-memory ${mem}`);
    }
    expect(disagreements).toEqual([]);
    // Both resolved many titles (not agreement by both answering null).
    expect(found).toBeGreaterThan(100);
  });

  it('reads page by page (forEachTitleKeys) the entries loadTitleKeys reads, and an index built from them answers alike', async () => {
    const whole = await loadTitleKeys(ctx.db(), seed.runId);
    const paged = new TitleIndex();
    const entries: unknown[] = [];
    const visited = await forEachTitleKeys(
      ctx.db(),
      seed.runId,
      (e) => {
        entries.push(e);
        paged.add(e);
      },
      7,
    );
    expect(visited).toBe(whole.length);
    expect(entries).toEqual([...whole].sort((a, b) => a.movieId - b.movieId));
    expect(paged.longestTitle).toBe(index.longestTitle);
    const typed = [
      ...RESOLUTION_TABLE.map(([t]) => t),
      ...SEED_TITLES.flatMap(([t]) => [t, t.replace(/ \(\d{4}\)$/, '')]),
      'Filler Picture 007',
    ];
    expect(typed.map((t) => paged.resolve(t))).toEqual(typed.map((t) => index.resolve(t)));
  });

  it('prefers the most-rated film when a bare title is shared, and honours a typed year', () => {
    expect(index.resolve('Hamlet')).toBe(7); // Hamlet (1996), 390 ratings
    expect(index.resolve('Hamlet (1990)')).toBe(6);
    expect(index.resolve('Hamlet (1995)')).toBeNull();
  });
});
