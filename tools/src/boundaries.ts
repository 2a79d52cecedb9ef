// The one module boundary the Nx rule cannot express (tools/src/boundaries.spec.ts runs
// this over the repo): SQL lives only in libs/db. Statements in non-test sources anywhere
// else are violations. The other boundaries (libs never import apps, pure libs import
// nothing with I/O, apps import only libs, no reaching into another project's files) are
// @nx/enforce-module-boundaries over the project tags: eslint.config.mjs.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface Violation {
  file: string;
  line: number;
  rule: string;
  text: string;
}

// Upper-case SQL statement openers, as they appear in code (prose rarely matches).
const SQL =
  /\b(SELECT\s+(?:[a-z_*(]|DISTINCT)|INSERT\s+INTO|UPDATE\s+[a-z_]+\s+SET|DELETE\s+FROM|CREATE\s+(?:TABLE|INDEX|UNIQUE|VIEW|FUNCTION|OR\s+REPLACE|EXTENSION|ROLE)|ALTER\s+(?:TABLE|ROLE)|DROP\s+(?:TABLE|INDEX|VIEW)|TRUNCATE\s+[a-z_]|COPY\s+[a-z_]+\s*\(|pg_notify\s*\(|LISTEN\s+[a-z_])/;

/** Checks one file's text; `rel` is its path from the repository root. */
export function checkSource(rel: string, text: string): Violation[] {
  if (rel.startsWith('libs/db/') || /\.spec\.ts$/.test(rel)) return [];
  const out: Violation[] = [];
  text.split('\n').forEach((lineText, i) => {
    if (SQL.test(lineText) && !/^\s*(\/\/|\*|\/\*)/.test(lineText))
      out.push({ file: rel, line: i + 1, rule: 'SQL lives only in libs/db', text: lineText.trim() });
  });
  return out;
}

function* walk(dir: string): Generator<string> {
  for (const e of readdirSync(dir)) {
    if (e === 'node_modules' || e === 'dist' || e.startsWith('.')) continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (/\.(ts|tsx|mts|cts|js|mjs)$/.test(e)) yield p;
  }
}

/** Checks every source file under apps/, libs/ and bench/ of the repository at `root`. */
export function checkRepository(root: string): Violation[] {
  const out: Violation[] = [];
  for (const top of ['apps', 'libs', 'bench']) {
    let files: string[] = [];
    try {
      files = [...walk(join(root, top))];
    } catch {
      continue;
    }
    for (const f of files) out.push(...checkSource(relative(root, f), readFileSync(f, 'utf8')));
  }
  return out;
}
