// Opaque cursors for the paged lists: "v1:<run id>:<offset>" in base64url. A cursor is
// valid only for the run that issued it (a hot swap changes every list), and says so.
import type { ModelSnapshot } from '../model/snapshot';
import { badUserInput } from './errors';
import type { PageInfo } from './types/page.type';

export function encodeCursor(runId: number | null, offset: number): string {
  return Buffer.from(`v1:${runId ?? 0}:${offset}`).toString('base64url');
}

/** The offset a cursor names (0 without one); BAD_USER_INPUT for a malformed cursor or one from another run. */
export function decodeCursor(after: string | null | undefined, snap: ModelSnapshot | null, name = 'after'): number {
  if (after === null || after === undefined) return 0;
  const m = /^v1:(\d+):(\d+)$/.exec(Buffer.from(after, 'base64url').toString('utf8'));
  if (!m) throw badUserInput(`${name} is not a cursor this API issued; pass a pageInfo.endCursor as it came`, name);
  const runId = Number(m[1]);
  if (runId !== (snap?.runId ?? 0))
    throw badUserInput(
      `${name} belongs to model run ${runId}, but run ${snap?.runId ?? 'none'} answers now: start again without ${name}`,
      name,
    );
  return Number(m[2]);
}

/** pageInfo of a page of `got` items that started at `offset` in a list of `total`. */
export function pageInfo(snap: ModelSnapshot | null, offset: number, got: number, total: number): PageInfo {
  return { endCursor: got ? encodeCursor(snap?.runId ?? null, offset + got) : null, hasNextPage: offset + got < total };
}
