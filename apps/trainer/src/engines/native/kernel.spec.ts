// Given one rating and a tiny model, when the native kernel takes one step, then every
// parameter moves exactly as the hand-derived gradient and optimizer say; and the
// schedule it follows is fast.ai's one-cycle with fast.ai's cumulative weight decay.
import { oneCycle } from '@cinemap/math';
import { catchUpDecay, trainRange, type KernelState } from './kernel';
import { scheduleTables } from './native-engine';

function tinyState(): KernelState {
  const data = new Int32Array(3);
  const dataF = new Float32Array(data.buffer);
  data[0] = 1; // user 1
  data[1] = 0; // movie 0
  dataF[2] = 4.5;
  return {
    k: 2,
    U: Float32Array.from([0, 0, 0.3, -0.2]),
    M: Float32Array.from([0.5, 0.1]),
    bu: Float32Array.from([0, 0.05]),
    bm: Float32Array.from([0.2]),
    vU: new Float32Array(2), vM: new Float32Array(1), vbu: new Float32Array(2), vbm: new Float32Array(1),
    lastU: new Int32Array(2), lastM: new Int32Array(1),
    timeU: new Float64Array(2), timeM: new Float64Array(1),
    logDecay: Float64Array.from([0, Math.log(1 - 0.01 * 0.1)]),
    lr: Float64Array.from([0.01]),
    data, dataF,
    lo: 0, range: 5.5, beta2: 0.99, eps: 1e-5, batchSize: 1,
  };
}

describe('native kernel, one step', () => {
  it('matches the hand-computed gradient, row-wise Adam step and decoupled decay', () => {
    const st = tinyState();
    const sumSq = trainRange(st, 0, 1, 0, 0);
    // By hand: decay first (fast.ai: p *= 1 - lr*wd), then the loss at the decayed weights.
    const f = 1 - 0.01 * 0.1;
    const u = [0.3 * f, -0.2 * f], m = [0.5 * f, 0.1 * f], bu = 0.05 * f, bm = 0.2 * f;
    const x = u[0] * m[0] + u[1] * m[1] + bu + bm;
    const s = 1 / (1 + Math.exp(-x));
    const pred = 5.5 * s;
    const err = pred - 4.5;
    expect(sumSq).toBeCloseTo(err * err, 6);
    const g = 2 * err * 5.5 * s * (1 - s); // d(err^2)/dx
    // First touch at t=0: v = (1 - beta2) * g^2 (debiased by 1 - beta2^1), so each step is lr * g / |g| = lr * sign(g).
    const vb = 0.01 * g * g;
    const stepB = (0.01 * g) / (Math.sqrt(vb / 0.01) + 1e-5);
    expect(st.bu[1]).toBeCloseTo(bu - stepB, 6);
    expect(st.bm[0]).toBeCloseTo(bm - stepB, 6);
    // Row-wise second moment: the mean of the squared row gradient (g * m_j)^2.
    const vu = 0.01 * g * g * ((m[0] ** 2 + m[1] ** 2) / 2);
    const vm = 0.01 * g * g * ((u[0] ** 2 + u[1] ** 2) / 2);
    expect(st.vU[1] / vu).toBeCloseTo(1, 5);
    expect(st.vM[0] / vm).toBeCloseTo(1, 5);
    const su = (0.01 * g) / (Math.sqrt(vu / 0.01) + 1e-5), sm = (0.01 * g) / (Math.sqrt(vm / 0.01) + 1e-5);
    expect(st.U[2]).toBeCloseTo(u[0] - su * m[0], 6);
    expect(st.U[3]).toBeCloseTo(u[1] - su * m[1], 6);
    expect(st.M[0]).toBeCloseTo(m[0] - sm * u[0], 6);
    expect(st.M[1]).toBeCloseTo(m[1] - sm * u[1], 6);
    // The untouched user 0 is decayed only when caught up (exactly, at the epoch end).
    st.U[0] = 1;
    catchUpDecay(st.U, st.bu, st.lastU, 2, st.logDecay, 1, 0, 2);
    expect(st.U[0]).toBeCloseTo(f, 7);
    expect(st.lastU[0]).toBe(1);
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

describe('native schedule', () => {
  it('is fast.ai one-cycle (warm-up to lr_max, cosine anneal) with fast.ai\'s cumulative decay', () => {
    const cfg = { lr: 5e-3, wd: 0.1, epochs: 5, batchSize: 64 };
    const t = scheduleTables(cfg, 10_000, 500);
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
