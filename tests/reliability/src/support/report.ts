// Observed outcomes of table-driven suites, written to reports/reliability/<name>.json
// so docs/RELIABILITY.md's "observed" column can be checked against a real run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './harness';

export function writeReport(name: string, rows: unknown): void {
  const dir = join(ROOT, 'reports/reliability');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(rows, null, 2) + '\n');
}
