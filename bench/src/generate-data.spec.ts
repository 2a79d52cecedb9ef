// ensureSyntheticDump: generates once, then reuses the folder; regenerates a half-written one.
import { mkdtempSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSyntheticDump, syntheticDumpDir, syntheticZipPath } from './generate-data';

const work = mkdtempSync(join(tmpdir(), 'cinemap-bench-data-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('ensureSyntheticDump', () => {
  it('generates a missing dump, reuses it, and regenerates an incomplete one', async () => {
    const dir = await ensureSyntheticDump(work, 'tiny', 5);
    expect(dir).toBe(syntheticDumpDir(work, 'tiny', 5));
    const ratings = join(dir, 'ratings.csv');
    const first = statSync(ratings).mtimeMs;
    let calls = 0;
    await ensureSyntheticDump(work, 'tiny', 5, { onProgress: () => { calls++; } });
    expect(calls).toBe(0); // cached: nothing generated
    expect(statSync(ratings).mtimeMs).toBe(first);

    unlinkSync(join(dir, 'truth.json')); // as if killed before the end
    await ensureSyntheticDump(work, 'tiny', 5, { onProgress: () => { calls++; } });
    expect(calls).toBeGreaterThan(0);
    expect(statSync(join(dir, 'truth.json')).isFile()).toBe(true);

    calls = 0;
    await ensureSyntheticDump(work, 'tiny', 5, { zip: true, onProgress: () => { calls++; } });
    expect(calls).toBeGreaterThan(0); // the zip was missing
    expect(statSync(syntheticZipPath(work, 'tiny', 5)).size).toBeGreaterThan(1000);
    expect(syntheticDumpDir(work, 'tiny', 6)).not.toBe(dir);
  });
});
