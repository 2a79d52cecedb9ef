// Seeded, platform-independent random numbers for everything in cinemap that
// must be reproducible from a `--seed`: validation splits, stratified
// sampling, synthetic dumps, embedding initialisation, per-worker streams.
//
// Generator: sfc32 (Chris Doty-Humphrey's "small fast chaotic" PRNG, the one
// PractRand ships; 128-bit state, passes PractRand to >= 1 TB). It needs only
// 32-bit add/xor/shift, so with `| 0` / `>>> 0` it gives bit-identical output
// on every JS engine and CPU. The state is filled from the seed with the
// splitmix32 / murmur3 finaliser and the first 12 outputs are discarded, so
// neighbouring seeds (1, 2, 3...) start far apart.
//
// `normal()` uses Box–Muller (two uniforms -> two normals; the second is
// cached). V8's Math.log/cos/sin/sqrt are fdlibm ports, so within Node the
// normals are reproducible across platforms too.

/** Anything indexable and writable: plain arrays and every typed array. */
export interface MutableArrayLike<T> {
  length: number;
  [index: number]: T;
}

const TWO_POW_32 = 4294967296;

/** murmur3's 32-bit finaliser: a bijective avalanche mix of one word. */
export function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Reduces an integer seed (any safe integer, negative allowed) to a 32-bit key. */
function seedKey(seed: number): number {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`Rng seed must be a safe integer, got ${String(seed)}; pass e.g. --seed 42`);
  }
  const lo = seed >>> 0; // two's complement low word, also for negatives
  const hi = Math.floor(seed / TWO_POW_32) >>> 0;
  return mix32(lo ^ mix32(hi + 0x632be5ab));
}

export class Rng {
  /** The 32-bit key this stream was built from; `fork` derives children from it. */
  readonly key: number;
  private a = 0;
  private b = 0;
  private c = 0;
  private counter = 1;
  private spare = 0;
  private hasSpare = false;

  /**
   * @param seed any safe integer. The same seed gives the same sequence on
   *   every run and platform.
   */
  constructor(seed: number) {
    this.key = seedKey(seed);
    this.init(this.key);
  }

  /** Builds a stream directly from a 32-bit key (used by `fork`). */
  static fromKey(key: number): Rng {
    const r = Object.create(Rng.prototype) as Rng;
    (r as { key: number }).key = key >>> 0;
    r.a = r.b = r.c = r.spare = 0;
    r.counter = 1;
    r.hasSpare = false;
    r.init(r.key);
    return r;
  }

  private init(key: number): void {
    // splitmix32: a Weyl sequence through the finaliser fills the state.
    let s = key;
    s = (s + 0x9e3779b9) >>> 0;
    this.a = mix32(s);
    s = (s + 0x9e3779b9) >>> 0;
    this.b = mix32(s);
    s = (s + 0x9e3779b9) >>> 0;
    this.c = mix32(s);
    this.counter = 1;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** The raw generator: a uniform integer in [0, 2^32). */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.counter) | 0;
    this.counter = (this.counter + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1), with 32 bits of resolution. */
  next(): number {
    return this.uint32() / TWO_POW_32;
  }

  /**
   * Uniform integer in [0, n), exactly unbiased (rejection of the short top
   * slice of the 32-bit range), for 1 <= n <= 2^32.
   */
  int(n: number): number {
    if (!(n >= 1 && n <= TWO_POW_32) || !Number.isInteger(n)) {
      throw new RangeError(`Rng.int(n) needs an integer 1 <= n <= 2^32, got ${String(n)}`);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let x = this.uint32();
    while (x >= limit) x = this.uint32();
    return x % n;
  }

  /** A normal deviate (Box–Muller), mean `mean`, standard deviation `sd`. */
  normal(mean = 0, sd = 1): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return mean + sd * this.spare;
    }
    const u1 = 1 - this.next(); // (0, 1]: log never sees 0
    const u2 = this.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    this.hasSpare = true;
    return mean + sd * r * Math.cos(theta);
  }

  /** Fisher–Yates shuffle in place (arrays or typed arrays); returns its argument. */
  shuffle<A extends MutableArrayLike<unknown>>(items: A): A {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /** A uniformly random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /**
   * An independent stream for worker `streamId` (any safe integer). It depends
   * only on this stream's key and the id — not on how many numbers were drawn
   * so far — so worker 3 gets the same numbers however the parent was used.
   */
  fork(streamId: number): Rng {
    return Rng.fromKey(mix32(this.key ^ mix32(seedKey(streamId) + 0x5bd1e995)));
  }
}
