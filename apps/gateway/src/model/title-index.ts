// The in-memory twin of SQL resolve_title(): the catalogue's title keys (stored by
// ingest with movieKeys()) → movie ids in resolve_title()'s order (most-rated, then
// lowest id), so a request resolves a title with one Map lookup instead of a SQL round
// trip (on embedded PGlite that round trip cost more than the 86k-film exact scan).
// parseTitleQuery() is the domain twin of cinemap_parse_title_query() (generated from
// the same fold data); title-index.spec.ts checks the two resolutions agree.
import { parseTitleQuery } from '@cinemap/domain';
import type { TitleKeyRow } from '@cinemap/db';

export class TitleIndex {
  /** key → [movieId, year] pairs in preference order (flat: id0, year0, id1, year1, …). */
  private readonly byKey = new Map<string, number[]>();
  /** The longest catalogue title (characters): typed titles this long are accepted, so any title returned can be typed back. */
  readonly longestTitle: number = 0;

  /** `rows` in resolve_title()'s preference order (loadTitleKeys()). */
  constructor(rows: readonly TitleKeyRow[]) {
    for (const r of rows) {
      if (r.titleLength > this.longestTitle) this.longestTitle = r.titleLength;
      for (const key of r.titleKeys) {
        if (!key) continue;
        let list = this.byKey.get(key);
        if (!list) this.byKey.set(key, (list = []));
        // A movie listing one key twice must not appear twice.
        if (list[list.length - 2] !== r.movieId) list.push(r.movieId, r.year ?? NO_YEAR);
      }
    }
  }

  /** The movie id `title` means, or null: exactly what SQL resolve_title(title) answers. */
  resolve(title: string): number | null {
    const { key, year } = parseTitleQuery(title);
    if (key === '') return null;
    const list = this.byKey.get(key);
    if (!list) return null;
    if (year === null) return list[0];
    for (let i = 0; i < list.length; i += 2) if (list[i + 1] === year) return list[i];
    return null;
  }
}

const NO_YEAR = -0x7fffffff;
