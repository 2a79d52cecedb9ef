// Quality of the movie embeddings against planted truth: for each member of a
// franchise (movies generated from one latent vector), how many of the other
// members are among its k nearest movies by cosine. 1.0 = every sibling found.
import { normalizeRows, topKByDot } from '@cinemap/math';
import type { ModelWeights } from '@cinemap/model';

export function franchiseRecallAtK(p: ModelWeights, movieIds: ArrayLike<number>, franchises: number[][], k = 10): number {
  const index = new Map<number, number>();
  for (let i = 0; i < movieIds.length; i++) index.set(movieIds[i], i);
  const normed = normalizeRows(p.movieFactors, p.nMovies, p.factors, { inPlace: false });
  let found = 0,
    possible = 0;
  for (const f of franchises) {
    const members = f.map((id) => index.get(id)).filter((i): i is number => i !== undefined);
    for (const m of members) {
      const exclude = new Set([m]);
      const top = topKByDot(normed, p.nMovies, p.factors, normed.subarray(m * p.factors, (m + 1) * p.factors), k, { exclude });
      const got = new Set(top.indices);
      for (const o of members)
        if (o !== m) {
          possible++;
          if (got.has(o)) found++;
        }
    }
  }
  return possible ? found / possible : NaN;
}
