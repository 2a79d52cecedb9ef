import { PCA } from 'ml-pca';
import { Pca, jacobiEigen } from './pca';
import { Rng } from './rng';

describe('Pca known answers (worked by hand)', () => {
  it('2-D: four points on two diagonals, shifted by (10, -5)', () => {
    // Centred points (3,3), (-3,-3), (1,-1), (-1,1): X^T X = [[20,16],[16,20]],
    // covariance /(n-1=3) = [[20/3,16/3],[16/3,20/3]] -> eigenvalues 36/3 = 12 along
    // (1,1)/sqrt2 and 4/3 along (1,-1)/sqrt2 (tie in |value| -> first coordinate positive).
    // Ratios 12/(40/3) = 0.9 and 0.1. Projections: (3,3) -> (3 sqrt2, 0), (1,-1) -> (0, sqrt2).
    const pts = [3, 3, -3, -3, 1, -1, -1, 1].map((v, i) => v + (i % 2 === 0 ? 10 : -5));
    const pca = Pca.fit(Float32Array.from(pts), 4, 2, 2);
    expect(Array.from(pca.mean)).toEqual([10, -5]);
    const h = Math.SQRT1_2;
    expect(pca.component(0)[0]).toBeCloseTo(h, 12);
    expect(pca.component(0)[1]).toBeCloseTo(h, 12);
    expect(pca.component(1)[0]).toBeCloseTo(h, 12);
    expect(pca.component(1)[1]).toBeCloseTo(-h, 12);
    const v = pca.explainedVariance();
    expect(v[0]).toBeCloseTo(12, 12);
    expect(v[1]).toBeCloseTo(4 / 3, 12);
    const r = pca.explainedVarianceRatio();
    expect(r[0]).toBeCloseTo(0.9, 12);
    expect(r[1]).toBeCloseTo(0.1, 12);
    const p = pca.project(Float32Array.from(pts), 4);
    const expected = [3 * Math.SQRT2, 0, -3 * Math.SQRT2, 0, 0, Math.SQRT2, 0, -Math.SQRT2];
    expected.forEach((e, i) => expect(p[i]).toBeCloseTo(e, 5));
  });

  it('3-D: axis-aligned pairs give the axes, ordered by variance', () => {
    // ±(2,0,0), ±(0,1,0), ±(0,0,3): X^T X = diag(8, 2, 18); /5 -> diag(1.6, 0.4, 3.6).
    const m = Float64Array.of(2, 0, 0, -2, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 3, 0, 0, -3);
    const pca = Pca.fit(m, 6, 3, 2);
    expect(Array.from(pca.component(0))).toEqual([0, 0, 1]);
    expect(Array.from(pca.component(1))).toEqual([1, 0, 0]);
    expect(Array.from(pca.explainedVariance()).map((x) => +x.toFixed(12))).toEqual([3.6, 1.6]);
    expect(pca.totalVariance).toBeCloseTo(5.6, 12);
    expect(Array.from(pca.explainedVarianceRatio()).map((x) => +x.toFixed(12))).toEqual([
      +(3.6 / 5.6).toFixed(12),
      +(1.6 / 5.6).toFixed(12),
    ]);
    expect(Array.from(pca.project(Float64Array.of(1, 2, 3), 1))).toEqual([3, 1]);
  });

  it('jacobiEigen diagonalises a 2x2 by hand: [[2,1],[1,2]] -> 1 and 3', () => {
    const { values } = jacobiEigen(Float64Array.of(2, 1, 1, 2), 2);
    const sorted = Array.from(values).sort((a, b) => a - b);
    expect(sorted[0]).toBeCloseTo(1, 14);
    expect(sorted[1]).toBeCloseTo(3, 14);
  });
});

describe('Pca vs ml-pca (same components up to sign, same variances)', () => {
  it('agrees on correlated random data (300 x 8)', () => {
    const rng = new Rng(31);
    const rows = 300,
      dim = 8;
    // latent factors with decreasing scale, mixed into 8 correlated features
    const mix = Array.from({ length: 4 * dim }, () => rng.normal());
    const m = new Float32Array(rows * dim);
    for (let r = 0; r < rows; r++) {
      const z = [4 * rng.normal(), 2 * rng.normal(), rng.normal(), 0.5 * rng.normal()];
      for (let j = 0; j < dim; j++) {
        let s = 0.1 * rng.normal() + 3;
        for (let f = 0; f < 4; f++) s += z[f] * mix[f * dim + j];
        m[r * dim + j] = s;
      }
    }
    const data = Array.from({ length: rows }, (_, r) => Array.from(m.subarray(r * dim, (r + 1) * dim)));
    const ref = new PCA(data); // centre, no scaling, SVD
    const mine = Pca.fit(m, rows, dim, 5);
    const refVals = ref.getEigenvalues();
    const refRatio = ref.getExplainedVariance();
    const refVecs = ref.getEigenvectors(); // columns are components
    const refProj = ref.predict(data.slice(0, 10), { nComponents: 5 });
    const myProj = mine.project(m, 10);
    for (let c = 0; c < 5; c++) {
      expect(mine.explainedVariance()[c] / refVals[c]).toBeCloseTo(1, 9);
      expect(mine.explainedVarianceRatio()[c]).toBeCloseTo(refRatio[c], 9);
      let dotp = 0;
      for (let j = 0; j < dim; j++) dotp += mine.component(c)[j] * refVecs.get(j, c);
      expect(Math.abs(dotp)).toBeCloseTo(1, 9); // same direction up to sign
      const sign = Math.sign(dotp);
      for (let r = 0; r < 10; r++) expect(myProj[r * 5 + c]).toBeCloseTo(sign * refProj.get(r, c), 3);
    }
  });
});

describe('Pca surface', () => {
  it('signs are deterministic: largest-|value| coordinate positive', () => {
    const rng = new Rng(2);
    const m = new Float32Array(200 * 6);
    for (let i = 0; i < m.length; i++) m[i] = rng.normal() * (1 + (i % 6));
    const pca = Pca.fit(m, 200, 6, 6);
    for (let c = 0; c < 6; c++) {
      const comp = Array.from(pca.component(c));
      const big = comp.reduce((b, x, j) => (Math.abs(x) > Math.abs(comp[b]) ? j : b), 0);
      expect(comp[big]).toBeGreaterThan(0);
      expect(comp.reduce((s, x) => s + x * x, 0)).toBeCloseTo(1, 12);
    }
    const ratios = Array.from(pca.explainedVarianceRatio());
    expect(ratios.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    for (let c = 1; c < 6; c++) expect(ratios[c]).toBeLessThanOrEqual(ratios[c - 1]);
  });

  it('round-trips through JSON and projects the same', () => {
    const m = Float32Array.of(1, 2, 3, 2, 4, 1, 3, 1, 0, 5, 5, 5);
    const pca = Pca.fit(m, 4, 3, 2);
    const back = Pca.fromJSON(JSON.parse(JSON.stringify(pca)));
    expect(back.project(m, 4)).toEqual(pca.project(m, 4));
    expect(back.explainedVariance()).toEqual(pca.explainedVariance());
    expect(() => Pca.fromJSON({ name: 'PCA' } as never)).toThrow(/not a saved Pca model/);
  });

  it('explains bad input', () => {
    expect(() => Pca.fit(new Float32Array(4), 1, 4)).toThrow(/at least 2 rows/);
    expect(() => Pca.fit(new Float32Array(8), 2, 4, 5)).toThrow(/nComponents must be an integer in 1..dim \(4\), got 5/);
    expect(() => Pca.fit(new Float32Array(7), 2, 4)).toThrow(/fewer than rows\*dim = 2\*4/);
  });
});
