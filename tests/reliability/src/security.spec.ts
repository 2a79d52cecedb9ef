// Security: the read-only roles cannot write (PostgreSQL), migrations need the schema
// owner, no secrets are committed (tracked files scanned for keys, tokens, passwords),
// and the built gateway's production switches behave as docs/graphql.md says:
// introspection and landing page off in production unless asked for, CSRF prevention on,
// CORS only for the configured origins.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { availableBackends, createTestDatabase, seedGatewayFixture } from '@cinemap/db/testing';
import { migrate, openPostgres } from '@cinemap/db';
import { CliDatabase, GatewayProcess, ROOT, builtClis, cliDatabase, codes, gql, startGateway } from './support/harness';

const pgDescribe = availableBackends().includes('postgres') ? describe : describe.skip;

/** The same URL, logging in as the superuser but acting as `role` for the whole session. */
const asRole = (url: string, role: string) => {
  const u = new URL(url);
  u.searchParams.set('options', `-c role=${role}`);
  return u.toString();
};

pgDescribe('[postgres] roles', () => {
  let t: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    await seedGatewayFixture(t.db, { fillers: 10 });
  }, 60_000);
  afterAll(() => t?.drop(), 60_000);

  const WRITES = [
    'INSERT INTO movies (movie_id, title, display_title, genres, rating_count, average_rating) VALUES (999999, $$x$$, $$x$$, $${}$$, 0, 0)',
    'UPDATE movies SET title = $$pwned$$',
    'DELETE FROM ratings',
    'TRUNCATE model_runs CASCADE',
    'UPDATE model_runs SET active = false',
    'CREATE TABLE evil (id int)',
    'DROP TABLE movies CASCADE',
    'ALTER TABLE movies ADD COLUMN evil int',
    'CREATE OR REPLACE FUNCTION cinemap.resolve_title(text) RETURNS int LANGUAGE sql AS $$SELECT 1$$',
  ];
  for (const role of ['cinemap_gateway', 'cinemap_analyst']) {
    it.each(WRITES)(`${role} cannot: %s`, async (sql) => {
      const db = await openPostgres({ url: asRole(t.url!, role), max: 1 });
      try {
        await expect(db.query(sql)).rejects.toMatchObject({ code: expect.stringMatching(/^(42501|42P07)$/) });
        // …and can read what it serves.
        expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM movies'))[0].n).toBeGreaterThan(0);
      } finally {
        await db.close();
      }
    });
  }

  it('cinemap_writer writes rows but cannot change the schema', async () => {
    const db = await openPostgres({ url: asRole(t.url!, 'cinemap_writer'), max: 1 });
    try {
      await db.transaction(async (tx) => {
        await tx.query('UPDATE movies SET rating_count = rating_count WHERE movie_id = 1');
      });
      await expect(db.query('CREATE TABLE evil (id int)')).rejects.toMatchObject({ code: '42501' });
      await expect(db.query('DROP TABLE movies')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await db.close();
    }
  });

  it.each(['cinemap_gateway', 'cinemap_analyst', 'cinemap_writer'])(
    'migrations on an empty database fail as %s (they run as the owner)',
    async (role) => {
      const empty = await createTestDatabase('postgres', { migrate: false });
      try {
        const db = await openPostgres({ url: asRole(empty.url!, role), max: 1 });
        try {
          await expect(migrate(db)).rejects.toThrow(/permission denied|must be owner|must be superuser|not allowed/i);
        } finally {
          await db.close();
        }
      } finally {
        await empty.drop();
      }
    },
  );
});

describe('no secrets in the repository or manifests', () => {
  const PATTERNS: [string, RegExp][] = [
    ['private key', /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/],
    ['AWS access key', /\bAKIA[0-9A-Z]{16}\b/],
    ['GitHub token', /\bgh[pousr]_[A-Za-z0-9]{36}\b/],
    ['Slack token', /\bxox[abprs]-[A-Za-z0-9-]{10,}/],
    ['npm token', /\bnpm_[A-Za-z0-9]{36}\b/],
    ['JWT', /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/],
    // A password inside a connection URL, unless it is a placeholder or redacted.
    [
      'password in a URL',
      /\b(?:postgres(?:ql)?|mysql|redis|amqp|mongodb):\/\/[^\s:@/'"`]+:(?!\*\*\*|\$\{|\$\(|<|password@|PASSWORD)[^\s@/'"`]{3,}@/,
    ],
    // password: value / PASSWORD=value with a literal value (not a reference or a placeholder).
    [
      'literal password',
      /\b(?:password|passwd|secret|api[_-]?key|token)[ \t]*[:=][ \t]*["']?(?!\$|\{\{|<|["']|\s|changeme|CHANGE|example|none|null|true|false|\*)[A-Za-z0-9+/_!@#%^&-]{8,}/i,
    ],
  ];
  // Test code makes throwaway credentials on throwaway clusters; the scan is for shipped files.
  const isTest = (f: string) => /\.spec\.ts$|\/testing\/|^tests\//.test(f);

  it('tracked files hold no private keys, tokens or literal passwords', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
    expect(files.length).toBeGreaterThan(50);
    const found: string[] = [];
    for (const f of files) {
      const path = join(ROOT, f);
      let text: string;
      try {
        if (statSync(path).size > 2_000_000) continue;
        text = readFileSync(path, 'utf8');
      } catch {
        continue; // deleted in the working tree
      }
      if (text.includes('\0')) continue; // binary
      for (const [what, re] of PATTERNS) {
        if (isTest(f) && what !== 'private key') continue;
        const m = re.exec(text);
        if (m) found.push(`${f}:${text.slice(0, m.index).split('\n').length}: ${what}: ${m[0].slice(0, 60)}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('the scan finds what it looks for (planted samples)', () => {
    // Built from pieces, so this file does not itself hold a key header.
    const planted = [
      ['-----BEGIN RSA PRIVATE', 'KEY-----'].join(' '),
      'AKIAABCDEFGHIJKLMNOP',
      `ghp_${'a'.repeat(36)}`,
      'DATABASE_URL=postgres://cinemap:hunter2secret@db:5432/cinemap',
      'password: SuperSecret123',
    ];
    for (const p of planted) expect(PATTERNS.some(([, re]) => re.test(p))).toBe(true);
    for (const fine of [
      'postgres://postgres@127.0.0.1:5432/postgres',
      'password: ${CINEMAP_WRITER_PASSWORD}',
      'postgres://u:***@host/db',
      'secretKeyRef:',
    ])
      expect(PATTERNS.some(([, re]) => re.test(fine))).toBe(false);
  });

  it('Kubernetes manifests carry no Secret values (they reference Secrets created outside git)', () => {
    const files = execFileSync('git', ['ls-files', 'k8s'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((f) => /\.ya?ml$/.test(f));
    const offenders = files.filter((f) => /^kind:\s*Secret\b[\s\S]*?^(data|stringData):/m.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});

const d = builtClis ? describe : describe.skip;
d('gateway production switches, CSRF and CORS', () => {
  const backend = availableBackends().includes('postgres') ? 'postgres' : 'pglite';
  let db: CliDatabase;
  const introspect = '{ __schema { queryType { name } } }';
  beforeAll(async () => {
    db = await cliDatabase(backend);
    await db.with((h) => seedGatewayFixture(h, { fillers: 10 }));
  }, 60_000);
  afterAll(() => db?.drop(), 60_000);

  const withGateway = async (env: Record<string, string>, fn: (gw: GatewayProcess) => Promise<void>) => {
    const gw = await startGateway({ ...db.env, ...env });
    try {
      await fn(gw);
    } finally {
      await gw.stop();
    }
  };

  it('production: no introspection and no landing page; CINEMAP_INTROSPECTION=true turns both on', async () => {
    await withGateway({ NODE_ENV: 'production' }, async (gw) => {
      expect(codes(await gql(gw.url, introspect))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      const page = await fetch(gw.url, { headers: { accept: 'text/html' } });
      expect(await page.text()).not.toMatch(/landing-page|embeddable|sandbox/i);
    });
    await withGateway({ NODE_ENV: 'production', CINEMAP_INTROSPECTION: 'true' }, async (gw) => {
      expect(codes(await gql(gw.url, introspect))).toEqual([]);
      const page = await fetch(gw.url, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/landing-page|embeddable|sandbox/i);
    });
  }, 60_000);

  it('CSRF prevention: simple GETs and text/plain POSTs are refused; preflighted requests pass', async () => {
    await withGateway({}, async (gw) => {
      const q = `${gw.url}?query=${encodeURIComponent('{ activeModel { id } }')}`;
      const simple = await fetch(q);
      expect(simple.status).toBe(400);
      expect(await simple.text()).toMatch(/CSRF|apollo-require-preflight/i);
      const plain = await fetch(gw.url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ query: '{ activeModel { id } }' }),
      });
      expect(plain.status).toBe(400);
      const pre = await fetch(q, { headers: { 'apollo-require-preflight': 'true' } });
      expect(pre.status).toBe(200);
    });
  }, 60_000);

  it('CORS: only the configured origins get Access-Control-Allow-Origin (default: none)', async () => {
    const ask = async (gw: GatewayProcess, origin: string) => {
      const pre = await fetch(gw.url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      const post = await gql(gw.url, '{ activeModel { id } }', undefined, { origin });
      return [pre.headers.get('access-control-allow-origin'), post.headers.get('access-control-allow-origin')];
    };
    await withGateway({}, async (gw) => {
      expect(await ask(gw, 'https://evil.example')).toEqual([null, null]);
    });
    await withGateway({ CINEMAP_CORS_ORIGINS: 'https://app.example' }, async (gw) => {
      expect(await ask(gw, 'https://app.example')).toEqual(['https://app.example', 'https://app.example']);
      expect(await ask(gw, 'https://evil.example')).toEqual([null, null]);
    });
  }, 60_000);
});
