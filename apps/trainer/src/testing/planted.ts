// Test and bench support: a planted low-rank rating matrix. Users and movies get
// latent vectors; movies in one "franchise" share theirs (plus a little noise), so a
// good model's movie embeddings must put franchise members next to each other.
// Ratings = clip(round_half(mean + biases + u·m + noise)). Pure and seeded.
import { Rng } from '@cinemap/math';
import type { RawRatings } from '../data/training-data';

export interface PlantedOptions {
  users: number;
  movies: number;
  ratingsPerUser: number;
  rank?: number;
  franchises?: number;
  franchiseSize?: number;
  noise?: number;
  seed?: number;
}

export interface Planted extends RawRatings {
  /** MovieLens-style ids of franchise members (ids are index + 1). */
  franchises: number[][];
}

export function plantedRatings(o: PlantedOptions): Planted {
  const rng = new Rng(o.seed ?? 7);
  const rank = o.rank ?? 8,
    noise = o.noise ?? 0.3;
  const nf = o.franchises ?? 20,
    fs = o.franchiseSize ?? 4;
  const mv = new Float64Array(o.movies * rank),
    uv = new Float64Array(o.users * rank);
  const mb = new Float64Array(o.movies),
    ub = new Float64Array(o.users);
  for (let i = 0; i < mv.length; i++) mv[i] = rng.normal(0, 0.6);
  for (let i = 0; i < uv.length; i++) uv[i] = rng.normal(0, 0.6);
  for (let i = 0; i < o.movies; i++) mb[i] = rng.normal(0, 0.4);
  for (let i = 0; i < o.users; i++) ub[i] = rng.normal(0, 0.3);
  const franchises: number[][] = [];
  const perm = rng.permutation(o.movies);
  for (let f = 0; f < nf && (f + 1) * fs <= o.movies; f++) {
    const members = Array.from(perm.subarray(f * fs, (f + 1) * fs));
    for (const m of members.slice(1)) for (let j = 0; j < rank; j++) mv[m * rank + j] = mv[members[0] * rank + j] + rng.normal(0, 0.05);
    franchises.push(members.map((m) => m + 1));
  }
  // Popularity skew: movies drawn with weight ∝ 1/(rank+10), as real catalogues are.
  const w = new Float64Array(o.movies);
  let tot = 0;
  for (let i = 0; i < o.movies; i++) tot += w[i] = 1 / (rng.int(o.movies) + 10);
  const cdf = new Float64Array(o.movies);
  for (let i = 0, c = 0; i < o.movies; i++) cdf[i] = c += w[i] / tot;
  const n = o.users * o.ratingsPerUser;
  const out: Planted = { userIds: new Int32Array(n), movieIds: new Int32Array(n), ratings: new Float32Array(n), franchises };
  let p = 0;
  const seen = new Uint8Array(o.movies);
  for (let u = 0; u < o.users; u++) {
    const picked: number[] = [];
    for (let t = 0; picked.length < Math.min(o.ratingsPerUser, o.movies) && t < o.ratingsPerUser * 20; t++) {
      const x = rng.next();
      let lo = 0,
        hi = o.movies - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cdf[mid] < x) lo = mid + 1;
        else hi = mid;
      }
      if (!seen[lo]) {
        seen[lo] = 1;
        picked.push(lo);
      }
    }
    for (const m of picked) {
      seen[m] = 0;
      let s = 3.5 + ub[u] + mb[m] + rng.normal(0, noise);
      for (let j = 0; j < rank; j++) s += uv[u * rank + j] * mv[m * rank + j];
      out.userIds[p] = u + 1;
      out.movieIds[p] = m + 1;
      out.ratings[p] = Math.min(5, Math.max(0.5, Math.round(s * 2) / 2));
      p++;
    }
  }
  return { userIds: out.userIds.subarray(0, p), movieIds: out.movieIds.subarray(0, p), ratings: out.ratings.subarray(0, p), franchises };
}
