// Cached synthetic dumps for the benchmarks: `ensureSyntheticDump(workDir,
// scale, seed)` returns a folder holding a complete MovieLens-format dump,
// generating it only when it is missing (or was left half-written, or was
// made with another scale/seed, or by another GENERATOR_VERSION). Generation is
// deterministic per version, so a cached dump is exactly what a fresh run would write.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GENERATOR_VERSION,
  generateSyntheticDump,
  isCompleteDump,
  scaleSpec,
  TRUTH_FILE,
  type GenerateProgress,
  type SyntheticScale,
  type SyntheticTruthFile,
} from '@cinemap/synthetic';

export interface EnsureDumpOptions {
  /** Also write the zip (e.g. for a zip-reading benchmark). */
  zip?: boolean;
  onProgress?: (p: GenerateProgress) => void;
}

/**
 * The folder a dump of this scale and seed lives in under `workDir`; the generator
 * version is part of the name, so a newer generator never reads an older dump (and
 * the older one stays for whoever still runs the older code).
 */
export function syntheticDumpDir(workDir: string, scale: SyntheticScale, seed: number): string {
  return join(workDir, `synthetic-${scale}-seed${seed}-v${GENERATOR_VERSION}`);
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
  workDir: string,
  scale: SyntheticScale,
  seed: number,
  opts: EnsureDumpOptions = {},
): Promise<string> {
  const dir = syntheticDumpDir(workDir, scale, seed);
  const truth = cachedTruth(dir);
  const zipOk = !opts.zip || existsSync(syntheticZipPath(workDir, scale, seed));
  // The version is checked inside too: a folder copied or renamed by hand is not trusted by its name.
  if (truth && truth.scale === scale && truth.seed === seed && truth.generatorVersion === GENERATOR_VERSION && zipOk) return dir;
  await generateSyntheticDump({ out: dir, scale, seed, zip: opts.zip, onProgress: opts.onProgress });
  return dir;
}
