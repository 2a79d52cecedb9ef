// Cached synthetic dumps for the benchmarks: `ensureSyntheticDump(workDir,
// scale, seed)` returns a folder holding a complete MovieLens-format dump,
// generating it only when it is missing (or was left half-written, or was
// made with another scale/seed). Generation is deterministic, so a cached
// dump is exactly what a fresh run would write.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  generateSyntheticDump, isCompleteDump, scaleSpec, TRUTH_FILE, type GenerateProgress, type SyntheticScale, type SyntheticTruthFile,
} from '../../apps/ingest/src/synthetic';

export interface EnsureDumpOptions {
  /** Also write the zip (e.g. for a zip-reading benchmark). */
  zip?: boolean;
  onProgress?: (p: GenerateProgress) => void;
}

/** The folder a dump of this scale and seed lives in under `workDir`. */
export function syntheticDumpDir(workDir: string, scale: SyntheticScale, seed: number): string {
  return join(workDir, `synthetic-${scale}-seed${seed}`);
}

/** Where `--zip` puts the archive for this dump (`ml-latest.zip` etc.). */
export function syntheticZipPath(workDir: string, scale: SyntheticScale, seed: number): string {
  return join(syntheticDumpDir(workDir, scale, seed), `${scaleSpec(scale).zipFolder}.zip`);
}

function cachedTruth(dir: string): SyntheticTruthFile | undefined {
  if (!isCompleteDump(dir)) return undefined;
  try {
    return JSON.parse(readFileSync(join(dir, TRUTH_FILE), 'utf8')) as SyntheticTruthFile;
  } catch {
    return undefined;
  }
}

/** Returns the dump's folder, generating it first when it is not already there. */
export async function ensureSyntheticDump(
  workDir: string, scale: SyntheticScale, seed: number, opts: EnsureDumpOptions = {},
): Promise<string> {
  const dir = syntheticDumpDir(workDir, scale, seed);
  const truth = cachedTruth(dir);
  const zipOk = !opts.zip || existsSync(syntheticZipPath(workDir, scale, seed));
  if (truth && truth.scale === scale && truth.seed === seed && zipOk) return dir;
  await generateSyntheticDump({ out: dir, scale, seed, zip: opts.zip, onProgress: opts.onProgress });
  return dir;
}
