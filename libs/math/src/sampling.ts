// Stratified down-sampling for ingest curation step 4: keep `fraction` of each
// movie's ratings so that every score keeps its share within the movie.
//
// Rounding rule (Hamilton / largest-remainder apportionment, per movie):
//   * a movie with n rows keeps exactly round(fraction * n) rows (halves up);
//   * each (movie, score) cell with c rows keeps floor(fraction * c) or
//     floor(fraction * c) + 1 rows — never more than one row off its exact
//     share; the +1s go to the cells with the largest remainders
//     fraction*c - floor(fraction*c), ties to the larger cell, then to the
//     lower stratum value.
// Per-cell rounding alone (round(fraction*c) in every cell) would drift the
// movie total by up to half a row per score (±5 rows over 10 half-star
// scores); largest remainder keeps both the total and every cell honest.
//
// Which rows: a seeded partial Fisher–Yates draw inside each cell, cells
// visited by ascending group id then stratum, so the same input and seed give
// the same mask on every run. Work is O(rows + groups*strata): one counting
// sort by cell, typed arrays only, nothing allocated per row.

import { Rng } from './rng';

/** Floating products like 0.1*30 = 3.0000000000000004 are snapped to the integer they mean. */
function snap(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - r) < 1e-9 * Math.max(1, Math.abs(x)) ? r : x;
}

/**
 * Maps arbitrary int32 group ids to dense 0..G-1 in ascending id order.
 * A direct lookup table when the id range is modest (movie ids are), else
 * sort + binary search.
 */
function denseGroups(groupIds: ArrayLike<number>): { dense: Int32Array; count: number } {
  const n = groupIds.length;
  const dense = new Int32Array(n);
  if (n === 0) return { dense, count: 0 };
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const g = groupIds[i];
    if (!Number.isInteger(g)) throw new RangeError(`stratifiedSample: groupIds[${i}] = ${g} is not an integer`);
    if (g < lo) lo = g;
    if (g > hi) hi = g;
  }
  const range = hi - lo + 1;
  if (range <= Math.max(4 * n, 1 << 20)) {
    const table = new Int32Array(range).fill(-1);
    for (let i = 0; i < n; i++) table[groupIds[i] - lo] = 0;
    let count = 0;
    for (let v = 0; v < range; v++) if (table[v] === 0) table[v] = count++;
    for (let i = 0; i < n; i++) dense[i] = table[groupIds[i] - lo];
    return { dense, count };
  }
  const sorted = Float64Array.from(groupIds).sort();
  let count = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[count++] = sorted[i];
  for (let i = 0; i < n; i++) {
    const g = groupIds[i];
    let a = 0,
      b = count - 1;
    while (a < b) {
      const m = (a + b) >> 1;
      if (sorted[m] < g) a = m + 1;
      else b = m;
    }
    dense[i] = a;
  }
  return { dense, count };
}

/**
 * Chooses rows to keep: `fraction` of every group (movie), stratified by
 * `strata` (the score, e.g. half-stars 1..10), reproducibly from `seed`.
 *
 * @param groupIds one group id per row (any int32, e.g. movieId)
 * @param strata one small integer per row (range max-min < 4096, e.g. rating*2)
 * @param fraction share to keep, 0..1
 * @param seed RNG seed (the ingest's `--seed`)
 * @returns keep mask, 1 = keep, aligned with the rows
 */
// eslint-disable-next-line max-lines-per-function -- hot loop over millions of ratings: per-cell counts and picks in one pass, state in locals
export function stratifiedSample(
  groupIds: Int32Array | ArrayLike<number>,
  strata: Uint8Array | Int32Array | ArrayLike<number>,
  fraction: number,
  seed: number,
): Uint8Array {
  const n = groupIds.length;
  if (strata.length !== n) {
    throw new RangeError(`stratifiedSample: groupIds has ${n} rows but strata has ${strata.length}; pass one stratum per row`);
  }
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new RangeError(`stratifiedSample: fraction must be between 0 and 1 (e.g. --sample-fraction 0.1), got ${String(fraction)}`);
  }
  const keep = new Uint8Array(n);
  if (n === 0 || fraction === 0) return keep;
  if (fraction === 1) return keep.fill(1);

  let smin = Infinity,
    smax = -Infinity;
  for (let i = 0; i < n; i++) {
    const s = strata[i];
    if (!Number.isInteger(s)) {
      throw new RangeError(`stratifiedSample: strata[${i}] = ${s} is not an integer; encode scores as integers (rating*2 for half-stars)`);
    }
    if (s < smin) smin = s;
    if (s > smax) smax = s;
  }
  const S = smax - smin + 1;
  if (S > 4096) {
    throw new RangeError(
      `stratifiedSample: strata span ${smin}..${smax} (${S} values); strata must be a few small integers such as half-star scores 1..10`,
    );
  }
  const { dense, count: G } = denseGroups(groupIds);
  const cells = G * S;
  if (cells > 1 << 28) throw new RangeError(`stratifiedSample: ${G} groups x ${S} strata is too many cells`);

  // Counting sort of row indices by cell = group*S + stratum.
  const cellOf = new Int32Array(n);
  const start = new Int32Array(cells + 1);
  for (let i = 0; i < n; i++) {
    const c = dense[i] * S + (strata[i] - smin);
    cellOf[i] = c;
    start[c + 1]++;
  }
  for (let c = 0; c < cells; c++) start[c + 1] += start[c];
  const cursor = start.slice(0, cells);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[cursor[cellOf[i]]++] = i;

  const rng = new Rng(seed);
  const quota = new Int32Array(S);
  const rem = new Float64Array(S);
  for (let g = 0; g < G; g++) {
    const base = g * S;
    const rowsInGroup = start[base + S] - start[base];
    const target = Math.floor(snap(fraction * rowsInGroup) + 0.5);
    let assigned = 0;
    for (let s = 0; s < S; s++) {
      const exact = snap(fraction * (start[base + s + 1] - start[base + s]));
      quota[s] = Math.floor(exact);
      rem[s] = exact - quota[s];
      assigned += quota[s];
    }
    // Hand the leftover rows to the largest remainders (see the file header).
    for (let extra = target - assigned; extra > 0; extra--) {
      let best = -1;
      for (let s = 0; s < S; s++) {
        const c = start[base + s + 1] - start[base + s];
        if (quota[s] >= c) continue;
        if (best < 0 || rem[s] > rem[best] || (rem[s] === rem[best] && c > start[base + best + 1] - start[base + best])) best = s;
      }
      if (best < 0) break; // cannot happen: the group has target <= rows
      quota[best]++;
      rem[best] = -1; // one extra row per cell at most
    }
    for (let s = 0; s < S; s++) {
      const from = start[base + s],
        c = start[base + s + 1] - from,
        q = quota[s];
      // partial Fisher–Yates: the first q slots become a uniform random q-subset
      for (let j = 0; j < q; j++) {
        const k = from + j + rng.int(c - j);
        const row = order[k];
        order[k] = order[from + j];
        order[from + j] = row;
        keep[row] = 1;
      }
    }
  }
  return keep;
}

/** Row indices where `mask` is non-zero, ascending. */
export function maskToIndices(mask: Uint8Array): Int32Array {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) n++;
  const out = new Int32Array(n);
  for (let i = 0, j = 0; i < mask.length; i++) if (mask[i] !== 0) out[j++] = i;
  return out;
}

/**
 * fast.ai `RandomSplitter(valid_pct, seed)` for n items: a seeded random
 * permutation, the first floor(validPct * n) indices (Python's int()
 * truncation, as fast.ai does) go to validation, the rest to training.
 * Both lists come back in permutation order. One deliberate difference:
 * float artefacts are snapped first (0.57 * 100 = 56.99999999999999 cuts 57,
 * where Python's int() would cut 56).
 */
export function randomSplit(n: number, validPct: number, seed: number): { train: Int32Array; valid: Int32Array } {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randomSplit: n must be a non-negative integer, got ${String(n)}`);
  if (!(validPct >= 0 && validPct <= 1))
    throw new RangeError(`randomSplit: validPct must be between 0 and 1 (e.g. 0.2), got ${String(validPct)}`);
  const perm = new Rng(seed).permutation(n);
  const cut = Math.floor(snap(validPct * n));
  return { valid: perm.subarray(0, cut), train: perm.subarray(cut) };
}
