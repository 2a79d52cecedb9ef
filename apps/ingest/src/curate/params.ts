// The curation thresholds (docs/architecture.md, "The contract": curation): the type, defaults and rules come
// from @cinemap/domain; here they become CLI values and IngestErrors naming the flag.
import { CurationParams, DEFAULT_CURATION, validateCurationParams } from '@cinemap/domain';
import { IngestError } from '@cinemap/movielens';

export type { CurationParams };
export { DEFAULT_CURATION };

/** The share step 4 keeps: 1 when sampling is off (null). */
export function sampleShare(p: CurationParams): number {
  return p.sampleFraction ?? 1;
}

/**
 * Throws an IngestError naming the flag(s) when a threshold is out of range; returns `p`.
 * (check… throws, the domain's validate… lists the problems.)
 */
export function checkCurationParams(p: CurationParams): CurationParams {
  const errs = validateCurationParams(p);
  if (errs.length) throw new IngestError(errs.join('\n'));
  return p;
}

/** Parses a --sample-fraction value: a number, or none/off for no sampling (null). */
export function parseSampleFraction(s: string): number | null {
  if (/^(none|off|no)$/i.test(s.trim())) return null;
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v))
    throw new IngestError(`--sample-fraction ${s}: not a number; give e.g. 0.1, or none for no sampling`);
  return v;
}
