// Given a real ONNX scorer (the trainer's exporter) run by onnxruntime-node: a ScorerSlot
// reads and loads nothing until asked; requests that ask together share one read and one
// session, whose predictions are the model's formula; a load that fails says why, is not
// tried again within its retry window (short for a failed database read, long for a refused
// model) and is after it; a released slot frees its session
// (also one still loading) and refuses later asks. Then, on each backend, the gateway's
// ModelStore: lazy by default (the seeded run's scorer loads at the first predictRating
// and not before), eager when asked (loaded before the run is served), released at close.
import 'reflect-metadata';
import pino from 'pino';
import { buildScorerOnnx, predict, type ModelWeights } from '@cinemap/model';
import { describeEachBackend, seedGatewayFixture } from '@cinemap/db/testing';
import { configFromEnv } from '../config';
import { ModelStore } from './model-store';
import { ScorerSlot, ScorerUnavailable } from './scorer';

const USERS = [11, 12, 13];
const MOVIES = [101, 102, 103, 104];

function weights(): ModelWeights {
  const f = 3;
  const at = (i: number) => Math.sin(i * 1.7) * 0.5;
  return {
    nUsers: USERS.length,
    nMovies: MOVIES.length,
    factors: f,
    userFactors: Float32Array.from({ length: USERS.length * f }, (_, i) => at(i)),
    movieFactors: Float32Array.from({ length: MOVIES.length * f }, (_, i) => at(i + 50)),
    userBias: Float32Array.from(USERS, (_, i) => at(i + 90) / 2),
    movieBias: Float32Array.from(MOVIES, (_, i) => at(i + 70) / 2),
    yRange: [0, 5.5],
  };
}

const MODEL = buildScorerOnnx(weights(), { runId: 7, userIds: USERS, movieIds: MOVIES });

/** A log that keeps its lines' messages and levels. */
function capture(): { log: pino.Logger; lines: { level: number; msg: string }[] } {
  const lines: { level: number; msg: string }[] = [];
  return { log: pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) }), lines };
}

/** A slot over `bytes` (a function of the read's number; throwing: the database failed), counting reads, on a clock the test moves. */
function slotOver(bytes: (read: number) => Uint8Array | null, retryMs = 1000, readRetryMs = 100) {
  const clock = { now: 0 };
  let reads = 0;
  const { log, lines } = capture();
  const slot = new ScorerSlot(
    7,
    async () => {
      reads++;
      await new Promise((r) => setTimeout(r, 5)); // a read takes a while: asks arrive during it
      return bytes(reads);
    },
    log,
    { retryMs, readRetryMs, now: () => clock.now },
  );
  return { slot, clock, lines, reads: () => reads };
}

describe('ScorerSlot: the ONNX scorer loaded on first use', () => {
  it('reads nothing until asked; asks made together share one read and one session', async () => {
    const { slot, reads, lines } = slotOver(() => MODEL);
    expect(slot.loaded).toBe(false);
    expect(reads()).toBe(0);
    const [a, b, c] = await Promise.all([slot.get(), slot.get(), slot.get()]);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(reads()).toBe(1);
    expect(slot.loads).toBe(1);
    expect(slot.loaded).toBe(true);
    expect(await slot.get()).toBe(a);
    expect(reads()).toBe(1);
    expect(lines.map((l) => l.msg)).toEqual(['ONNX scorer loaded']);
    await slot.release();
  });

  it("predicts the model's own formula for every user and movie", async () => {
    const { slot } = slotOver(() => MODEL);
    const s = await slot.get();
    const us = USERS.flatMap((u) => MOVIES.map(() => u));
    const ms = USERS.flatMap(() => MOVIES);
    const got = await s.predict(us, ms);
    const want = us.map((u, i) => predict(weights(), USERS.indexOf(u), MOVIES.indexOf(ms[i])));
    got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 5));
    expect(s.hasUser(12) && !s.hasUser(99) && s.hasMovie(104) && !s.hasMovie(1)).toBe(true);
    await slot.release();
  });

  it('a failed load says why, is answered from memory within the retry window, and is tried again after it', async () => {
    // First read: bytes that are not an ONNX model; later reads: the model.
    const { slot, clock, reads, lines } = slotOver((n) => (n === 1 ? new Uint8Array([1, 2, 3, 4, 5]) : MODEL), 1000);
    const first = await slot.get().catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ScorerUnavailable);
    expect((first as Error).message).toMatch(/ONNX scorer of run 7 could not be loaded \(.+\); it is tried again 1 s after the failure/);
    expect(lines.filter((l) => l.level === 50).map((l) => l.msg)).toEqual([
      'ONNX scorer failed to load; predictRating answers SCORER_UNAVAILABLE until a later try loads it',
    ]);
    clock.now = 999;
    await expect(slot.get()).rejects.toBeInstanceOf(ScorerUnavailable);
    expect(reads()).toBe(1);
    expect(slot.loaded).toBe(false);
    clock.now = 1000;
    const s = await slot.get();
    expect(reads()).toBe(2);
    expect(slot.loaded).toBe(true);
    expect(s.userCount).toBe(USERS.length);
    await slot.release();
  });

  it('a failed read from the database is tried again after the shorter read window, and says so', async () => {
    const { slot, clock, reads } = slotOver((n) => {
      if (n === 1) throw new Error('canceling statement due to statement timeout');
      return MODEL;
    });
    const first = await slot.get().catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ScorerUnavailable);
    expect((first as Error).message).toBe(
      'the ONNX scorer of run 7 could not be read from the database (canceling statement due to statement timeout); it is tried again 100 ms after the failure',
    );
    clock.now = 99;
    await expect(slot.get()).rejects.toBeInstanceOf(ScorerUnavailable);
    expect(reads()).toBe(1);
    clock.now = 100;
    expect((await slot.get()).userCount).toBe(USERS.length);
    expect(reads()).toBe(2);
    await slot.release();
  });

  it('an artifact gone from the database is a failed load that names it, held for the long window', async () => {
    const { slot, clock, reads } = slotOver((n) => (n === 1 ? null : MODEL));
    await expect(slot.get()).rejects.toThrow(/run 7 has no onnx-scorer artifact any more\); it is tried again 1 s after/);
    clock.now = 999;
    await expect(slot.get()).rejects.toBeInstanceOf(ScorerUnavailable);
    expect(reads()).toBe(1);
  });

  it('release frees the session and refuses later asks; a slot released while loading frees what it loaded', async () => {
    const { slot } = slotOver(() => MODEL);
    await slot.get();
    await slot.release();
    expect(slot.loaded).toBe(false);
    await expect(slot.get()).rejects.toThrow(/swapped out while this request ran; ask again/);

    const during = slotOver(() => MODEL);
    const asked = during.slot.get();
    await during.slot.release(); // waits for the load under way, then frees it
    await expect(asked).rejects.toThrow(/swapped out while its scorer loaded; ask again/);
    expect(during.slot.loaded).toBe(false);
    expect(during.reads()).toBe(1);
  });
});

describe('CINEMAP_SCORER_LOAD', () => {
  it('is lazy unless set to eager, and names the variable and its values on anything else', () => {
    expect(configFromEnv({}).scorerLoad).toBe('lazy');
    expect(configFromEnv({ CINEMAP_SCORER_LOAD: 'eager' }).scorerLoad).toBe('eager');
    expect(configFromEnv({ CINEMAP_SCORER_LOAD: 'lazy' }).scorerLoad).toBe('lazy');
    expect(() => configFromEnv({ CINEMAP_SCORER_LOAD: 'on' })).toThrow(/CINEMAP_SCORER_LOAD must be lazy .* or eager .* \(got "on"\)/);
  });
});

describeEachBackend('the gateway loads a run’s scorer on first use (CINEMAP_SCORER_LOAD)', (ctx) => {
  beforeAll(async () => {
    await seedGatewayFixture(ctx.db(), { fillers: 10, neighbourLists: false });
  }, 60_000);

  it('lazy (the default): the run is served without a session; the first ask loads it; close releases it', async () => {
    const store = new ModelStore(ctx.db(), pino({ level: 'silent' }));
    await store.start();
    const slot = store.current!.scorer!;
    expect(slot.loaded).toBe(false);
    expect(slot.loads).toBe(0);
    const s = await slot.get();
    expect(slot.loaded).toBe(true);
    expect(s.runId).toBe(store.current!.runId);
    await store.close();
    expect(slot.loaded).toBe(false);
  });

  it('eager: the session is up before the run is served', async () => {
    const store = new ModelStore(ctx.db(), pino({ level: 'silent' }), { scorerLoad: 'eager' });
    await store.start();
    expect(store.current!.scorer!.loaded).toBe(true);
    expect(store.current!.scorer!.loads).toBe(1);
    await store.close();
  });
});
