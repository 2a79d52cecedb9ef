import { cosine, dot, meanOfRows, norm, normalizeRows, row, transposeRows } from './cosine';

// Known answers worked by hand: 3-4-5 triangles and 45-degree angles.
describe('vector helpers', () => {
  it('dot and norm', () => {
    expect(dot([1, 2, 3], [4, -5, 6])).toBe(4 - 10 + 18);
    expect(norm([3, 4])).toBe(5);
    expect(norm(new Float32Array([0, 0]))).toBe(0);
    expect(() => dot([1], [1, 2])).toThrow(/differ in length \(1 vs 2\)/);
  });

  it('cosine: parallel 1, opposite -1, orthogonal 0, 45 degrees 1/sqrt 2, zero vector 0', () => {
    expect(cosine([1, 2], [2, 4])).toBeCloseTo(1, 15);
    expect(cosine([1, 2], [-3, -6])).toBeCloseTo(-1, 15);
    expect(cosine([1, 0], [0, 5])).toBe(0);
    expect(cosine([1, 0], [1, 1])).toBeCloseTo(Math.SQRT1_2, 15);
    expect(cosine([0, 0], [1, 1])).toBe(0);
    // (3,4)·(4,3) = 24, norms 5 and 5 -> 24/25
    expect(cosine(new Float32Array([3, 4]), new Float32Array([4, 3]))).toBeCloseTo(0.96, 7);
  });

  it('normalizeRows makes unit rows, keeps zero rows, in place or as a copy', () => {
    const m = new Float32Array([3, 4, 0, 0, 0, -2]);
    const copy = normalizeRows(m, 3, 2, { inPlace: false });
    expect(copy).not.toBe(m);
    expect(Array.from(m)).toEqual([3, 4, 0, 0, 0, -2]);
    expect(Array.from(copy)).toEqual([Math.fround(0.6), Math.fround(0.8), 0, 0, 0, -1]);
    const same = normalizeRows(m, 3, 2);
    expect(same).toBe(m);
    expect(Array.from(m)).toEqual(Array.from(copy));
    expect(() => normalizeRows(m, 4, 2)).toThrow(/fewer than rows\*dim = 4\*2/);
  });

  it('after normalising, the dot of two rows is their cosine', () => {
    const m = new Float32Array([1, 2, 3, -1, 0.5, 2]);
    const c = cosine(row(m, 0, 3), row(m, 1, 3));
    normalizeRows(m, 2, 3);
    expect(dot(row(m, 0, 3), row(m, 1, 3))).toBeCloseTo(c, 6);
  });

  it('transposeRows turns rows x dim into dim x rows', () => {
    const m = new Float32Array([1, 2, 3, 4, 5, 6]); // 3 rows x 2
    expect(Array.from(transposeRows(m, 3, 2))).toEqual([1, 3, 5, 2, 4, 6]);
  });

  it('meanOfRows averages the chosen rows', () => {
    const m = new Float32Array([1, 2, 3, 4, 5, 6]);
    expect(Array.from(meanOfRows(m, 2, [0, 2]))).toEqual([3, 4]);
    expect(Array.from(meanOfRows(m, 2, []))).toEqual([0, 0]);
  });
});
