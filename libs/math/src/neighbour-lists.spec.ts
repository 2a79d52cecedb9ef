// The blocked kernel must give, for every row, `topKByDot`'s answer with that row as the
// query and itself excluded: ids, order, ties and scores bit for bit.
import { Rng } from './rng';
import { normalizeRows } from './cosine';
import { topKByDot } from './top-k';
import { loadDotScanKernel } from './dot-scan';
import {
  compileNeighbourListKernel,
  loadNeighbourListKernel,
  neighbourListsByScan,
  scanDot,
  screeningMargin,
  ScreenedTopK,
  ScreenSelection,
  kthSmallest,
  unitRowsById,
  type NeighbourListKernel,
  type NeighbourLists,
} from './neighbour-lists';

let kernel: NeighbourListKernel;
beforeAll(async () => {
  kernel = await loadNeighbourListKernel();
});

function randomUnitRows(rows: number, dim: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const m = Float32Array.from({ length: rows * dim }, () => rng.normal(0, 1));
  return normalizeRows(m, rows, dim);
}

/** Where two list sets differ first (null: same ids and bit-identical scores). */
function firstDifference(a: NeighbourLists, b: NeighbourLists): string | null {
  if (a.n !== b.n || a.from !== b.from || a.to !== b.to) return `shape ${a.n}/${a.from}/${a.to} vs ${b.n}/${b.from}/${b.to}`;
  for (let i = 0; i < a.ids.length; i++)
    if (a.ids[i] !== b.ids[i] || !Object.is(a.scores[i], b.scores[i]))
      return `row ${a.from + Math.floor(i / a.n)} rank ${i % a.n}: ${a.ids[i]}/${a.scores[i]} vs ${b.ids[i]}/${b.scores[i]}`;
  return null;
}

describe('neighbour lists', () => {
  it('answer a known matrix: best first, itself excluded, ties by lower index, -1 past the end', () => {
    // rows 1 and 3 are the same vector, so each is the other's first neighbour; row 0
    // ties between rows 1 and 3 (0.6 each) and takes the lower index first.
    const m = Float32Array.from([1, 0, 0.6, 0.8, 0, 1, 0.6, 0.8]);
    for (const lists of [kernel.lists(m, 4, 2, 3), neighbourListsByScan(m, 4, 2, 3)]) {
      expect(Array.from(lists.ids)).toEqual([1, 3, 2, 3, 2, 0, 1, 3, 0, 1, 2, 0]);
      expect(Array.from(lists.scores.subarray(0, 3))).toEqual([0.6000000238418579, 0.6000000238418579, 0]);
      expect(lists.scores[3]).toBe(scanDot(m, 2, 1, 3));
    }
    const short = kernel.lists(m, 4, 2, 5);
    expect(Array.from(short.ids.subarray(0, 5))).toEqual([1, 3, 2, -1, -1]);
    expect(Number.isNaN(short.scores[4])).toBe(true);
  });

  it.each([
    [1, 7, 3],
    [3, 40, 10],
    [5, 130, 100],
    [50, 1100, 100], // crosses a row block (1024) and several query blocks (64)
    [51, 300, 20],
  ])('the kernel equals one topKByDot per row, bit for bit (dim %i, %i rows, n %i)', (dim, rows, n) => {
    const m = randomUnitRows(rows, dim, dim * 1000 + rows);
    expect(firstDifference(kernel.lists(m, rows, dim, n), neighbourListsByScan(m, rows, dim, n))).toBeNull();
    const q = Math.floor(rows / 2);
    const ref = topKByDot(m, rows, dim, m.subarray(q * dim, q * dim + dim), n, { exclude: new Set([q]) });
    const lists = kernel.lists(m, rows, dim, n, { from: q, to: q + 1 });
    expect(Array.from(lists.ids.subarray(0, ref.indices.length))).toEqual(Array.from(ref.indices));
    expect(Array.from(lists.scores.subarray(0, ref.scores.length))).toEqual(Array.from(ref.scores));
    lists.ids.forEach((id, i) => id >= 0 && expect(scanDot(m, dim, q, id)).toBe(lists.scores[i]));
  });

  it('gives the same lists with a multiply then an add, where the engine lacks relaxed SIMD', async () => {
    const unfused = await compileNeighbourListKernel(false);
    const m = randomUnitRows(1100, 50, 11);
    expect(firstDifference(unfused.lists(m, 1100, 50, 100), neighbourListsByScan(m, 1100, 50, 100))).toBeNull();
  });

  it('computes any range of rows alike (how threads split the work), with progress', () => {
    const m = randomUnitRows(200, 8, 3);
    const whole = kernel.lists(m, 200, 8, 10);
    const seen: number[] = [];
    const part = kernel.lists(m, 200, 8, 10, { from: 70, to: 150, onProgress: (done) => seen.push(done) });
    expect(Array.from(part.ids)).toEqual(Array.from(whole.ids.subarray(700, 1500)));
    expect(seen).toEqual([64, 80]);
    // a matrix laid out once answers any number of ranges, in any order, as a fresh one does
    const prepared = kernel.prepare(m, 200, 8);
    for (const [from, to] of [
      [150, 200],
      [0, 70],
      [70, 150],
      [0, 200],
    ])
      expect(firstDifference(prepared.lists(10, { from, to }), kernel.lists(m, 200, 8, 10, { from, to }))).toBeNull();
    expect(() => prepared.lists(10, { from: 0, to: 201 })).toThrow(/from\/to must satisfy/);
  });

  it('keeps equal rows and zero rows exact (ties by lower index, zero scores)', () => {
    const m = new Float32Array(6 * 4);
    for (const r of [0, 2, 5]) m.set([0.5, 0.5, 0.5, 0.5], r * 4); // rows 1, 3, 4 stay zero
    const lists = kernel.lists(m, 6, 4, 5);
    expect(firstDifference(lists, neighbourListsByScan(m, 6, 4, 5))).toBeNull();
    expect(Array.from(lists.ids.subarray(0, 5))).toEqual([2, 5, 1, 3, 4]);
  });

  it('stays exact where float32 cannot tell rows apart: near-ties, many equal rows, rows not of unit length', () => {
    const rng = new Rng(11);
    const dim = 50,
      rows = 600;
    const base = Float32Array.from({ length: dim }, () => rng.normal(0, 1));
    const m = new Float32Array(rows * dim);
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < dim; j++) m[r * dim + j] = 3 * base[j] * (1 + (r % 3 === 0 ? 0 : rng.normal(0, 1e-6))); // norm ~ 3 * |base|
    for (const n of [1, 10, 100]) expect(firstDifference(kernel.lists(m, rows, dim, n), neighbourListsByScan(m, rows, dim, n))).toBeNull();
  });

  it('falls back to the exact scan where float32 could overflow or a row is NaN', () => {
    const m = randomUnitRows(50, 4, 5);
    m[7 * 4 + 1] = NaN;
    expect(screeningMargin(m, 50, 4)).toBe(Infinity);
    expect(firstDifference(kernel.lists(m, 50, 4, 8), neighbourListsByScan(m, 50, 4, 8))).toBeNull();
    const big = randomUnitRows(20, 4, 6).map((x) => x * 1e20);
    expect(screeningMargin(big, 20, 4)).toBe(Infinity);
    expect(firstDifference(kernel.lists(big, 20, 4, 5), neighbourListsByScan(big, 20, 4, 5))).toBeNull();
    expect(screeningMargin(randomUnitRows(20, 50, 7), 20, 50)).toBeLessThan(1e-5);
  });

  it('needs its margin: a screening error inside the bound loses the best row when the margin is planted as 0', () => {
    // exact scores: row 0 best; screening scores err by up to 2e-7 and put row 1 first
    const exact = [0.5, 0.5 - 1e-7, 0.1];
    const screened = Float32Array.from([0.5 - 2e-7, 0.5 - 1e-7, 0.1]);
    const run = (margin: number) => {
      const sel = new ScreenedTopK(1, margin);
      sel.offer(Int32Array.from([0, 1, 2]), screened, 0, 3, -1);
      return Array.from(sel.finish((r) => exact[r]).indices);
    };
    expect(run(4e-7)).toEqual([0]);
    expect(run(0)).toEqual([1]); // the planted mistake a zero margin makes
  });

  it('rejects bad arguments, naming them', () => {
    const m = new Float32Array(8);
    expect(() => kernel.lists(m, 4, 2, 0)).toThrow(/n \(the list length\) must be a positive integer, got 0/);
    expect(() => kernel.lists(m, 5, 2, 3)).toThrow(/matrix has 8 values, fewer than rows\*dim = 5\*2/);
    expect(() => neighbourListsByScan(m, 4, 2, 3, { from: 3, to: 2 })).toThrow(/0 <= from <= to <= rows \(4\), got from=3, to=2/);
    expect(() => kernel.lists(m, 4, 0, 3)).toThrow(/dim >= 1/);
  });

  it('catches a planted mistake: one swapped pair, one score off by an ulp, a sum in another order', () => {
    const m = randomUnitRows(100, 50, 9);
    const good = kernel.lists(m, 100, 50, 10);
    const swapped = { ...good, ids: good.ids.slice() };
    [swapped.ids[3], swapped.ids[4]] = [swapped.ids[4], swapped.ids[3]];
    expect(firstDifference(swapped, good)).toMatch(/^row 0 rank 3/);
    const nudged = { ...good, scores: good.scores.slice() };
    nudged.scores[57] += Number.EPSILON * Math.abs(nudged.scores[57]);
    expect(firstDifference(nudged, good)).toMatch(/^row 5 rank 7/);
    // a plain left-to-right sum is not the scans' order: bit-exact checks would notice
    let differs = 0;
    for (let b = 1; b < 100; b++) {
      let s = 0;
      for (let j = 0; j < 50; j++) s += m[j] * m[b * 50 + j];
      if (s !== scanDot(m, 50, 0, b)) differs++;
    }
    expect(differs).toBeGreaterThan(0);
  });
});

describe("ScreenSelection (another screen's k best, re-scored)", () => {
  /** A float32 screen as ONNX Runtime's: each query's k best float32 sums, in a shuffled order. */
  function screen(m: Float32Array, rows: number, dim: number, q: number, k: number, rng: Rng) {
    const f = Float32Array.from({ length: rows }, (_, r) => {
      let s = 0;
      for (let j = 0; j < dim; j++) s = Math.fround(s + Math.fround(m[q * dim + j] * m[r * dim + j]));
      return s;
    });
    const order = Array.from({ length: rows }, (_, r) => r).sort((a, b) => f[b] - f[a] || a - b);
    const best = order.slice(0, k).sort(() => rng.next() - 0.5);
    return { rows: Int32Array.from(best), scores: Float32Array.from(best, (r) => f[r]) };
  }

  it.each([
    ['scanDot', false],
    ['the WASM scan kernel', true],
  ])("gives topKByDot's list from k screened rows, re-scoring with %s", async (_, wasm) => {
    const rows = 700,
      dim = 20,
      n = 30,
      k = n + 33;
    const m = randomUnitRows(rows, dim, 21);
    const index = wasm ? (await loadDotScanKernel()).index(rows, dim) : undefined;
    index?.matrix.set(m);
    const sel = new ScreenSelection(n, screeningMargin(m, rows, dim), k, index);
    const rng = new Rng(5);
    for (const q of [0, 1, 350, 699]) {
      const { rows: found, scores } = screen(m, rows, dim, q, k, rng);
      const got = sel.select(m, rows, dim, q, found, scores, 0)!;
      const want = topKByDot(m, rows, dim, m.subarray(q * dim, q * dim + dim), n, { exclude: (i) => i === q });
      expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
      expect(Array.from(got.scores)).toEqual(Array.from(want.scores));
    }
  });

  it('says null when the cut is a near-tie the k rows cannot settle, and answers when they are every row', () => {
    const dim = 4,
      rows = 12;
    const m = new Float32Array(rows * dim);
    for (let r = 0; r < rows; r++) m.set([0.5, 0.5, 0.5, 0.5], r * dim); // all equal: every score ties
    const sel = new ScreenSelection(3, screeningMargin(m, rows, dim), 6);
    const { rows: found, scores } = screen(m, rows, dim, 0, 6, new Rng(1));
    expect(sel.select(m, rows, dim, 0, found, scores, 0)).toBeNull();
    const all = screen(m, rows, dim, 0, rows, new Rng(2));
    const whole = new ScreenSelection(3, screeningMargin(m, rows, dim), rows).select(m, rows, dim, 0, all.rows, all.scores, 0)!;
    expect(Array.from(whole.indices)).toEqual([1, 2, 3]); // ties by lower row
  });

  it('kthSmallest finds the k-th smallest, duplicates and all', () => {
    const rng = new Rng(3);
    for (let t = 0; t < 200; t++) {
      const len = 1 + Math.floor(rng.next() * 140);
      const a = Float32Array.from({ length: len }, () => Math.floor(rng.next() * 20) / 4);
      const sorted = a.slice().sort();
      const k = Math.floor(rng.next() * len);
      expect(kthSmallest(a, len, k)).toBe(sorted[k]);
    }
  });
});

describe('unitRowsById', () => {
  it('orders rows by id and scales them to unit length as the gateway does', () => {
    const f = Float32Array.from([3, 4, 1, 0, 0, 2]);
    const { ids, matrix } = unitRowsById([30, 10, 20], f, 2);
    expect(Array.from(ids)).toEqual([10, 20, 30]);
    expect(Array.from(matrix)).toEqual([1, 0, 0, 1, 0.6000000238418579, 0.800000011920929]);
    expect(() => unitRowsById([1, 2], f.subarray(0, 3), 2)).toThrow(/need 4 factors, got 3/);
  });
});
