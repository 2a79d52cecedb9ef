// Precomputed exact neighbour lists (movie_neighbours, migration 0700): bulk-loaded
// with COPY inside the trainer's write transaction, read back whole by the gateway when
// it loads a run, and sized for the bench. One basis per call, so another basis (the
// audience embedding, a blend) is one more call with its own name.
import { Queryable } from '../db';

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

function* neighbourCsv(runId: number, basis: NeighbourBasis, rows: Iterable<MovieNeighboursRow>): Generator<string> {
  let buf = '';
  for (const r of rows) {
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
    buf += `${runId},${basis},${r.movieId},"{${ids}}","{${sims}}"\n`;
    if (buf.length > 1 << 20) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
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
 * A run's lists for one basis as (movie id, neighbour ids) pairs, in movie id order; the
 * similarities stay in the table (the gateway recomputes them exactly in float64).
 * Empty when the run has none (written before lists existed).
 */
export async function loadMovieNeighbourIds(
  q: Queryable,
  runId: number,
  basis: NeighbourBasis,
): Promise<{ movieId: number; neighbourIds: number[] }[]> {
  checkBasis(basis);
  // Text, split here: about 3x faster than letting the drivers parse 86k int[] values.
  const rows = await q.query<{ movie_id: number; ids: string }>(
    `SELECT movie_id, array_to_string(neighbour_ids, ',') AS ids FROM movie_neighbours
     WHERE run_id = $1 AND basis = $2 ORDER BY movie_id`,
    [runId, basis],
  );
  return rows.map((r) => ({ movieId: r.movie_id, neighbourIds: r.ids === '' ? [] : r.ids.split(',').map(Number) }));
}

/** Bytes movie_neighbours holds on disk (table, TOAST and indexes), for the bench. */
export async function movieNeighboursBytes(q: Queryable): Promise<number> {
  const [r] = await q.query<{ bytes: number }>(`SELECT pg_total_relation_size('movie_neighbours')::float8 AS bytes`);
  return r.bytes;
}
