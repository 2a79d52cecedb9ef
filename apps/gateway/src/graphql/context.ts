// What every resolver receives: the snapshot taken when the request started (so a
// hot swap mid-request cannot mix runs), the database, a batching movie loader.
import DataLoader from 'dataloader';
import type { Logger } from 'pino';
import { getMoviesByIds, type Db } from '@cinemap/db';
import type { ModelStore } from '../model/model-store';
import type { ModelSnapshot } from '../model/snapshot';
import { toMovieView, type MovieView } from './types/movie.type';
import { REQUEST_IDENTITY, type PlannedDocument } from './execution-plan';

export interface GatewayContext {
  requestId: string;
  db: Db;
  store: ModelStore;
  snapshot: ModelSnapshot | null;
  log: Logger;
  /** Movies by id in one query per request tick (no N+1), with the snapshot's bias. */
  movies: DataLoader<number, MovieView | null>;
  /**
   * Set by the observe plugin (to the operation label) when the whole response may
   * be replayed for this snapshot, and by the executor when a compiled plan answered (what
   * a direct answer needs: http/direct-answers.ts); a holder object because Apollo
   * shallow-clones the context.
   */
  replay: { operation?: string; planned?: PlannedDocument };
  /**
   * "Did you mean" lookups left for this request: each is a trigram scan of the whole
   * catalogue in SQL, so a document of many unknown titles must not cost one each.
   */
  suggestionLookups: { left: number };
  /** The request, for the compiled plans' per-request state (kept by every copy of the context). */
  [REQUEST_IDENTITY]: object;
}

/** Unknown titles per request that get SQL suggestions; later ones get a pointer to searchMovies. */
export const SUGGESTION_LOOKUPS_PER_REQUEST = 3;

export function createContext(db: Db, store: ModelStore, log: Logger, requestId: string): GatewayContext {
  const snapshot = store.current;
  const movies = new DataLoader<number, MovieView | null>(async (ids) => {
    const fromSnapshot = ids.map((id) => snapshot?.movie(id) ?? null);
    const missing = ids.filter((_, i) => fromSnapshot[i] === null);
    if (!missing.length) return fromSnapshot;
    const rows = await getMoviesByIds(db, missing, snapshot?.runId ?? null);
    const byId = new Map(rows.map((r) => [r.movieId, toMovieView(r)]));
    return ids.map((id, i) => fromSnapshot[i] ?? byId.get(id) ?? null);
  });
  return {
    requestId,
    db,
    store,
    snapshot,
    log,
    movies,
    replay: {},
    suggestionLookups: { left: SUGGESTION_LOOKUPS_PER_REQUEST },
    [REQUEST_IDENTITY]: {},
  };
}
