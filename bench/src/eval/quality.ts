// Neighbour quality of a movie-vector matrix (issue 13's harness), pure:
//  * franchise recall@k: per franchise with >= 2 members at or above the rating floor,
//    the query is the most-rated member (ties: lowest index); recall = found / possible
//    POOLED over franchises (the per-franchise mean is "macro"); candidates are every
//    film at or above the floor, the query excluded;
//  * genre Jaccard: mean over the `top` most-rated films of the mean Jaccard of their
//    genre set with each of their k nearest (candidates at or above the floor); two
//    empty genre sets have Jaccard 0.
// Rating counts are the film's ratings in the whole dump. Neighbours by exact cosine
// (topKByDot over unit rows: ties by the lower index).
import { normalizeRows, topKByDot } from '@cinemap/math';

export interface Vectors {
  rows: number;
  dim: number;
  data: Float32Array;
}

interface Candidates {
  normed: Float32Array;
  keep: number[];
  rowOf: Map<number, number>;
  dim: number;
}

function candidates(v: Vectors, counts: ArrayLike<number>, floor: number): Candidates {
  const keep: number[] = [];
  for (let i = 0; i < v.rows; i++) if (counts[i] >= floor) keep.push(i);
  const sub = new Float32Array(keep.length * v.dim);
  keep.forEach((i, r) => sub.set(v.data.subarray(i * v.dim, (i + 1) * v.dim), r * v.dim));
  const rowOf = new Map<number, number>();
  keep.forEach((i, r) => rowOf.set(i, r));
  return { normed: normalizeRows(sub, keep.length, v.dim, { inPlace: true }), keep, rowOf, dim: v.dim };
}

function nearest(c: Candidates, movie: number, k: number): number[] {
  const r = c.rowOf.get(movie)!;
  const q = c.normed.subarray(r * c.dim, (r + 1) * c.dim);
  return Array.from(topKByDot(c.normed, c.keep.length, c.dim, q, k, { exclude: new Set([r]) }).indices, (x) => c.keep[x]);
}

export function franchiseRecall(
  v: Vectors,
  counts: ArrayLike<number>,
  franchises: { members: number[] }[],
  floor: number,
  k = 10,
): { recall: number; macro: number; queries: number } {
  const c = candidates(v, counts, floor);
  let found = 0,
    possible = 0,
    macro = 0,
    queries = 0;
  for (const f of franchises) {
    const members = f.members.filter((i) => counts[i] >= floor);
    if (members.length < 2) continue;
    const q = members.reduce((a, b) => (counts[b] > counts[a] || (counts[b] === counts[a] && b < a) ? b : a));
    const top = new Set(nearest(c, q, k));
    const hits = members.filter((m) => m !== q && top.has(m)).length;
    found += hits;
    possible += members.length - 1;
    macro += hits / (members.length - 1);
    queries++;
  }
  return { recall: possible ? found / possible : NaN, macro: queries ? macro / queries : NaN, queries };
}

export function genreJaccard(
  v: Vectors,
  counts: ArrayLike<number>,
  genres: readonly ReadonlySet<string>[],
  floor: number,
  top = 200,
  k = 10,
): number {
  const c = candidates(v, counts, floor);
  const order = Array.from({ length: v.rows }, (_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b);
  const queries = order.slice(0, top).filter((q) => c.rowOf.has(q));
  let sum = 0;
  for (const q of queries) {
    const gq = genres[q];
    let s = 0;
    const near = nearest(c, q, k);
    for (const i of near) {
      const gi = genres[i];
      let inter = 0;
      for (const g of gq) if (gi.has(g)) inter++;
      const union = gq.size + gi.size - inter;
      s += union ? inter / union : 0;
    }
    sum += near.length ? s / near.length : 0;
  }
  return queries.length ? sum / queries.length : NaN;
}
