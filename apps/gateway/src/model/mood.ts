// The query vector of a "mood" with things to avoid ("like these, not that"), as
// Qdrant's recommend API does it (average_vector strategy): 2·mean(liked) − mean(avoided)
// over unit-length embeddings, made unit length; without anything to avoid, the mean of
// the liked ones (similarToMany's rule since its first version).
import type { ModelSnapshot } from './snapshot';

export function moodVector(snap: ModelSnapshot, liked: readonly number[], avoided: readonly number[]): Float64Array {
  const pos = snap.meanVector(liked);
  if (!avoided.length) return pos;
  const neg = snap.meanVector(avoided);
  const q = pos.map((v, j) => 2 * v - neg[j]);
  const n = Math.sqrt(q.reduce((s, v) => s + v * v, 0));
  return n > 0 ? q.map((v) => v / n) : q;
}

/** Drops neighbours below `minSimilarity` (null: keeps all); the list is sorted best first, so this cuts its tail. */
export function atLeast<T extends { similarity: number }>(list: T[], minSimilarity: number | null): T[] {
  if (minSimilarity === null) return list;
  const end = list.findIndex((s) => s.similarity < minSimilarity);
  return end < 0 ? list : list.slice(0, end);
}
