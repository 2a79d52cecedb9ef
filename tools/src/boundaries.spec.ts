import { join } from 'node:path';
import { checkRepository, checkSource } from './boundaries';

describe('module boundaries', () => {
  it('hold across the repository', () => {
    const v = checkRepository(join(__dirname, '..', '..'));
    expect(v.map((x) => `${x.file}:${x.line} ${x.rule}: ${x.text}`)).toEqual([]);
  });

  it('catch a lib importing an app', () => {
    expect(checkSource('libs/db/src/x.ts', "import { runIngest } from '../../../apps/ingest/src';")[0].rule).toBe('libs never import apps');
  });

  it('catch I/O in a pure lib, but not in its tests', () => {
    expect(checkSource('libs/math/src/pca.ts', "import { readFileSync } from 'node:fs';")[0].rule).toMatch(/libs\/math is pure: it may not import node:fs/);
    expect(checkSource('libs/domain/src/t.ts', "const pg = require('pg');")[0].rule).toMatch(/may not import pg/);
    expect(checkSource('libs/domain/src/t.ts', "import { Rng } from '@cinemap/math';")).toEqual([]);
    expect(checkSource('libs/math/src/pca.spec.ts', "import { PCA } from 'ml-pca';")).toEqual([]);
  });

  it('catch SQL outside libs/db', () => {
    expect(checkSource('apps/gateway/src/movie.resolver.ts', 'const rows = await db.query(`SELECT movie_id FROM movies`);')[0].rule).toBe('SQL lives only in libs/db');
    expect(checkSource('apps/ingest/src/load/x.ts', "await db.exec('TRUNCATE ratings');")[0].rule).toBe('SQL lives only in libs/db');
    expect(checkSource('libs/db/src/queries/movies.ts', 'const q = `SELECT movie_id FROM movies`;')).toEqual([]);
    // Prose and comments are not statements.
    expect(checkSource('apps/gateway/src/a.ts', '// SELECT the best film')).toEqual([]);
    expect(checkSource('apps/gateway/src/a.ts', "const msg = 'Select a film';")).toEqual([]);
  });

  it('catch one app reaching into another, the composition root included', () => {
    expect(checkSource('apps/trainer/src/a.ts', "import { x } from '../../ingest/src/curate';")[0].rule).toMatch(/apps do not import other apps/);
    expect(checkSource('apps/cinemap/src/bin/start.ts', "import { runIngest } from '../../../ingest/src';")[0].rule).toMatch(/apps do not import other apps/);
  });
});
