import { audienceEmbeddingFast, audienceKernelWat, loadAudienceKernel } from './audience-kernel';
import { audienceWeights, ratingsCsr, typeScriptPasses, type RatingsCsr } from './audience-svd';
import { Rng } from './rng';

function sparse(seed: number, nUsers: number, nMovies: number, density: number): RatingsCsr {
  const rng = new Rng(seed);
  const u: number[] = [],
    m: number[] = [],
    r: number[] = [];
  for (let i = 0; i < nUsers; i++) {
    for (let j = 0; j < nMovies; j++) {
      // three planted audiences plus noise, so the top directions are well separated
      if (rng.next() < (j % 3 === i % 3 ? density * 4 : density)) {
        u.push(i);
        m.push(j);
        r.push(0.5 + rng.int(10) / 2);
      }
    }
  }
  return ratingsCsr(Int32Array.from(u), Int32Array.from(m), Float32Array.from(r), nUsers, nMovies);
}

const relDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let num = 0,
    den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
};

describe('the WebAssembly SIMD passes', () => {
  it.each([60, 7, 4])('equal the TypeScript float64 passes to float32 precision (l = %i, padded to a multiple of 4)', async (l) => {
    const csr = sparse(4, 200, 150, 0.05);
    const w = audienceWeights(csr, 0.25, 'rating');
    const rng = new Rng(1);
    const z = Float64Array.from({ length: 150 * l }, () => rng.normal());
    const ts = typeScriptPasses(csr, w, l),
      wasm = (await loadAudienceKernel(l)).passes(csr, w);
    const a = new Float64Array(150 * l),
      b = new Float64Array(150 * l);
    ts.power(z, a);
    wasm.power(z, b);
    expect(relDiff(b, a)).toBeLessThan(1e-6);
    expect(relDiff(b, a)).toBeGreaterThan(0); // float32: not the same computation (the comparison can fail)
    expect(relDiff(wasm.ritz(z), ts.ritz(z))).toBeLessThan(1e-6);
    // a second pass reuses the memory: out is cleared, not accumulated
    wasm.power(z, b);
    expect(relDiff(b, a)).toBeLessThan(1e-6);
  });

  it('give the same embedding as the reference: sigma to 1e-5, the same leading directions', async () => {
    const csr = sparse(8, 300, 120, 0.04);
    const wasm = await audienceEmbeddingFast(csr, { k: 3, seed: 1, powerIterations: 4 });
    const ts = await audienceEmbeddingFast(csr, { k: 3, seed: 1, powerIterations: 4, kernel: 'ts' });
    expect(wasm.kernel).toBe('wasm');
    expect(ts.kernel).toBe('ts');
    for (let i = 0; i < 3; i++) expect(Math.abs(wasm.sigma[i] - ts.sigma[i]) / ts.sigma[i]).toBeLessThan(1e-5);
    // same sign convention, so the columns agree entry by entry
    expect(relDiff(wasm.vectors, ts.vectors)).toBeLessThan(1e-3);
  });

  it('checks its input and options like audienceEmbedding', async () => {
    const csr = sparse(1, 10, 5, 0.3);
    await expect(audienceEmbeddingFast(csr, { seed: 1, k: 0 })).rejects.toThrow(/k must be an integer/);
    await expect(audienceEmbeddingFast({ ...csr, nMovies: 2 }, { seed: 1 })).rejects.toThrow(/cols\[\d+\] = \d is outside 0\.\.1/);
    expect(() => audienceKernelWat(6)).toThrow(/multiple of 4/);
  });
});
