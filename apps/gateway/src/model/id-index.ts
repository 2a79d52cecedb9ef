// Id → position lookups the gateway keeps per run (movie id → matrix row, and the ONNX
// scorer's user and movie indexes): what a Map<number, number> answered, in typed arrays.
// A Map of 86k entries holds ~3.7 MB of hash table (330k users, ~15 MB); ids that are
// compact (MovieLens numbers its movies and users from 1, with gaps) take one Int32Array
// slot per id in their range instead, else a sorted list searched by halves.

/** Ids spanning at most this many slots per id go in a dense table; wider, a binary search. */
const DENSE_SLOTS_PER_ID = 8;

export class IdIndex {
  /** Position by id - `min` (-1: no such id), or null when the ids are too spread out. */
  private readonly dense: Int32Array | null = null;
  private readonly min: number = 0;
  /** The distinct ids, ascending, and the position of each (sparse form only). */
  private readonly sorted: Float64Array | null = null;
  private readonly positions: Int32Array | null = null;
  /** How many distinct ids. */
  readonly size: number;

  /**
   * `ids[i]` → `i`, as `new Map(ids.map((id, i) => [id, i]))` answers: ids in any order, an
   * id given twice keeps its last position. Ids are integers (others are never found).
   */
  constructor(ids: ArrayLike<number>) {
    const n = ids.length;
    let min = Infinity,
      max = -Infinity,
      integers = true;
    for (let i = 0; i < n; i++) {
      const id = ids[i];
      if (!Number.isSafeInteger(id)) integers = false;
      if (id < min) min = id;
      if (id > max) max = id;
    }
    if (n > 0 && integers && max - min + 1 <= DENSE_SLOTS_PER_ID * n + 1024 && max - min + 1 <= 2 ** 30) {
      const dense = new Int32Array(max - min + 1).fill(-1);
      let size = 0;
      for (let i = 0; i < n; i++) {
        if (dense[ids[i] - min] === -1) size++;
        dense[ids[i] - min] = i;
      }
      this.dense = dense;
      this.min = min;
      this.size = size;
      return;
    }
    // Positions ordered by id, a repeated id's last position last; then one entry per id (its last).
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => ids[a] - ids[b] || a - b);
    const sorted: number[] = [],
      positions: number[] = [];
    for (let j = 0; j < n; j++) {
      const id = ids[order[j]];
      if (sorted.length && sorted[sorted.length - 1] === id) positions[positions.length - 1] = order[j];
      else {
        sorted.push(id);
        positions.push(order[j]);
      }
    }
    this.sorted = Float64Array.from(sorted);
    this.positions = Int32Array.from(positions);
    this.size = sorted.length;
  }

  /** The position of `id`, or undefined when it is not one of the ids. */
  get(id: number): number | undefined {
    if (this.dense) {
      // Not an integer (NaN included), or outside the ids' range: not one of the ids.
      if (!Number.isInteger(id)) return undefined;
      const k = id - this.min;
      if (!(k >= 0 && k < this.dense.length)) return undefined;
      const p = this.dense[k];
      return p === -1 ? undefined : p;
    }
    const s = this.sorted!;
    if (id !== id) return undefined; // NaN
    let lo = 0,
      hi = s.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = s[mid];
      if (v < id) lo = mid + 1;
      else if (v > id) hi = mid - 1;
      else return this.positions![mid];
    }
    return undefined;
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }
}
