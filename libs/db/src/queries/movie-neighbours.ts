// Precomputed exact neighbour lists (movie_neighbours, migration 0700): bulk-loaded
// with COPY inside the trainer's write transaction, read back whole by the gateway when
// it loads a run, and sized for the bench. One basis per call, so another basis (the
// audience embedding, a blend) is one more call with its own name.
import { Queryable, csvChunks, forEachKeyPage } from '../db';

/** The bases the table accepts (its CHECK constraint): taste = the learned movie factors. */
export const NEIGHBOUR_BASES = ['taste', 'audience', 'blend'] as const;
export type NeighbourBasis = (typeof NEIGHBOUR_BASES)[number];

/** One film's list: neighbour movie ids best first and their cosine similarities. */
export interface MovieNeighboursRow {
  movieId: number;
  neighbourIds: ArrayLike<number>;
  similarities: ArrayLike<number>;
}

function checkBasis(basis: string): asserts basis is NeighbourBasis {
  if (!(NEIGHBOUR_BASES as readonly string[]).includes(basis))
    throw new RangeError(`movie neighbours: basis must be one of ${NEIGHBOUR_BASES.join(', ')}, got ${JSON.stringify(basis)}`);
}

function neighbourCsv(runId: number, basis: NeighbourBasis, rows: Iterable<MovieNeighboursRow>): Generator<string> {
  return csvChunks(rows, (r) => {
    if (r.neighbourIds.length !== r.similarities.length)
      throw new RangeError(
        `movie neighbours: film ${r.movieId} has ${r.neighbourIds.length} ids but ${r.similarities.length} similarities`,
      );
    let ids = '',
      sims = '';
    for (let i = 0; i < r.neighbourIds.length; i++) {
      const s = r.similarities[i];
      if (!Number.isFinite(s)) throw new RangeError(`movie neighbours: film ${r.movieId}, neighbour ${i}: similarity ${s} is not finite`);
      ids += (i ? ',' : '') + r.neighbourIds[i];
      sims += (i ? ',' : '') + Math.fround(s);
    }
    return `${runId},${basis},${r.movieId},"{${ids}}","{${sims}}"\n`;
  });
}

/** Bulk-loads one basis's lists of a run (COPY); returns the rows written. */
export async function copyMovieNeighbours(
  q: Queryable,
  runId: number,
  basis: NeighbourBasis,
  rows: Iterable<MovieNeighboursRow>,
): Promise<number> {
  checkBasis(basis);
  return q.copyFrom('movie_neighbours', ['run_id', 'basis', 'movie_id', 'neighbour_ids', 'similarities'], neighbourCsv(runId, basis, rows));
}

/**
 * Visits a run's lists for one basis in movie id order: `visit(movieId, ids, length)`
 * gets the neighbour movie ids in `ids[0 .. length)` — a buffer reused for the next
 * film, so copy what you keep. Read in pages of `pageSize` films, so memory stays flat
 * however large the catalogue (86k lists read whole as arrays cost ~130 MB of garbage).
 * The similarities stay in the table: the gateway recomputes them exactly in float64.
 * Visits nothing when the run has no lists (written before they existed).
 */
export async function forEachMovieNeighbours(
  q: Queryable,
  runId: number,
  basis: NeighbourBasis,
  visit: (movieId: number, ids: Int32Array, length: number) => void,
  pageSize = 5000,
): Promise<number> {
  checkBasis(basis);
  let buf: Int32Array = new Int32Array(128);
  return forEachKeyPage(
    pageSize,
    // Text, parsed here: several times faster than letting the drivers build int[] arrays.
    (after) =>
      q.query<{ movie_id: number; ids: string }>(
        `SELECT movie_id, array_to_string(neighbour_ids, ',') AS ids FROM movie_neighbours
         WHERE run_id = $1 AND basis = $2 AND movie_id > $3 ORDER BY movie_id LIMIT $4`,
        [runId, basis, after, pageSize],
      ),
    (r) => r.movie_id,
    (r) => {
      const text = r.ids;
      let len = 0,
        v = 0,
        neg = false,
        digits = false;
      for (let i = 0; i <= text.length; i++) {
        const c = i < text.length ? text.charCodeAt(i) : 44;
        if (c === 44) {
          if (!digits) break; // '' (no neighbours)
          if (len === buf.length) buf = growInt32(buf);
          buf[len++] = neg ? -v : v;
          v = 0;
          neg = false;
          digits = false;
        } else if (c === 45) neg = true;
        else {
          v = v * 10 + (c - 48);
          digits = true;
        }
      }
      visit(r.movie_id, buf, len);
    },
  );
}

function growInt32(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** A run's lists for one basis as (movie id, neighbour ids) pairs, in movie id order (tests, small runs). */
export async function loadMovieNeighbourIds(
  q: Queryable,
  runId: number,
  basis: NeighbourBasis,
): Promise<{ movieId: number; neighbourIds: number[] }[]> {
  const out: { movieId: number; neighbourIds: number[] }[] = [];
  await forEachMovieNeighbours(q, runId, basis, (movieId, ids, len) =>
    out.push({ movieId, neighbourIds: Array.from(ids.subarray(0, len)) }),
  );
  return out;
}

/** Bytes movie_neighbours holds on disk (table, TOAST and indexes), for the bench. */
export async function movieNeighboursBytes(q: Queryable): Promise<number> {
  const [r] = await q.query<{ bytes: number }>(`SELECT pg_total_relation_size('movie_neighbours')::float8 AS bytes`);
  return r.bytes;
}
