// Given the seed catalogue on each backend, when the domain's TitleIndex (what the
// gateway serves with) and SQL resolve_title() resolve the same typed titles (the
// resolution table, every seeded title, and case/year/article/accent variants and
// misses), then they agree on every one: the SQL twin is tested equal to the domain rule.
import { TitleIndex } from '@cinemap/domain';
import { describeEachBackend } from '../testing';
import { seedGatewayFixture, RESOLUTION_TABLE, SEED_TITLES } from '../testing/seed';
import { loadTitleKeys, resolveTitle } from './gateway';

describeEachBackend('TitleIndex (libs/domain) and SQL resolve_title()', (ctx) => {
  let index: TitleIndex;
  beforeAll(async () => {
    const seed = await seedGatewayFixture(ctx.db(), { fillers: 40 });
    index = new TitleIndex(await loadTitleKeys(ctx.db(), seed.runId));
  }, 60_000);

  it('answers what SQL resolve_title() answers, for every typed title tried', async () => {
    const typed = new Set<string>(RESOLUTION_TABLE.map(([t]) => t));
    for (const [title] of SEED_TITLES) {
      const bare = title.replace(/ \(\d{4}\)$/, '');
      for (const t of [title, bare, bare.toUpperCase(), `the ${bare.toLowerCase()}`, `${bare} (1999)`, `${bare} 1999`, `${bare}x`, bare.normalize('NFD')]) typed.add(t);
    }
    for (const t of ['Filler Picture 007', 'Filler Picture 007 (1957)', 'Filler Picture 007 (1958)', 'filler picture 039', '(1999)', 'The', '...', 'Matrix (1999) (1999)']) typed.add(t);
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

  it('prefers the most-rated film when a bare title is shared, and honours a typed year', () => {
    expect(index.resolve('Hamlet')).toBe(7); // Hamlet (1996), 390 ratings
    expect(index.resolve('Hamlet (1990)')).toBe(6);
    expect(index.resolve('Hamlet (1995)')).toBeNull();
  });
});
