// Given one rating and a tiny model, when the native kernel takes one step, then every
// parameter moves exactly as the hand-derived gradient and optimizer say; and the
// schedule it follows is fast.ai's one-cycle with fast.ai's cumulative weight decay.
import { Rng, oneCycle } from '@cinemap/math';
import { autoBatchSize } from '../../options';
import {
  allocateArena,
  arenaLayout,
  catchUpDecay,
  packRows,
  paddedFactors,
  powTable,
  rangeTrainer,
  rowStride,
  stateFromInit,
  trainRange,
  type KernelKind,
  type KernelState,
  type WorkerInit,
} from './kernel';
import { compileWasmKernel } from './native-engine';
import { blockLayout, dealWork, epochOrder, scheduleTables, threadsFor } from './schedule';

const K = 2,
  S = rowStride(K),
  KP = paddedFactors(K);
// Record slots after the padded factors: bias, v, v_bias, last step, last batch.
const B = KP,
  V = KP + 1,
  VB = KP + 2,
  LAST = KP + 3;

function tinyState(): KernelState {
  const data = new Int32Array(3);
  const dataF = new Float32Array(data.buffer);
  data[0] = 1; // user 1
  data[1] = 0; // movie 0
  dataF[2] = 4.5;
  const UT = new Float32Array(2 * S),
    MT = new Float32Array(S);
  packRows(Float32Array.from([0, 0, 0.3, -0.2]), Float32Array.from([0, 0.05]), 2, K, S, UT);
  packRows(Float32Array.from([0.5, 0.1]), Float32Array.from([0.2]), 1, K, S, MT);
  return {
    k: K,
    stride: S,
    UT,
    UI: new Int32Array(UT.buffer),
    MT,
    MI: new Int32Array(MT.buffer),
    logDecay: Float64Array.from([0, Math.log(1 - 0.01 * 0.1)]),
    lr: Float64Array.from([0.01]),
    powB2: powTable(0.99),
    data,
    dataF,
    lo: 0,
    range: 5.5,
    beta2: 0.99,
    eps: 1e-5,
    batchSize: 1,
  };
}

describe('native kernel, one step', () => {
  it('matches the hand-computed gradient, row-wise Adam step and decoupled decay', () => {
    const st = tinyState();
    const sumSq = trainRange(st, 0, 1, 0, 0);
    // By hand: decay first (fast.ai: p *= 1 - lr*wd), then the loss at the decayed weights.
    const f = 1 - 0.01 * 0.1;
    const u = [0.3 * f, -0.2 * f],
      m = [0.5 * f, 0.1 * f],
      bu = 0.05 * f,
      bm = 0.2 * f;
    const x = u[0] * m[0] + u[1] * m[1] + bu + bm;
    const s = 1 / (1 + Math.exp(-x));
    const pred = 5.5 * s;
    const err = pred - 4.5;
    expect(sumSq).toBeCloseTo(err * err, 6);
    const g = 2 * err * 5.5 * s * (1 - s); // d(err^2)/dx
    // First touch at t=0: v = (1 - beta2) * g^2 (debiased by 1 - beta2^1), so each step is lr * g / |g| = lr * sign(g).
    const vb = 0.01 * g * g;
    const stepB = (0.01 * g) / (Math.sqrt(vb / 0.01) + 1e-5);
    expect(st.UT[S + B]).toBeCloseTo(bu - stepB, 6);
    expect(st.MT[B]).toBeCloseTo(bm - stepB, 6);
    // Row-wise second moment: the mean of the squared row gradient (g * m_j)^2.
    const vu = 0.01 * g * g * ((m[0] ** 2 + m[1] ** 2) / 2);
    const vm = 0.01 * g * g * ((u[0] ** 2 + u[1] ** 2) / 2);
    expect(st.UT[S + V] / vu).toBeCloseTo(1, 5);
    expect(st.MT[V] / vm).toBeCloseTo(1, 5);
    const su = (0.01 * g) / (Math.sqrt(vu / 0.01) + 1e-5),
      sm = (0.01 * g) / (Math.sqrt(vm / 0.01) + 1e-5);
    expect(st.UT[S]).toBeCloseTo(u[0] - su * m[0], 6);
    expect(st.UT[S + 1]).toBeCloseTo(u[1] - su * m[1], 6);
    expect(st.MT[0]).toBeCloseTo(m[0] - sm * u[0], 6);
    expect(st.MT[1]).toBeCloseTo(m[1] - sm * u[1], 6);
    // The untouched user 0 is decayed only when caught up (exactly, at the epoch end).
    st.UT[0] = 1;
    catchUpDecay(st.UT, st.UI, K, S, st.logDecay, 1, 0, 2);
    expect(st.UT[0]).toBeCloseTo(f, 7);
    expect(st.UI[LAST]).toBe(1);
    // The touched user's bias second moment is in its own slot (first touch: (1 - beta2) g^2).
    expect(st.UT[S + VB] / vb).toBeCloseTo(1, 5);
  });

  it('loss goes down on repeated steps of the same rating', () => {
    const st = tinyState();
    st.logDecay = new Float64Array(101);
    st.lr = new Float64Array(100).fill(0.05);
    const first = trainRange(st, 0, 1, 0, 0);
    let last = first;
    for (let i = 1; i < 100; i++) last = trainRange(st, 0, 1, i, i);
    expect(last).toBeLessThan(first / 10);
  });
});

describe('native kernel, a row another thread stamped ahead (Hogwild across rounds)', () => {
  // Two threads on disjoint blocks can still meet a row when one runs ahead into the
  // next round. The row's stamps then lie AHEAD of the slower thread's clock: its decay
  // is already applied further, and its last batch is later. Before the fix the slower
  // thread scaled the row UP (exp of a positive log-decay difference) and moved the
  // stamps back, so the next touch saw a gap that never was and decayed v by it.
  async function kernelOn(kind: KernelKind) {
    const nSteps = 8,
      pow = powTable(0.99);
    const layout = arenaLayout(2, 1, K, nSteps, pow.length, 1);
    const init = {
      k: K,
      kernel: kind,
      memory: allocateArena(layout),
      layout,
      wasmModule: kind === 'wasm' ? await compileWasmKernel() : undefined,
    } as WorkerInit;
    const st = stateFromInit({ ...init, lo: 0, range: 5.5, beta2: 0.99, eps: 1e-5, batchSize: 1 });
    st.data[0] = 1;
    st.data[1] = 0;
    st.dataF[2] = 4.5;
    packRows(Float32Array.from([0, 0, 0.3, -0.2]), Float32Array.from([0, 0.05]), 2, K, S, st.UT);
    packRows(Float32Array.from([0.5, 0.1]), Float32Array.from([0.2]), 1, K, S, st.MT);
    for (let i = 1; i <= nSteps; i++) st.logDecay[i] = i * Math.log(0.9);
    st.lr.fill(0.01);
    st.powB2.set(pow);
    return { st, train: rangeTrainer(init, st) };
  }

  for (const kind of ['ts', 'wasm'] as const) {
    it(`${kind} kernel: does not scale the row back up, and keeps the later stamps`, async () => {
      const { st, train } = await kernelOn(kind);
      // The user row was touched at step 5 / batch 40 by a thread further along.
      st.UI[S + LAST] = 5;
      st.UI[S + LAST + 1] = 40;
      st.UT[S + V] = 1e-4;
      const before = [st.UT[S], st.UT[S + 1]];
      train(0, 1, 0, 3); // this thread: step 0 (target 1), batch 3
      expect(st.UI[S + LAST]).toBe(5);
      expect(st.UI[S + LAST + 1]).toBe(40);
      // No catch-up factor (it would have been 0.9^-4 ≈ 1.52): the step alone moved it.
      expect(Math.abs(st.UT[S] - before[0])).toBeLessThan(0.05);
      expect(Math.abs(st.UT[S + 1] - before[1])).toBeLessThan(0.05);
      // v was not decayed by a negative gap: only this rating's (1 - beta2) g^2 was added.
      expect(st.UT[S + V]).toBeGreaterThanOrEqual(1e-4 * 0.999);
      // The movie row (stamps behind) was caught up and stamped as before.
      expect(st.MI[LAST]).toBe(1);
      expect(st.MI[LAST + 1]).toBe(3);
    });
  }
});

describe('native schedule', () => {
  it("is fast.ai one-cycle (warm-up to lr_max, cosine anneal) with fast.ai's cumulative decay", () => {
    const cfg = { lr: 5e-3, wd: 0.1, epochs: 5, batchSize: 64 };
    const t = scheduleTables(cfg, 10_000, 20);
    expect(t.totalSteps).toBe(100);
    const ref = oneCycle({ lrMax: 5e-3, totalSteps: 100 });
    for (let s = 0; s < 100; s++) expect(t.lrs[s]).toBeCloseTo(ref(s).lr, 12);
    expect(t.lrs[0]).toBeCloseTo(5e-3 / 25, 12);
    const peak = t.lrs.indexOf(Math.max(...t.lrs));
    expect(peak).toBe(25);
    for (let s = 1; s <= 25; s++) expect(t.lrs[s]).toBeGreaterThan(t.lrs[s - 1]);
    for (let s = 26; s < 100; s++) expect(t.lrs[s]).toBeLessThan(t.lrs[s - 1]);
    // The same total decay as fast.ai's per-batch decay over every row: 10,000 ratings/epoch at bs 64.
    let fastai = 0;
    const steps = Math.ceil(10_000 / 64) * 5;
    const f = oneCycle({ lrMax: 5e-3, totalSteps: steps });
    for (let s = 0; s < steps; s++) fastai += Math.log1p(-f(s).lr * 0.1);
    expect(t.logDecay[100] / fastai).toBeCloseTo(1, 2);
  });
});

describe('native block layout and order (LIBMF-style rounds)', () => {
  // 12 users × 9 movies, every pair rated once, in a shuffled order.
  const users: number[] = [],
    movies: number[] = [];
  for (let u = 0; u < 12; u++) {
    for (let m = 0; m < 9; m++) {
      users.push(u);
      movies.push(m);
    }
  }
  const perm = new Rng(3).permutation(users.length);
  const train = {
    users: Int32Array.from(perm, (i) => users[i]),
    movies: Int32Array.from(perm, (i) => movies[i]),
    ratings: Float32Array.from(perm, (i) => (i % 10) / 2 + 0.5),
  };
  const grid = 3;
  const data = new Int32Array(users.length * 3),
    dataF = new Float32Array(data.buffer);
  const layout = blockLayout(train, 12, 9, grid, 5, data, dataF);
  const starts = new Int32Array(layout.chunkStartBuf);

  it('keeps every rating once, grouped by block, chunks never straddling a block', () => {
    const seen = new Set<string>();
    for (let i = 0; i < users.length; i++) seen.add(`${data[i * 3]},${data[i * 3 + 1]},${dataF[i * 3 + 2]}`);
    expect(seen.size).toBe(users.length);
    expect(starts[layout.nChunks]).toBe(users.length);
    const block = (i: number) => Math.floor((data[i * 3] * grid) / 12) * grid + Math.floor((data[i * 3 + 1] * grid) / 9);
    for (let c = 0; c < layout.nChunks; c++) {
      expect(starts[c + 1] - starts[c]).toBeLessThanOrEqual(5);
      for (let i = starts[c]; i < starts[c + 1]; i++) expect(block(i)).toBe(block(starts[c]));
    }
  });

  it('orders an epoch in rounds that each visit every user block and every movie block once', () => {
    const order = new Int32Array(layout.nChunks),
      clock = new Float64Array(layout.nChunks);
    epochOrder(grid, layout.blockFirstChunk, starts, new Rng(1), order, clock);
    expect([...order].sort((a, b) => a - b)).toEqual([...Array(layout.nChunks).keys()]);
    // Walk the order block by block: each run of grid blocks is one round.
    const blockOfChunk = (c: number) =>
      Math.floor((data[starts[c] * 3] * grid) / 12) * grid + Math.floor((data[starts[c] * 3 + 1] * grid) / 9);
    const blocks: number[] = [];
    for (const c of order) if (blocks[blocks.length - 1] !== blockOfChunk(c)) blocks.push(blockOfChunk(c));
    expect(blocks).toHaveLength(grid * grid);
    for (let r = 0; r < grid; r++) {
      const round = blocks.slice(r * grid, (r + 1) * grid);
      expect(new Set(round.map((b) => Math.floor(b / grid))).size).toBe(grid);
      expect(new Set(round.map((b) => b % grid)).size).toBe(grid);
    }
    // The clock counts the ratings before each chunk in this order.
    let before = 0;
    for (let p = 0; p < order.length; p++) {
      expect(clock[p]).toBe(before);
      before += starts[order[p] + 1] - starts[order[p]];
    }
  });
});

describe('dealing an epoch to worker threads', () => {
  it('gives each thread whole blocks (lane i -> thread i mod threads), and every position once', () => {
    const lane = Int32Array.from([0, 0, 1, 2, 2, 0, 1, 1, 2]);
    const list = new Int32Array(9),
      start = new Int32Array(3);
    dealWork(lane, 3, 2, list, start);
    expect([...start]).toEqual([0, 6, 9]);
    expect([...list.subarray(0, 6)]).toEqual([0, 1, 3, 4, 5, 8]); // lanes 0 and 2
    expect([...list.subarray(6)]).toEqual([2, 6, 7]); // lane 1
  });

  it('never deals more threads than a round has blocks: one thread when the model is one block', () => {
    expect(threadsFor(1, 2)).toBe(1);
    expect(threadsFor(3, 2)).toBe(2);
    expect(threadsFor(2, 8)).toBe(2);
    expect(threadsFor(24, 1)).toBe(1);
    expect(() => dealWork(new Int32Array(5), 1, 2, new Int32Array(5), new Int32Array(3))).toThrow(/threadsFor/);
  });
});

describe('--batch-size auto', () => {
  it("is fast.ai's 64 at MovieLens-100k/small scale and keeps ~1,250 batches per epoch beyond", () => {
    expect(autoBatchSize(80_000)).toBe(64);
    expect(autoBatchSize(80_790)).toBe(64); // the small dump's training part
    expect(autoBatchSize(1_000)).toBe(64);
    expect(autoBatchSize(2_400_000)).toBe(2048);
    expect(autoBatchSize(27_065_729)).toBe(16384);
    for (const n of [1e6, 5e6, 3e7]) {
      const batches = n / autoBatchSize(n);
      expect(batches).toBeGreaterThan(1250 / Math.SQRT2 - 1);
      expect(batches).toBeLessThan(1250 * Math.SQRT2 + 1);
    }
  });
});
