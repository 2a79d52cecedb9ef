// Given a trained model's movies and a new user's ratings, when folded in, then the
// user's vector and bias are the exact minimiser: planted users are recovered, the
// gradient vanishes at the answer, and no nearby point does better.
import { choleskySolve, foldInGradient, foldInUser, type FoldInProblem } from './fold-in';
import { Rng } from './rng';

const Y: [number, number] = [0, 5.5];
const f = (x: number) => Y[0] + (Y[1] - Y[0]) / (1 + Math.exp(-x));

function planted(n: number, k: number, seed: number, u: number[], b: number): FoldInProblem {
  const rng = new Rng(seed);
  const factors = Float64Array.from({ length: n * k }, () => rng.normal(0, 0.6));
  const movieBias = Float64Array.from({ length: n }, () => rng.normal(0, 0.3));
  const ratings = Float64Array.from({ length: n }, (_, i) => {
    let x = b + movieBias[i];
    for (let j = 0; j < k; j++) x += factors[i * k + j] * u[j];
    return f(x);
  });
  return { factors, movieBias, ratings, dim: k, yRange: Y, lambda: 1e-10 };
}

describe('choleskySolve', () => {
  it('solves a known 2×2 system', () => {
    expect(Array.from(choleskySolve(Float64Array.from([4, 2, 2, 3]), Float64Array.from([2, 1]), 2))).toEqual([0.5, 0]);
  });
  it('refuses a matrix that is not positive definite (planted: a negative pivot)', () => {
    expect(() => choleskySolve(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]), 2)).toThrow(/not positive definite/);
  });
});

describe('foldInUser', () => {
  it('recovers a planted user exactly from noise-free ratings', () => {
    const u = [0.5, -0.3, 0.2, 0.9];
    const r = foldInUser(planted(30, 4, 1, u, 0.15));
    Array.from(r.vector).forEach((v, j) => expect(v).toBeCloseTo(u[j], 6));
    expect(r.bias).toBeCloseTo(0.15, 6);
    expect(r.loss).toBeLessThan(1e-9); // the ridge term λ|u|² alone is ~1.2e-10
  });

  it('with a ridge weight, stops where the gradient of its objective vanishes, and no nearby point is better', () => {
    const rng = new Rng(5);
    const p: FoldInProblem = { ...planted(12, 6, 2, [1, 0, -1, 0.5, 0.2, -0.4], -0.2), lambda: 0.7, biasLambda: 0.3 };
    p.ratings = Float64Array.from(p.ratings as Float64Array, (r) =>
      Math.min(5, Math.max(0.5, Math.round((r + rng.normal(0, 0.5)) * 2) / 2)),
    );
    const r = foldInUser(p);
    const g = foldInGradient(p, r.vector, r.bias);
    expect(Math.max(...Array.from(g, Math.abs))).toBeLessThan(1e-8);
    const objective = (v: ArrayLike<number>, b: number) => {
      let loss = 0.3 * b * b;
      for (let j = 0; j < 6; j++) loss += 0.7 * v[j] * v[j];
      for (let i = 0; i < 12; i++) {
        let x = b + p.movieBias[i];
        for (let j = 0; j < 6; j++) x += p.factors[i * 6 + j] * v[j];
        loss += (f(x) - p.ratings[i]) ** 2;
      }
      return loss;
    };
    expect(objective(r.vector, r.bias)).toBeCloseTo(r.loss, 10);
    for (let t = 0; t < 20; t++) {
      const v = Array.from(r.vector, (x) => x + rng.normal(0, 1e-3));
      expect(objective(v, r.bias + rng.normal(0, 1e-3))).toBeGreaterThanOrEqual(r.loss);
    }
  });

  it('answers a visitor with fewer ratings than factors (the ridge keeps the system solvable)', () => {
    const p = { ...planted(3, 50, 3, Array(50).fill(0.1), 0), lambda: 1 };
    const r = foldInUser(p);
    expect(r.vector).toHaveLength(50);
    expect(Array.from(r.vector).every(Number.isFinite)).toBe(true);
    expect(Math.max(...Array.from(foldInGradient(p, r.vector, r.bias), Math.abs))).toBeLessThan(1e-8);
  });

  it('a higher rating of a movie pulls the user toward it', () => {
    const base = planted(10, 3, 4, [0.2, 0.2, 0.2], 0);
    const low = foldInUser({ ...base, lambda: 1, ratings: Float64Array.from(base.ratings as Float64Array, (r, i) => (i === 0 ? 1 : r)) });
    const high = foldInUser({ ...base, lambda: 1, ratings: Float64Array.from(base.ratings as Float64Array, (r, i) => (i === 0 ? 5 : r)) });
    const score = (v: ArrayLike<number>, b: number) => b + Array.from(v).reduce((s, x, j) => s + x * base.factors[j], 0);
    expect(score(high.vector, high.bias)).toBeGreaterThan(score(low.vector, low.bias));
  });

  it('refuses ratings outside the y_range and mismatched sizes, naming them', () => {
    const p = planted(3, 2, 6, [0, 0], 0);
    expect(() => foldInUser({ ...p, ratings: [1, 2, 6] })).toThrow(/rating 6 is outside the model's y_range \(0, 5.5\)/);
    expect(() => foldInUser({ ...p, movieBias: [0] })).toThrow(/3 ratings need 6 factors and 3 biases/);
    expect(() => foldInUser({ ...p, lambda: 0 })).toThrow(/lambda/);
  });
});
