// ensureSyntheticDump: generates once, then reuses the folder; regenerates a half-written
// one and one written by another generator version.
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GENERATOR_VERSION } from '@cinemap/synthetic';
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
    await ensureSyntheticDump(work, 'tiny', 5, {
      onProgress: () => {
        calls++;
      },
    });
    expect(calls).toBe(0); // cached: nothing generated
    expect(statSync(ratings).mtimeMs).toBe(first);

    unlinkSync(join(dir, 'truth.json')); // as if killed before the end
    await ensureSyntheticDump(work, 'tiny', 5, {
      onProgress: () => {
        calls++;
      },
    });
    expect(calls).toBeGreaterThan(0);
    expect(statSync(join(dir, 'truth.json')).isFile()).toBe(true);

    calls = 0;
    await ensureSyntheticDump(work, 'tiny', 5, {
      zip: true,
      onProgress: () => {
        calls++;
      },
    });
    expect(calls).toBeGreaterThan(0); // the zip was missing
    expect(statSync(syntheticZipPath(work, 'tiny', 5)).size).toBeGreaterThan(1000);
    expect(syntheticDumpDir(work, 'tiny', 6)).not.toBe(dir);
  });

  it('keys the cache by generator version: an older dump is never reused', async () => {
    expect(syntheticDumpDir(work, 'tiny', 5)).toMatch(new RegExp(`synthetic-tiny-seed5-v${GENERATOR_VERSION}$`));
    const dir = await ensureSyntheticDump(work, 'tiny', 8);
    // A dump an older generator left under the current name (copied by hand, say): its truth.json says so.
    const truthPath = join(dir, 'truth.json');
    const truth = JSON.parse(readFileSync(truthPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(truthPath, JSON.stringify({ ...truth, generatorVersion: GENERATOR_VERSION - 1 }));
    let calls = 0;
    await ensureSyntheticDump(work, 'tiny', 8, {
      onProgress: () => {
        calls++;
      },
    });
    expect(calls).toBeGreaterThan(0);
    expect((JSON.parse(readFileSync(truthPath, 'utf8')) as { generatorVersion: number }).generatorVersion).toBe(GENERATOR_VERSION);
    // Planted mistake: without the version in truth.json (a version-1 dump has none), it is regenerated too.
    delete truth.generatorVersion;
    writeFileSync(truthPath, JSON.stringify(truth));
    calls = 0;
    await ensureSyntheticDump(work, 'tiny', 8, {
      onProgress: () => {
        calls++;
      },
    });
    expect(calls).toBeGreaterThan(0);
  });
});
