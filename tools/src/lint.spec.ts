// ESLint (eslint.config.mjs) passes over the whole workspace, and each boundary it
// polices catches its planted mistake: a lib importing an app, a pure lib doing I/O, an
// app importing another app, a relative path into another project, a test door in
// production code, the explorer importing a lib, a function past 60 lines.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { ESLint as ESLintT } from 'eslint';

const root = join(__dirname, '..', '..');
let eslint: ESLintT;

beforeAll(async () => {
  // The module-boundary rule reads Nx's cached project graph; without one it skips itself.
  const graph = spawnSync(process.execPath, [join(root, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects'], {
    cwd: root,
    env: { ...process.env, NX_DAEMON: 'false' },
    encoding: 'utf8',
  });
  expect(graph.status).toBe(0);
  const { ESLint } = await import('eslint');
  eslint = new ESLint({ cwd: root });
}, 120_000);

/** The rule ids ESLint reports for `code` as if it were the file `rel`. */
async function rulesFor(rel: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: join(root, rel) });
  return r.messages.map((m) => `${m.ruleId}: ${m.message.split('\n')[0]}`);
}

describe('eslint', () => {
  it('passes over the whole workspace (npm run lint)', async () => {
    const results = await eslint.lintFiles(['.']);
    const problems = results.flatMap((r) =>
      r.messages.map((m) => `${r.filePath.slice(root.length + 1)}:${m.line} ${m.ruleId ?? ''} ${m.message}`),
    );
    expect(problems).toEqual([]);
    expect(results.length).toBeGreaterThan(200);
  }, 180_000);

  it.each([
    [
      'a lib importing an app',
      'libs/db/src/x.ts',
      "import { runIngest } from '@cinemap/ingest';\nexport const f = runIngest;",
      /enforce-module-boundaries/,
    ],
    [
      'a pure lib importing node:fs',
      'libs/math/src/x.ts',
      "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;",
      /no-restricted-imports: .*pure: no I\/O/,
    ],
    [
      'a pure lib importing an I/O lib',
      'libs/domain/src/x.ts',
      "import { openDb } from '@cinemap/db';\nexport const f = openDb;",
      /enforce-module-boundaries/,
    ],
    [
      'an app importing another app',
      'apps/trainer/src/x.ts',
      "import { startGateway } from '@cinemap/gateway';\nexport const f = startGateway;",
      /enforce-module-boundaries/,
    ],
    [
      'a relative path into another project',
      'apps/gateway/src/x.ts',
      "import { TitleIndex } from '../../../libs/domain/src/title-index';\nexport const f = TitleIndex;",
      /enforce-module-boundaries/,
    ],
    [
      'a test door in production code',
      'apps/gateway/src/x.ts',
      "import { seedGatewayFixture } from '@cinemap/db/testing';\nexport const f = seedGatewayFixture;",
      /no-restricted-imports: .*tests only/,
    ],
    [
      'the explorer importing a lib',
      'apps/explorer/src/x.ts',
      "import { titleKey } from '@cinemap/domain';\nexport const f = titleKey;",
      /no-restricted-imports: .*public GraphQL API only/,
    ],
    [
      'a function past 60 lines',
      'apps/ingest/src/x.ts',
      `export function long(): number {\n${Array.from({ length: 61 }, (_, i) => `  const v${i} = ${i};`).join('\n')}\n  return v0;\n}`,
      /max-lines-per-function/,
    ],
  ])('catches %s', async (_what, file, code, rule) => {
    expect((await rulesFor(file, code)).join('\n')).toMatch(rule);
  });

  it("lets the composition root, bench and tests use the apps' doors, and tests use test doors", async () => {
    expect(
      await rulesFor('apps/cinemap/src/x.ts', "import { serveGateway } from '@cinemap/gateway';\nexport const f = serveGateway;"),
    ).toEqual([]);
    expect(await rulesFor('bench/src/x.ts', "import { runTraining } from '@cinemap/trainer';\nexport const f = runTraining;")).toEqual([]);
    expect(
      await rulesFor(
        'apps/gateway/src/x.spec.ts',
        "import { seedGatewayFixture } from '@cinemap/db/testing';\nexport const f = seedGatewayFixture;",
      ),
    ).toEqual([]);
  });
});
