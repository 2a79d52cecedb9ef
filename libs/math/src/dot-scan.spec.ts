// The WASM scan must give topKByDot's answer bit for bit: ids, order, ties, scores.
import { Rng } from './rng';
import { topKByDot, type Exclusion } from './top-k';
import { loadDotScanKernel, screenMargin8, type DotScanKernel } from './dot-scan';
import { normalizeRows } from './cosine';

let kernel: DotScanKernel;
beforeAll(async () => {
  kernel = await loadDotScanKernel();
});

function filled(rows: number, dim: number, value: (i: number) => number) {
  const idx = kernel.index(rows, dim);
  for (let i = 0; i < rows * dim; i++) idx.matrix[i] = value(i);
  return idx;
}

describe('DotScanIndex', () => {
  it('scores a known matrix: dot products, best first, ties by lower index', () => {
    // 4 rows x 5 (a dim % 4 tail): rows 1 and 3 tie
    const idx = filled(4, 5, (i) => [1, 0, 0, 0, 0, 0, 2, 0, 0, 1, 0, 0, 0, 0, -1, 0, 2, 0, 0, 1][i]);
    const r = idx.topK([0, 1, 0, 0, 1], 4);
    expect(Array.from(r.indices)).toEqual([1, 3, 0, 2]);
    expect(Array.from(r.scores)).toEqual([3, 3, 0, -1]);
    expect(Array.from(idx.topK([0, 1, 0, 0, 1], 2, { exclude: new Set([1]) }).indices)).toEqual([3, 0]);
    expect(() => idx.topK([1, 0], 1)).toThrow(/query has 2 values but rows have dim=5/);
  });

  it.each([1, 2, 3, 4, 5, 7, 8, 50, 51])(
    'matches topKByDot exactly at dim %i (float32 and float64 queries, exclusions, NaN rows)',
    (dim) => {
      const rng = new Rng(1000 + dim);
      const rows = 1500;
      const idx = filled(rows, dim, () => rng.normal());
      // duplicate rows make exact ties; a NaN row must be skipped by both
      idx.matrix.copyWithin(7 * dim, 3 * dim, 4 * dim);
      idx.matrix.copyWithin(900 * dim, 3 * dim, 4 * dim);
      idx.matrix[11 * dim] = Number.NaN;
      const m = idx.matrix.slice();
      for (let t = 0; t < 12; t++) {
        const q = t % 2 ? Float64Array.from({ length: dim }, () => rng.normal()) : m.subarray(t * dim, (t + 1) * dim);
        for (const k of [0, 1, 10, 100, rows + 5]) {
          const exclude = t % 3 === 0 ? undefined : (i: number) => i % 5 === t % 5;
          const want = topKByDot(m, rows, dim, q, k, { exclude });
          const got = idx.topK(q, k, { exclude });
          expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
          expect(Array.from(got.scores)).toEqual(Array.from(want.scores)); // bitwise, not close
        }
      }
    },
  );

  it('matches topKByDot on coarse values where many scores tie', () => {
    const rng = new Rng(5);
    const rows = 3000,
      dim = 6;
    const idx = filled(rows, dim, () => rng.int(3) - 1);
    const m = idx.matrix.slice();
    const q = [1, 0, -1, 1, 0, 1];
    const want = topKByDot(m, rows, dim, q, 50);
    const got = idx.topK(q, 50);
    expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
    expect(Array.from(got.scores)).toEqual(Array.from(want.scores));
  });

  it('handles an empty matrix and rejects bad sizes', () => {
    expect(kernel.index(0, 50).topK(new Float32Array(50), 10).indices.length).toBe(0);
    expect(() => kernel.index(-1, 3)).toThrow(/non-negative integers, got rows=-1/);
    expect(() => kernel.index(2 ** 20, 1024)).toThrow(/over the 2 GiB/);
  });

  it.each([3, 8, 50, 51])('topKOfRows equals topKByDot with the unlisted rows excluded, at dim %i', (dim) => {
    const rng = new Rng(77 + dim);
    const rows = 2000;
    const idx = filled(rows, dim, () => rng.int(5) - 2 + (rng.next() < 0.5 ? 0 : rng.normal()));
    idx.matrix.copyWithin(40 * dim, 30 * dim, 31 * dim); // an exact tie
    idx.matrix[13 * dim] = Number.NaN;
    const m = idx.matrix.slice();
    for (let t = 0; t < 10; t++) {
      const keep = [0.001, 0.02, 0.3, 0.9, 1][t % 5];
      const listed: number[] = [];
      for (let r = 0; r < rows; r++) if (rng.next() < keep || (t === 3 && (r === 30 || r === 40))) listed.push(r);
      const list = Int32Array.from(listed);
      const inList = new Set(listed);
      const q = Float64Array.from({ length: dim }, () => rng.normal());
      const extra = t % 2 ? (r: number) => r % 7 === t : undefined;
      for (const k of [0, 1, 10, 300]) {
        const want = topKByDot(m, rows, dim, q, k, { exclude: (r) => !inList.has(r) || (extra?.(r) ?? false) });
        const got = idx.topKOfRows(q, k, list, { exclude: extra });
        expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
        expect(Array.from(got.scores)).toEqual(Array.from(want.scores)); // bitwise
      }
    }
    // the full scan still answers as before after a subset scan used the same memory
    const q = Float64Array.from({ length: dim }, () => rng.normal());
    expect(Array.from(idx.topK(q, 20).indices)).toEqual(Array.from(topKByDot(m, rows, dim, q, 20).indices));
  });

  it('topKOfRows refuses a row list it cannot scan safely', () => {
    const idx = filled(10, 4, (i) => i);
    const q = [1, 0, 0, 0];
    expect(() => idx.topKOfRows(q, 1, Int32Array.of(3, 2))).toThrow(/ascending row numbers below 10 \(rows\[1\] = 2\)/);
    expect(() => idx.topKOfRows(q, 1, Int32Array.of(1, 10))).toThrow(/rows\[1\] = 10/);
    expect(() => idx.topKOfRows(q, 1, Int32Array.of(-1))).toThrow(/rows\[0\] = -1/);
    expect(() => idx.topKOfRows(q, 1, new Int32Array(11))).toThrow(/11 rows listed, the matrix has 10/);
    expect(() => idx.topKOfRows([1], 1, Int32Array.of(0))).toThrow(/query has 1 values but rows have dim=4/);
    expect(Array.from(idx.topKOfRows(q, 5, new Int32Array(0)).indices)).toEqual([]);
  });

  describe('topKOfRowsScreened (int8 screen, exact re-scoring)', () => {
    /** Checks the screened answer against topKByDot with the unlisted rows excluded, bit for bit. */
    function agrees(
      idx: ReturnType<typeof filled>,
      rows: number,
      dim: number,
      q: ArrayLike<number>,
      list: Int32Array,
      k: number,
      extra?: (r: number) => boolean,
    ) {
      const m = idx.matrix.slice();
      const inList = new Set(list);
      const want = topKByDot(m, rows, dim, q, k, { exclude: (r) => !inList.has(r) || (extra?.(r) ?? false) });
      const got = idx.topKOfRowsScreened(q, k, list, { exclude: extra });
      expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
      expect(Array.from(got.scores)).toEqual(Array.from(want.scores));
    }

    it.each([3, 8, 50, 51, 100])('equals the exact scan at dim %i: unit and raw rows, scaled queries, subsets, exclusions', (dim) => {
      const rng = new Rng(300 + dim);
      const rows = 3000;
      for (const unit of [true, false]) {
        const idx = filled(rows, dim, () => rng.normal());
        if (unit) normalizeRows(idx.matrix, rows, dim);
        expect(idx.prepareScreen()).toBe(true);
        for (let t = 0; t < 8; t++) {
          const scale = [1, 3, 1e-3, 1][t % 4];
          const q = Float64Array.from({ length: dim }, () => rng.normal() * scale);
          const keep = [1, 0.5, 0.05, 1][t % 4];
          const list = Int32Array.from(Array.from({ length: rows }, (_, r) => r).filter(() => rng.next() < keep));
          const extra = t % 2 ? (r: number) => r % 5 === t % 5 : undefined;
          for (const k of [1, 10, 100]) agrees(idx, rows, dim, q, list, k, extra);
        }
      }
    });

    it('equals the exact scan where many scores are closer than float32 can tell apart', () => {
      // rows = one base row plus perturbations of 1e-7..1e-9: their float32 screening scores
      // tie or misorder, only the float64 re-scoring ranks them, and the k-th falls among them
      const rng = new Rng(9);
      const rows = 2000,
        dim = 50;
      const base = Float64Array.from({ length: dim }, () => rng.normal());
      const idx = filled(rows, dim, (i) => base[i % dim] * (1 + (rng.next() - 0.5) * 10 ** -(7 + (i % 3))));
      normalizeRows(idx.matrix, rows, dim);
      idx.prepareScreen();
      const all = Int32Array.from({ length: rows }, (_, r) => r);
      for (let t = 0; t < 20; t++) {
        const q = Float64Array.from(base, (v) => v + rng.normal() * 1e-3);
        for (const k of [1, 7, 50]) agrees(idx, rows, dim, q, all, k);
      }
      // coarse values: exact ties everywhere, broken by the lower row
      const coarse = filled(rows, 6, () => rng.int(3) - 1);
      coarse.prepareScreen();
      for (const k of [1, 10, 60]) agrees(coarse, rows, 6, [1, 0, -1, 1, 0, 1], all, k);
    });

    it('falls back to the exact scan where the bound cannot hold (a NaN row, a NaN or huge query, unprepared)', () => {
      const rng = new Rng(4);
      const rows = 500,
        dim = 8;
      const idx = filled(rows, dim, () => rng.normal());
      const all = Int32Array.from({ length: rows }, (_, r) => r);
      const check = (q: Float64Array) => agrees(idx, rows, dim, q, all, 10);
      const random = (scale: number) => Float64Array.from({ length: dim }, () => rng.normal() * scale);
      check(random(1)); // not prepared
      expect(idx.prepareScreen()).toBe(true);
      check(random(1e200));
      check(Float64Array.from({ length: dim }, (_, j) => (j === 3 ? Number.NaN : 1)));
      check(new Float64Array(dim)); // a zero query: every score 0, ties by row
      idx.matrix[17 * dim] = Number.NaN;
      expect(idx.prepareScreen()).toBe(false);
      check(random(1));
      expect(screenMargin8(50, 1, 0.01, 1, 0.01)).toBeGreaterThan(0.04);
      expect(screenMargin8(50, 1, 0.01, 1, 0.01)).toBeLessThan(0.05);
      expect(screenMargin8(50, Number.NaN, 0, 1, 0)).toBe(Infinity);
    });
  });

  describe('screening kernels: relaxed SIMD (7-bit query) and i16, against topKOfRows', () => {
    type Index = ReturnType<typeof filled>;

    /** The same matrix in an index per screening kernel, screen prepared. */
    function pair(rows: number, dim: number, value: (i: number) => number): { relaxed: Index; i16: Index } {
      const relaxed = kernel.index(rows, dim);
      const i16 = kernel.index(rows, dim, { relaxed: false });
      for (let i = 0; i < rows * dim; i++) relaxed.matrix[i] = value(i);
      i16.matrix.set(relaxed.matrix);
      expect(relaxed.prepareScreen()).toBe(true);
      expect(i16.prepareScreen()).toBe(true);
      return { relaxed, i16 };
    }

    /** Both kernels' screened answers equal topKOfRows's (and so topKByDot's), bit for bit. */
    function bothAgree(p: { relaxed: Index; i16: Index }, q: ArrayLike<number>, list: Int32Array, k: number, exclude?: Exclusion) {
      const want = p.relaxed.topKOfRows(q, k, list, { exclude });
      for (const idx of [p.relaxed, p.i16]) {
        const got = idx.topKOfRowsScreened(q, k, list, { exclude });
        expect([idx.screenKernel, Array.from(got.indices)]).toEqual([idx.screenKernel, Array.from(want.indices)]);
        expect(Array.from(got.scores)).toEqual(Array.from(want.scores)); // bitwise
      }
      // the relaxed dot is defined (the same on every CPU) only for query codes in 0..127;
      // x64's pmaddubsw would also take 128 as unsigned, so only this check sees a code out of range
      const codes = Array.from((p.relaxed as unknown as { q8: Int8Array }).q8.subarray(0, p.relaxed.dim));
      if (list.length > 4 * k) expect(codes.filter((c) => !(c >= 1 && c <= 127))).toEqual([]);
    }

    /** The best `n` rows of the full exact scan: excluding them makes the screen track k + n. */
    const bestRows = (idx: Index, q: ArrayLike<number>, n: number) => Array.from(idx.topK(q, n).indices);

    it('runs the relaxed kernel where relaxed SIMD is (every Node this repo supports), the i16 one when told', () => {
      expect(kernel.relaxedSimd).toBe(true);
      expect(kernel.index(4, 3).screenKernel).toBe('relaxed');
      expect(kernel.index(4, 3, { relaxed: false }).screenKernel).toBe('i16');
    });

    it.each([3, 5, 15, 16, 17, 31, 33, 64, 77, 100])(
      'agree at dim %i: full and partial lists, Set exclusions of the best rows (k + e), predicates, masks',
      (dim) => {
        const rng = new Rng(500 + dim);
        const rows = 1203; // not a multiple of 4: the kernels' one-row tail runs too
        const p = pair(rows, dim, () => rng.normal());
        const m = p.relaxed.matrix;
        m.copyWithin(9 * dim, 700 * dim, 701 * dim); // an exact tie (rows 9 and 700)
        for (let j = 0; j < dim; j++) m[1000 * dim + j] = m[700 * dim + j] * (1 + 1e-7 * rng.normal()); // a near-tie
        if (dim % 2) normalizeRows(m, rows, dim);
        p.i16.matrix.set(m);
        p.relaxed.prepareScreen();
        p.i16.prepareScreen();
        const all = Int32Array.from({ length: rows }, (_, r) => r);
        for (let t = 0; t < 12; t++) {
          // queries: random, a row (exact ties with it), a row plus noise, tiny and large scales
          const base = m.subarray(700 * dim, 701 * dim);
          const scale = [1, 1e-4, 50][t % 3];
          const q = Float64Array.from(
            { length: dim },
            (_, j) => (t % 4 === 1 ? base[j] : (t % 4 === 2 ? base[j] : 0) + rng.normal()) * scale,
          );
          const keep = [1, 0.5, 0.1][Math.floor(t / 4)];
          const list = keep === 1 ? all : Int32Array.from(all.filter((r) => r === 700 || rng.next() < keep));
          for (const k of [1, 3, 10, 100]) {
            bothAgree(p, q, list, k);
            const best = bestRows(p.relaxed, q, 1 + (t % 6));
            bothAgree(p, q, list, k, new Set(best)); // the Set's size is tracked in the kernel
            bothAgree(p, q, list, k, new Set([...best, rows + 5, -1])); // rows no list holds: still exact
            if (t % 3 === 0) {
              bothAgree(p, q, list, k, (r) => best.includes(r) || r % 7 === 3);
              const mask = new Uint8Array(rows);
              for (const r of best) mask[r] = 1;
              bothAgree(p, q, list, k, mask);
            }
          }
        }
      },
    );

    it('agree where scores tie exactly (coarse values) and nearly (below float32 resolution)', () => {
      const rng = new Rng(12);
      const coarse = pair(2001, 6, () => rng.int(3) - 1);
      const all = Int32Array.from({ length: 2001 }, (_, r) => r);
      const odd = all.filter((r) => r % 2 === 1);
      for (const q of [
        [1, 0, -1, 1, 0, 1],
        [0, 0, 0, 0, 0, 1],
        [1, 1, 1, 1, 1, 1],
      ]) {
        for (const k of [1, 10, 60]) {
          bothAgree(coarse, q, all, k);
          bothAgree(coarse, q, odd, k, new Set(bestRows(coarse.relaxed, q, 4)));
        }
      }
      const dim = 100,
        base = Float64Array.from({ length: dim }, () => rng.normal());
      const near = pair(1501, dim, (i) => base[i % dim] * (1 + (rng.next() - 0.5) * 10 ** -(7 + (i % 3))));
      for (let t = 0; t < 8; t++) {
        const q = Float64Array.from(base, (v) => v + rng.normal() * 1e-3);
        for (const k of [1, 7, 50]) bothAgree(near, q, all.subarray(0, 1501), k, t % 2 ? new Set(bestRows(near.relaxed, q, 3)) : undefined);
      }
    });

    it('keep the rows ranked k + 1 .. k + e when the e best are excluded (tracking only k would lose them)', () => {
      // a ladder: row r scores 1 - r/20 against e1, far apart next to the margin (~0.02)
      const rows = 400,
        dim = 8,
        rng = new Rng(3);
      const p = pair(rows, dim, (i) => (i % dim === 0 ? (i / dim < 20 ? 1 - i / dim / 20 : 0) : 0.05 * rng.normal()));
      const q = [1, 0, 0, 0, 0, 0, 0, 0];
      const all = Int32Array.from({ length: rows }, (_, r) => r);
      for (const idx of [p.relaxed, p.i16]) {
        const got = idx.topKOfRowsScreened(q, 3, all, { exclude: new Set([0, 1, 2]) });
        expect(Array.from(got.indices)).toEqual([3, 4, 5]);
      }
      bothAgree(p, q, all, 3, new Set([0, 1, 2, 5]));
      // more exclusions than the kernel tracks: topK picks the k-th among the rest
      bothAgree(p, q, all, 3, new Set(Array.from({ length: 300 }, (_, r) => r)));
      bothAgree(p, q, all, 100, new Set(Array.from({ length: 200 }, (_, r) => 2 * r)));
    });

    it('refuse a bad row list with the same RangeError as topKOfRows, wherever the bad entry is', () => {
      const p = pair(50, 4, (i) => i % 7);
      const q = [1, 0, 0, 1];
      const ascending = Array.from({ length: 40 }, (_, r) => r);
      for (const idx of [p.relaxed, p.i16]) {
        for (const at of [0, 1, 3, 5, 38, 39]) {
          const bad = Int32Array.from(ascending);
          bad[at] = at === 0 ? -1 : bad[at - 1];
          expect(() => idx.topKOfRowsScreened(q, 1, bad)).toThrow(
            new RegExp(`ascending row numbers below 50 \\(rows\\[${at}\\] = ${bad[at]}\\)`),
          );
        }
        const high = Int32Array.from(ascending, (r) => r + 11); // 50 at position 39
        expect(() => idx.topKOfRowsScreened(q, 1, high)).toThrow(/rows\[39\] = 50/);
        expect(() => idx.topKOfRowsScreened(q, 1, new Int32Array(51))).toThrow(/51 rows listed, the matrix has 50/);
        // the index still answers after a refused list
        bothAgree(p, q, Int32Array.from(ascending), 2);
      }
    });

    it('lose a row with a margin 10% too small: the bound is nearly tight on a planted case', () => {
      // Every row: a spike 1 (scale 1/127 = s) and 7 values s * (code + f), f = ±0.45: each
      // row's residual is 0.45 s on each of those 7, the query (0, 1, ..., 1) quantizes
      // exactly, and the screening error is the residual . query = ±3.15 s, all of the
      // bound's (margin = 2 * 3.15 s, plus float64 slack). Rows 0..19 code sum S + 6, f = -0.45
      // (exact S + 2.85); rows 20..39 code sum S, f = +0.45 (exact S + 3.15, the exact top);
      // the rest far below. The screen ranks the first group 6 s ahead: a floor 6 s below
      // it keeps the exact top, a margin 10% smaller (5.67 s) drops it.
      const rows = 60,
        dim = 8,
        S = 20,
        rng = new Rng(8);
      const codes = (r: number) => {
        const c = Array.from({ length: dim - 2 }, () => rng.int(21) - 10);
        const sum = S + (r < 20 ? 6 : r < 40 ? 0 : -20);
        return [...c, sum - c.reduce((x, y) => x + y, 0)];
      };
      const values = Array.from({ length: rows }, (_, r) => {
        const f = r < 20 ? -0.45 : r < 40 ? 0.45 : r % 2 ? 0.45 : -0.45;
        return [1, ...codes(r).map((c) => (c + f) / 127)];
      });
      const p = pair(rows, dim, (i) => values[Math.floor(i / dim)][i % dim]);
      const q = [0, 1, 1, 1, 1, 1, 1, 1];
      const all = Int32Array.from({ length: rows }, (_, r) => r);
      const shrink = (idx: Index, by: number) => ((idx as unknown as { marginScale: number }).marginScale = by);
      for (const idx of [p.relaxed, p.i16]) {
        const want = Array.from(idx.topKOfRows(q, 3, all).indices);
        expect(want.every((r) => r >= 20 && r < 40)).toBe(true);
        expect(Array.from(idx.topKOfRowsScreened(q, 3, all).indices)).toEqual(want);
        shrink(idx, 0.9);
        const got = Array.from(idx.topKOfRowsScreened(q, 3, all).indices);
        shrink(idx, 1);
        expect(got).not.toEqual(want);
        expect(got.every((r) => r < 20)).toBe(true);
      }
    });
  });

  // (That lanes running at once do not disturb each other is apps/gateway's scan-thread.spec: a real worker.)
  it('attaches more lanes to the same memory, each answering as the maker does', () => {
    const rng = new Rng(5);
    const rows = 3000,
      dim = 40;
    const idx = kernel.index(rows, dim, { lanes: 3 });
    for (let i = 0; i < rows * dim; i++) idx.matrix[i] = rng.normal();
    normalizeRows(idx.matrix, rows, dim);
    idx.prepareScreen();
    const lanes = [idx, kernel.attach(idx.share(), 1), kernel.attach(idx.share(), 2)];
    expect(lanes[2].matrix.buffer).toBe(idx.matrix.buffer);
    const all = Int32Array.from({ length: rows }, (_, r) => r);
    const m = idx.matrix.slice();
    for (let t = 0; t < 20; t++) {
      const q = Float64Array.from({ length: dim }, () => rng.normal());
      const want = topKByDot(m, rows, dim, q, 10, { exclude: new Set([t]) });
      for (const lane of lanes) {
        const got = lane.topKOfRowsScreened(q, 10, all, { exclude: new Set([t]) });
        expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
        expect(Array.from(got.scores)).toEqual(Array.from(want.scores)); // bitwise
      }
    }
    expect(() => kernel.attach(idx.share(), 0)).toThrow("DotScanKernel.attach: lane must be 1 to 2 (lane 0 is the index's maker), got 0");
    expect(() => kernel.attach(idx.share(), 3)).toThrow(/lane must be 1 to 2/);
    expect(() => kernel.index(10, 4, { lanes: 0 })).toThrow('DotScanKernel.index: lanes must be an integer from 1 to 16, got 0');
  });

  it('shares one compiled kernel between callers', async () => {
    expect(await loadDotScanKernel()).toBe(kernel);
  });
});
