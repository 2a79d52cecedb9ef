// The serving runtime's two settings, each shown to do what it is there for in a real
// child Node: freed large buffers go back to the system, and the young generation stays
// capped — beside a control child started without them, so the test fails if a setting
// stops working (or stops being needed: then the control says so).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVING_MALLOC_TUNABLE, SERVING_NODE_FLAGS, servingEnv } from './serving-runtime';

// Frees 100 MB of 2 MB buffers after one 8 MB buffer was freed (which, by default, raises
// glibc's mmap threshold to 8 MB, so the smaller ones come from the heap arena, where every
// eleventh one, kept, pins the space around it); then keeps 3 million small objects alive
// through the young generation.
const PROBE = `
const v8 = require('node:v8');
const rss = () => process.memoryUsage().rss / 2 ** 20;
let big = Buffer.allocUnsafeSlow(8 << 20); big.fill(1); big = null; gc();
const keep = [];
let bufs = [];
for (let i = 0; i < 55; i++) (i % 11 === 10 ? keep : bufs).push(Buffer.allocUnsafeSlow(2 << 20).fill(1));
const before = rss();
bufs = null; gc(); gc();
const freedMb = before - rss();
const objects = [];
for (let i = 0; i < 3e6; i++) objects.push({ a: i, b: [i] });
const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
console.log(JSON.stringify({ freedMb, newSpaceMb: newSpace / 2 ** 20, tunables: process.env.GLIBC_TUNABLES ?? null }));
`;

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cinemap-serving-runtime-'));
  // A file, not `node -e`: the same script given with -e starts on a heap laid out otherwise.
  writeFileSync(join(dir, 'probe.js'), PROBE);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function probe(flags: readonly string[], env: NodeJS.ProcessEnv): { freedMb: number; newSpaceMb: number; tunables: string | null } {
  const r = spawnSync(process.execPath, [...flags, '--expose-gc', join(dir, 'probe.js')], { env, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`probe exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe('serving runtime', () => {
  const { GLIBC_TUNABLES: _, ...plain } = process.env;

  it('adds the malloc tunable after any the user set, keeps a threshold already set, and changes nothing in place', () => {
    expect(servingEnv({ A: '1' })).toEqual({ A: '1', GLIBC_TUNABLES: SERVING_MALLOC_TUNABLE });
    expect(servingEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }).GLIBC_TUNABLES).toBe(
      `glibc.malloc.arena_max=2:${SERVING_MALLOC_TUNABLE}`,
    );
    const own = { GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=65536' };
    expect(servingEnv(own)).toEqual(own);
    const env = { B: '2' };
    servingEnv(env);
    expect(env).toEqual({ B: '2' });
  });

  it('returns freed large buffers to the system and caps the young generation; a plain Node keeps both', () => {
    const served = probe(SERVING_NODE_FLAGS, servingEnv(plain));
    const control = probe([], plain);
    expect(served.tunables).toBe(SERVING_MALLOC_TUNABLE);
    expect(served.freedMb).toBeGreaterThan(80);
    expect(control.freedMb).toBeLessThan(20);
    expect(served.newSpaceMb).toBeLessThanOrEqual(32);
    // Node 24's V8 grows it to 128 MB under this load (Node 26's sizes it differently).
    if (process.versions.node.startsWith('24.')) expect(control.newSpaceMb).toBeGreaterThan(32);
  });
});
