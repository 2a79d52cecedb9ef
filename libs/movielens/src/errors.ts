// Errors a user can act on, and the --on-invalid policy for bad rows: `fail` stops at
// the first bad row naming file:line, the offending text and what to do; `skip`
// skips it and counts it per reason so the ingest can report what it dropped.

export class IngestError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(hint ? `${message}\n  ${hint}` : message);
    this.name = 'IngestError';
  }
}

export type OnInvalid = 'skip' | 'fail';

/** Why a row was rejected; the keys of the per-reason counts. */
export type InvalidReason =
  | 'column-count'
  | 'unterminated-quote'
  | 'invalid-utf8'
  | 'bad-user-id'
  | 'bad-movie-id'
  | 'bad-rating'
  | 'bad-timestamp'
  | 'bad-imdb-id'
  | 'bad-tmdb-id'
  | 'empty-title'
  | 'title-too-long'
  | 'title-characters'
  | 'duplicate-movie-id'
  | 'unknown-movie'
  | 'nul-byte'
  | 'row-too-long'
  | 'too-many-genres'
  | 'tag-too-long'
  | 'bad-genre-flag'
  | 'bad-release-date';

export interface InvalidExample {
  file: string;
  line: number;
  message: string;
  text: string;
}

const SKIP_HINT = 'Fix the file, or rerun with --on-invalid skip to skip invalid rows (they are counted per reason).';

/** Shortens a row for messages: enough to recognise it, never a megabyte. */
export function excerpt(text: string, max = 120): string {
  const t = text.replace(/\r?\n$/, '');
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

/** A value from the file, quoted for a message and cut short (a 10 MB field must not become a 10 MB message). */
export function quoteValue(value: string, max = 60): string {
  return JSON.stringify(excerpt(value, max));
}

/** Collects (skip) or throws (fail) invalid rows. One per ingest, shared by every file. */
export class InvalidRows {
  readonly counts: Partial<Record<InvalidReason, number>> = {};
  readonly examples: Partial<Record<InvalidReason, InvalidExample>> = {};
  constructor(readonly policy: OnInvalid = 'fail') {}

  /** Records an invalid row; throws an IngestError when the policy is `fail`. */
  report(reason: InvalidReason, file: string, line: number, message: string, text: string): void {
    const ex = excerpt(text);
    if (this.policy === 'fail') {
      throw new IngestError(`${file}:${line}: ${message}\n  row: ${JSON.stringify(ex)}`, SKIP_HINT);
    }
    this.counts[reason] = (this.counts[reason] ?? 0) + 1;
    if (!this.examples[reason]) this.examples[reason] = { file, line, message, text: ex };
  }

  get total(): number {
    let n = 0;
    for (const v of Object.values(this.counts)) n += v ?? 0;
    return n;
  }
}
