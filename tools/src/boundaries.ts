// Module boundaries, enforced (tools/src/boundaries.spec.ts runs this over the repo):
//  1. libs never import apps;
//  2. libs/domain and libs/math import nothing that does I/O (only each other, relative
//     files, and an allowlist of pure packages);
//  3. SQL lives only in libs/db (statements in non-test sources elsewhere are violations);
//  4. apps do not reach into each other's files (apps/cinemap composes them through their
//     public doors, @cinemap/<app>).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

export interface Violation {
  file: string;
  line: number;
  rule: string;
  text: string;
}

const PURE_LIBS = ['libs/domain', 'libs/math', 'libs/model'];
const PURE_ALLOWED_PACKAGES = new Set(['@cinemap/domain', '@cinemap/math', 'ml-pca', 'ml-matrix', 'wabt', 'onnx-proto']);
// Upper-case SQL statement openers, as they appear in code (prose rarely matches).
const SQL = /\b(SELECT\s+(?:[a-z_*(]|DISTINCT)|INSERT\s+INTO|UPDATE\s+[a-z_]+\s+SET|DELETE\s+FROM|CREATE\s+(?:TABLE|INDEX|UNIQUE|VIEW|FUNCTION|OR\s+REPLACE|EXTENSION|ROLE)|ALTER\s+(?:TABLE|ROLE)|DROP\s+(?:TABLE|INDEX|VIEW)|TRUNCATE\s+[a-z_]|COPY\s+[a-z_]+\s*\(|pg_notify\s*\(|LISTEN\s+[a-z_])/;
const IMPORT = /(?:^|[^.\w])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[^.\w])import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[^.\w])require\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/g;

function projectOf(rel: string): string | undefined {
  const m = /^(apps|libs)\/([^/]+)/.exec(rel);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/** Checks one file's text; `rel` is its path from the repository root. */
export function checkSource(rel: string, text: string): Violation[] {
  const out: Violation[] = [];
  const project = projectOf(rel);
  const isSpec = /\.spec\.ts$/.test(rel);
  const lines = text.split('\n');
  lines.forEach((lineText, i) => {
    for (const m of lineText.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
      if (!spec) continue;
      const target = spec.startsWith('.') ? relative('.', resolve(dirname(rel), spec)) : spec;
      const targetProject = spec.startsWith('.') ? projectOf(target) : undefined;
      if (rel.startsWith('libs/') && (targetProject?.startsWith('apps/') || /^(@cinemap\/)?apps\//.test(spec))) {
        out.push({ file: rel, line: i + 1, rule: 'libs never import apps', text: lineText.trim() });
      }
      if (project && PURE_LIBS.includes(project) && !isSpec) {
        const ok = spec.startsWith('.') ? targetProject === project : PURE_ALLOWED_PACKAGES.has(spec);
        if (!ok) out.push({ file: rel, line: i + 1, rule: `${project} is pure: it may not import ${spec}`, text: lineText.trim() });
      }
      if (project?.startsWith('apps/') && targetProject?.startsWith('apps/') && targetProject !== project) {
        out.push({ file: rel, line: i + 1, rule: `apps do not import other apps (${targetProject})`, text: lineText.trim() });
      }
    }
    if (project !== 'libs/db' && !isSpec && SQL.test(lineText) && !/^\s*(\/\/|\*|\/\*)/.test(lineText)) {
      out.push({ file: rel, line: i + 1, rule: 'SQL lives only in libs/db', text: lineText.trim() });
    }
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
