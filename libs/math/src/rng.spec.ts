import { Rng, mix32 } from './rng';

// Expected raw outputs come from an independent Python transcription of
// sfc32 + the splitmix32/murmur3 seeding described in rng.ts (big-int
// arithmetic masked to 32 bits, no shared code with this file):
//   Sfc(seedkey(42)).u32() x5 -> 2095208467, 3595702823, ...
describe('Rng (sfc32)', () => {
  it('gives the reference first outputs for fixed seeds', () => {
    const cases: Array<[number, number[]]> = [
      [42, [2095208467, 3595702823, 2854297653, 696407242, 651764268]],
      [0, [4111194834, 503893542, 2229350351, 38550966, 2556952561]],
      [-1, [2415534846, 2707801783, 2985119112, 1632471254, 1483872283]],
      [2 ** 40 + 7, [3570323639, 204074805, 2469187762, 2893625210, 956143645]],
    ];
    for (const [seed, expected] of cases) {
      const r = new Rng(seed);
      expect(Array.from({ length: 5 }, () => r.uint32())).toEqual(expected);
    }
  });

  it('next() is uint32 / 2^32', () => {
    const r = new Rng(42);
    expect(r.next()).toBe(0.48782873596064746);
    expect(r.next()).toBe(0.8371898026671261);
    expect(r.next()).toBe(0.6645679597277194);
  });

  it('is deterministic and seed-sensitive', () => {
    const a = new Rng(7),
      b = new Rng(7),
      c = new Rng(8);
    const xa = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(xa);
    expect(Array.from({ length: 100 }, () => c.next())).not.toEqual(xa);
  });

  it('rejects seeds that cannot be reproduced', () => {
    expect(() => new Rng(1.5)).toThrow(/safe integer/);
    expect(() => new Rng(Number.NaN)).toThrow(/seed/);
  });

  it('mix32 is the murmur3 finaliser (reference: fmix32(1) = 0x514e28b7)', () => {
    expect(mix32(0)).toBe(0);
    expect(mix32(1)).toBe(0x514e28b7);
  });

  it('fork(id) depends only on the key and id, matches the reference, and differs per id', () => {
    const parent = new Rng(42);
    const f3 = parent.fork(3);
    expect([f3.uint32(), f3.uint32(), f3.uint32()]).toEqual([2627856499, 3045955170, 4032762411]);
    parent.next();
    parent.next();
    const again = parent.fork(3);
    expect(again.uint32()).toBe(2627856499);
    const firsts = new Set(Array.from({ length: 64 }, (_, i) => parent.fork(i).uint32()));
    expect(firsts.size).toBe(64);
  });

  it('forked streams are uncorrelated with each other and the parent', () => {
    const n = 20000;
    const p = new Rng(1),
      f = p.fork(1);
    let sxy = 0,
      sx = 0,
      sy = 0,
      sxx = 0,
      syy = 0;
    for (let i = 0; i < n; i++) {
      const x = p.next(),
        y = f.next();
      sx += x;
      sy += y;
      sxy += x * y;
      sxx += x * x;
      syy += y * y;
    }
    const corr = (sxy / n - (sx / n) * (sy / n)) / Math.sqrt((sxx / n - (sx / n) ** 2) * (syy / n - (sy / n) ** 2));
    // sd of a sample correlation of independent streams ~ 1/sqrt(n) = 0.007
    expect(Math.abs(corr)).toBeLessThan(0.035);
  });

  it('next() has uniform moments: mean 1/2, variance 1/12', () => {
    const r = new Rng(123),
      n = 100000;
    let s = 0,
      ss = 0,
      outside = 0;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      if (!(x >= 0 && x < 1)) outside++;
      s += x;
      ss += x * x;
    }
    expect(outside).toBe(0);
    const mean = s / n,
      v = ss / n - mean * mean;
    // sd of the mean = sqrt(1/12/n) = 0.0009; allow 5 sd
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.0046);
    expect(Math.abs(v - 1 / 12)).toBeLessThan(0.002);
  });

  it('normal() has mean 0, variance 1, skew 0, kurtosis 3 (and honours mean/sd)', () => {
    const r = new Rng(2024),
      n = 200000;
    let s1 = 0,
      s2 = 0,
      s3 = 0,
      s4 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s1 += z;
      s2 += z * z;
      s3 += z ** 3;
      s4 += z ** 4;
    }
    const m = s1 / n,
      v = s2 / n;
    // standard errors: mean 1/sqrt(n)=0.0022, var sqrt(2/n)=0.0032, skew sqrt(15/n)=0.0087, kurt sqrt(96/n)=0.022
    expect(Math.abs(m)).toBeLessThan(0.011);
    expect(Math.abs(v - 1)).toBeLessThan(0.016);
    expect(Math.abs(s3 / n)).toBeLessThan(0.045);
    expect(Math.abs(s4 / n - 3)).toBeLessThan(0.11);
    const r2 = new Rng(5);
    let t = 0;
    for (let i = 0; i < 20000; i++) t += r2.normal(10, 0.5);
    expect(Math.abs(t / 20000 - 10)).toBeLessThan(0.02);
  });

  it('int(n) stays in range, hits every value evenly, and validates n', () => {
    const r = new Rng(9),
      counts = new Int32Array(7),
      n = 70000;
    let bad = 0;
    for (let i = 0; i < n; i++) {
      const k = r.int(7);
      if (Number.isInteger(k) && k >= 0 && k < 7) counts[k]++;
      else bad++;
    }
    expect(bad).toBe(0);
    // expected 10000 each, sd sqrt(10000*6/7) = 93; allow 5 sd
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(465);
    expect(r.int(1)).toBe(0);
    expect(() => r.int(0)).toThrow(/1 <= n/);
    expect(() => r.int(2.5)).toThrow(/integer/);
    const big = r.int(2 ** 32);
    expect(big >= 0 && big < 2 ** 32).toBe(true);
  });

  it('shuffle is an in-place permutation, works on typed and plain arrays, and every position is uniform', () => {
    const r = new Rng(11);
    const a = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const same = r.shuffle(a);
    expect(same).toBe(a);
    expect(Array.from(a).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const words = r.shuffle(['a', 'b', 'c']);
    expect([...words].sort()).toEqual(['a', 'b', 'c']);
    // where does element 0 of [0,1,2,3] land? uniform 1/4 each
    const where = new Int32Array(4),
      trials = 40000;
    for (let t = 0; t < trials; t++) {
      const p = r.shuffle([0, 1, 2, 3]);
      where[p.indexOf(0)]++;
    }
    // expected 10000, sd sqrt(40000*3/16) = 87
    for (const w of where) expect(Math.abs(w - 10000)).toBeLessThan(435);
  });

  it('permutation(n) contains 0..n-1 once each', () => {
    const p = new Rng(3).permutation(1000);
    const seen = new Uint8Array(1000);
    for (const x of p) seen[x]++;
    expect(seen.every((c) => c === 1)).toBe(true);
    expect(Array.from(p.slice(0, 10))).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
