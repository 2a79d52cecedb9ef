import { join } from 'node:path';
import { checkRepository, checkSource } from './boundaries';

describe('SQL lives only in libs/db', () => {
  it('holds across the repository', () => {
    const v = checkRepository(join(__dirname, '..', '..'));
    expect(v.map((x) => `${x.file}:${x.line} ${x.rule}: ${x.text}`)).toEqual([]);
  });

  it('catches SQL outside libs/db, but not prose, comments or tests', () => {
    expect(checkSource('apps/gateway/src/movie.resolver.ts', 'const rows = await db.query(`SELECT movie_id FROM movies`);')[0].rule).toBe(
      'SQL lives only in libs/db',
    );
    expect(checkSource('apps/ingest/src/load/x.ts', "await db.exec('TRUNCATE ratings');")[0].rule).toBe('SQL lives only in libs/db');
    expect(checkSource('libs/movielens/src/x.ts', "const q = 'DELETE FROM ratings';")[0].rule).toBe('SQL lives only in libs/db');
    expect(checkSource('libs/db/src/queries/movies.ts', 'const q = `SELECT movie_id FROM movies`;')).toEqual([]);
    expect(checkSource('apps/gateway/src/a.spec.ts', 'await db.query(`SELECT 1 AS ok`);')).toEqual([]);
    expect(checkSource('apps/gateway/src/a.ts', '// SELECT the best film')).toEqual([]);
    expect(checkSource('apps/gateway/src/a.ts', "const msg = 'Select a film';")).toEqual([]);
  });
});
