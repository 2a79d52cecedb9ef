// Small checks shared by the validators of CurationParams, ModelParams and
// MovieFilter; each returns an error message naming `name`, or null.

export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'nothing';
  return String(v);
}

export function checkNumber(name: string, v: unknown, min: number, max: number, what = `a number from ${min} to ${max}`): string | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? null : `${name} must be ${what} (got ${describeValue(v)})`;
}

export function checkInteger(name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER, what?: string): string | null {
  const ok = typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
  return ok ? null : `${name} must be ${what ?? `a whole number ${range}`} (got ${describeValue(v)})`;
}
