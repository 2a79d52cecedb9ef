import { audienceEmbedding, audienceWeights, orthonormalize, randomizedSvdCsr, ratingsCsr, RatingsCsr } from './audience-svd';
import { blendRows } from './blend';
import { jacobiEigen } from './pca';
import { Rng } from './rng';

/** Dense m x n (row-major) as a CSR of every entry; the weights are the entries. */
function denseCsr(a: Float64Array, m: number, n: number): { csr: RatingsCsr; w: Float64Array } {
  const indptr = new Int32Array(m + 1),
    cols = new Int32Array(m * n),
    values = new Float32Array(m * n);
  for (let u = 0; u < m; u++) {
    indptr[u + 1] = (u + 1) * n;
    for (let j = 0; j < n; j++) cols[u * n + j] = j;
  }
  values.fill(1);
  return { csr: { nUsers: m, nMovies: n, indptr, cols, values }, w: Float64Array.from(a) };
}

/** Exact reference: eigen-decomposition of A^T A (n x n) -> sigma descending, V columns (row-major n x n). */
function denseSvd(a: Float64Array, m: number, n: number): { sigma: number[]; v: Float64Array; order: number[] } {
  const ata = new Float64Array(n * n);
  for (let u = 0; u < m; u++) {
    for (let i = 0; i < n; i++) {
      const ai = a[u * n + i];
      for (let j = 0; j < n; j++) ata[i * n + j] += ai * a[u * n + j];
    }
  }
  const { values, vectors } = jacobiEigen(ata, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => values[y] - values[x]);
  return { sigma: order.map((i) => Math.sqrt(Math.max(values[i], 0))), v: vectors, order };
}

/** min cosine of the principal angles between span(V[:, :k]) (n x k) and the reference's first k columns. */
function minPrincipalCos(vk: Float32Array, k: number, ref: { v: Float64Array; order: number[] }, n: number): number {
  const m = new Float64Array(k * k); // M = Vk^T Ref_k
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let r = 0; r < n; r++) s += vk[r * k + i] * ref.v[r * n + ref.order[j]];
      m[i * k + j] = s;
    }
  }
  const mtm = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (let r = 0; r < k; r++) mtm[i * k + j] += m[r * k + i] * m[r * k + j];
  const { values } = jacobiEigen(mtm, k);
  return Math.sqrt(Math.max(0, Math.min(...values)));
}

/** 300 x 200 matrix U diag(s) V^T with s = 10 -> 3 (50 values) then 1 -> 0.1: a gap of 3 at k = 50. */
function gappedMatrix(m: number, n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const orthCols = (rows: number) => {
    const x = new Float64Array(rows * n);
    for (let i = 0; i < x.length; i++) x[i] = rng.normal();
    orthonormalize(x, rows, n, rng);
    return x;
  };
  const u = orthCols(m),
    v = orthCols(n);
  const s = Array.from({ length: n }, (_, i) => (i < 50 ? 10 - (7 * i) / 49 : 1 - (0.9 * (i - 50)) / (n - 51)));
  const a = new Float64Array(m * n);
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < n; c++) {
      let x = 0;
      for (let i = 0; i < n; i++) x += u[r * n + i] * s[i] * v[c * n + i];
      a[r * n + c] = x;
    }
  }
  return a;
}

describe('randomizedSvdCsr against a dense SVD', () => {
  it('exact low rank: sigma_1..sigma_r equal the dense answer to 1e-9, the rest ~0', () => {
    const m = 300,
      n = 200,
      r = 20,
      rng = new Rng(7);
    const x = Float64Array.from({ length: m * r }, () => rng.next()),
      y = Float64Array.from({ length: n * r }, () => rng.next());
    const a = new Float64Array(m * n);
    for (let u = 0; u < m; u++) for (let j = 0; j < n; j++) for (let i = 0; i < r; i++) a[u * n + j] += x[u * r + i] * y[j * r + i];
    const { csr, w } = denseCsr(a, m, n);
    const got = randomizedSvdCsr(csr, w, { k: 50, oversampling: 10, powerIterations: 0, seed: 1 });
    const ref = denseSvd(a, m, n);
    for (let i = 0; i < r; i++) expect(Math.abs(got.sigma[i] - ref.sigma[i]) / ref.sigma[i]).toBeLessThan(1e-9);
    for (let i = r; i < 50; i++) expect(got.sigma[i]).toBeLessThan(1e-6 * ref.sigma[0]);
    // the first r columns span the exact top-r subspace
    const vr = new Float32Array(n * r);
    for (let row = 0; row < n; row++) for (let c = 0; c < r; c++) vr[row * r + c] = got.vectors[row * 50 + c];
    expect(1 - minPrincipalCos(vr, r, ref, n)).toBeLessThan(1e-6);
  });

  const gapped = (() => {
    const a = gappedMatrix(300, 200, 3);
    return { a, ref: denseSvd(a, 300, 200), ...denseCsr(a, 300, 200) };
  })();
  const maxRelError = (sigma: Float64Array) => Math.max(...gapped.ref.sigma.slice(0, 50).map((s, i) => Math.abs(sigma[i] - s) / s));

  it('full rank with a gap: q = 4 gives sigma_1..sigma_50 to 1e-8 and the subspace to 1e-6 (vectors are float32)', () => {
    const got = randomizedSvdCsr(gapped.csr, gapped.w, { k: 50, oversampling: 10, powerIterations: 4, seed: 1 });
    expect(maxRelError(got.sigma)).toBeLessThan(1e-8);
    expect(1 - minPrincipalCos(got.vectors, 50, gapped.ref, 200)).toBeLessThan(1e-6);
  });

  it('planted mistake: no power iterations (q = 0) misses the same bound (the test can fail)', () => {
    const got = randomizedSvdCsr(gapped.csr, gapped.w, { k: 50, oversampling: 10, powerIterations: 0, seed: 1 });
    expect(maxRelError(got.sigma)).toBeGreaterThan(1e-4);
    expect(1 - minPrincipalCos(got.vectors, 50, gapped.ref, 200)).toBeGreaterThan(1e-4);
  });

  it('accuracy improves with every power iteration (q = 0, 1, 2)', () => {
    const errs = [0, 1, 2].map((q) =>
      maxRelError(randomizedSvdCsr(gapped.csr, gapped.w, { k: 50, oversampling: 10, powerIterations: q, seed: 1 }).sigma),
    );
    expect(errs[1]).toBeLessThan(errs[0] / 10);
    expect(errs[2]).toBeLessThan(errs[1] / 10);
  });

  it('planted mistake: transposing the matrix (users as columns) gives other singular vectors', () => {
    // A^T has the same sigma but its right singular vectors are A's left ones (300-long, not 200-long)
    const at = new Float64Array(200 * 300);
    for (let r = 0; r < 300; r++) for (let c = 0; c < 200; c++) at[c * 300 + r] = gapped.a[r * 200 + c];
    const t = denseCsr(at, 200, 300);
    const got = randomizedSvdCsr(t.csr, t.w, { k: 50, oversampling: 10, powerIterations: 4, seed: 1 });
    expect(got.vectors.length).toBe(300 * 50);
    expect(maxRelError(got.sigma)).toBeLessThan(1e-8); // same spectrum ...
    const right = randomizedSvdCsr(gapped.csr, gapped.w, { k: 50, oversampling: 10, powerIterations: 4, seed: 1 });
    expect(right.vectors.length).toBe(200 * 50); // ... but the movie side is the one asked for
  });
});

describe('audienceEmbedding', () => {
  function synthetic(seed: number, nUsers = 120, nMovies = 80): RatingsCsr {
    const rng = new Rng(seed);
    const users: number[] = [],
      movies: number[] = [],
      ratings: number[] = [];
    for (let u = 0; u < nUsers; u++) {
      const group = u % 3;
      for (let j = 0; j < nMovies; j++) {
        const p = j % 3 === group ? 0.6 : 0.08;
        if (rng.next() < p) {
          users.push(u);
          movies.push(j);
          ratings.push(0.5 + rng.int(10) / 2);
        }
      }
    }
    return ratingsCsr(Int32Array.from(users), Int32Array.from(movies), Float32Array.from(ratings), nUsers, nMovies);
  }

  it('row weighting: entries are value x n_u^-0.25 (dense reference built here)', () => {
    const csr = ratingsCsr(Int32Array.from([0, 0, 0, 0, 1]), Int32Array.from([0, 1, 2, 3, 2]), Float32Array.from([4, 2, 5, 1, 3]), 2, 4);
    const expected = [4, 2, 5, 1].map((v) => v / Math.SQRT2).concat([3]);
    audienceWeights(csr, 0.25, 'rating').forEach((w, i) => expect(w).toBeCloseTo(expected[i], 14));
    expect(Array.from(audienceWeights(csr, 0.5, 'binary'))).toEqual([0.5, 0.5, 0.5, 0.5, 1]);
    // the SVD is of that matrix: compare sigma with the dense reference
    const dense = new Float64Array(2 * 4);
    const w = audienceWeights(csr, 0.25, 'rating');
    for (let u = 0; u < 2; u++) for (let e = csr.indptr[u]; e < csr.indptr[u + 1]; e++) dense[u * 4 + csr.cols[e]] = w[e];
    const got = audienceEmbedding(csr, { k: 2, seed: 1, powerIterations: 3 });
    const ref = denseSvd(dense, 2, 4);
    expect(got.sigma[0]).toBeCloseTo(ref.sigma[0], 10);
    expect(got.sigma[1]).toBeCloseTo(ref.sigma[1], 10);
  });

  it('movies watched by the same audience are nearest (three planted audiences)', () => {
    const e = audienceEmbedding(synthetic(5), { k: 3, seed: 1 });
    const cos = (a: number, b: number) => {
      let s = 0,
        na = 0,
        nb = 0;
      for (let c = 0; c < 3; c++) {
        s += e.vectors[a * 3 + c] * e.vectors[b * 3 + c];
        na += e.vectors[a * 3 + c] ** 2;
        nb += e.vectors[b * 3 + c] ** 2;
      }
      return s / Math.sqrt(na * nb);
    };
    for (let j = 0; j < 9; j++) {
      const same = cos(j, j + 3),
        other = cos(j, j + 1);
      expect(same).toBeGreaterThan(other + 0.3);
    }
  });

  it('is deterministic for a seed; another seed gives other vectors but the same sigma on a gapped matrix', () => {
    const csr = synthetic(9);
    const a = audienceEmbedding(csr, { k: 3, seed: 1, powerIterations: 6 }),
      b = audienceEmbedding(csr, { k: 3, seed: 1, powerIterations: 6 }),
      c = audienceEmbedding(csr, { k: 3, seed: 2, powerIterations: 6 });
    expect(Buffer.from(a.vectors.buffer).equals(Buffer.from(b.vectors.buffer))).toBe(true);
    expect(Buffer.from(a.vectors.buffer).equals(Buffer.from(c.vectors.buffer))).toBe(false);
    for (let i = 0; i < 3; i++) expect(Math.abs(a.sigma[i] - c.sigma[i]) / a.sigma[i]).toBeLessThan(1e-6);
  });

  it('rank-deficient data (fewer movies than k + p, duplicated users) gives no NaN and exact sigma', () => {
    // 6 users, 3 movies, two distinct rows: rank 2; k 50 -> l = 3, the third direction is null
    const users = Int32Array.from([0, 0, 1, 1, 2, 2, 3, 4, 5]);
    const movies = Int32Array.from([0, 1, 0, 1, 0, 1, 2, 2, 2]);
    const csr = ratingsCsr(users, movies, new Float32Array(9).fill(4), 6, 3);
    const got = audienceEmbedding(csr, { k: 50, seed: 1, rowExponent: 0 });
    expect(got.vectors.length).toBe(3 * 50);
    expect(got.vectors.every(Number.isFinite)).toBe(true);
    // A^T A = 16 * [[3,3,0],[3,3,0],[0,0,3]]: eigenvalues 96 and 48
    expect(got.sigma[0]).toBeCloseTo(Math.sqrt(96), 9);
    expect(got.sigma[1]).toBeCloseTo(Math.sqrt(48), 9);
    expect(got.sigma[2]).toBeLessThan(1e-6);
    expect(got.sigma[3]).toBe(0);
  });

  it('orthonormalize falls back to Gram-Schmidt on a rank-deficient block and still returns orthonormal columns', () => {
    const n = 10,
      l = 3,
      x = new Float64Array(n * l);
    for (let r = 0; r < n; r++) x[r * l] = x[r * l + 1] = x[r * l + 2] = r + 1; // three equal columns
    expect(orthonormalize(x, n, l, new Rng(1))).toBe('gram-schmidt');
    for (let i = 0; i < l; i++) {
      for (let j = 0; j < l; j++) {
        let s = 0;
        for (let r = 0; r < n; r++) s += x[r * l + i] * x[r * l + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
  });

  it.each([
    [{ indptr: Int32Array.from([0, 2]), cols: Int32Array.from([0, 5]) }, /cols\[1\] = 5 is outside 0\.\.2/],
    [{ indptr: Int32Array.from([1, 2]) }, /indptr\[0\] must be 0/],
    [{ values: Float32Array.from([4, Number.NaN]) }, /values\[1\] = NaN must be finite and > 0/],
    [{ values: Float32Array.from([4, 0]) }, /values\[1\] = 0 must be finite/],
    [{ nUsers: 0 }, /nUsers must be an integer/],
  ])('rejects bad input with where and what (%#)', (patch, message) => {
    const csr: RatingsCsr = {
      nUsers: 1,
      nMovies: 3,
      indptr: Int32Array.from([0, 2]),
      cols: Int32Array.from([0, 1]),
      values: Float32Array.from([4, 3]),
      ...patch,
    };
    expect(() => audienceEmbedding(csr, { seed: 1 })).toThrow(message);
  });

  it('rejects bad options by name', () => {
    const csr = synthetic(1, 10, 5);
    expect(() => audienceEmbedding(csr, { seed: 1, k: 0 })).toThrow(/k must be an integer/);
    expect(() => audienceEmbedding(csr, { seed: 1, rowExponent: -1 })).toThrow(/rowExponent/);
    expect(() => audienceEmbedding(csr, { seed: 1.5 })).toThrow(/seed/);
  });
});

describe('blendRows', () => {
  it('cosine of the blend = (w^2 cos_taste + (1-w)^2 cos_aud) / (w^2 + (1-w)^2)', () => {
    const rng = new Rng(3);
    const taste = Float32Array.from({ length: 2 * 4 }, () => rng.normal());
    const aud = Float32Array.from({ length: 2 * 3 }, () => rng.normal());
    const cos = (x: ArrayLike<number>, d: number) => {
      let s = 0,
        a = 0,
        b = 0;
      for (let j = 0; j < d; j++) {
        s += x[j] * x[d + j];
        a += x[j] ** 2;
        b += x[d + j] ** 2;
      }
      return s / Math.sqrt(a * b);
    };
    const w = 0.3;
    const blend = blendRows(taste, 4, aud, 3, 2, w);
    const expected = (w * w * cos(taste, 4) + (1 - w) ** 2 * cos(aud, 3)) / (w * w + (1 - w) ** 2);
    expect(cos(blend, 7)).toBeCloseTo(expected, 6);
    expect(() => blendRows(taste, 4, aud, 3, 2, 1.5)).toThrow(/weight must be in 0\.\.1/);
  });

  it('a zero part stays zero (no NaN)', () => {
    const b = blendRows(Float32Array.from([0, 0]), 2, Float32Array.from([3, 4]), 2, 1, 0.3);
    expect(Array.from(b)).toEqual([0, 0, Math.fround(0.7 * 0.6), Math.fround(0.7 * 0.8)]);
  });
});
