import { compileWat } from './wat';

// The real wabt, its instantiations counted.
jest.mock('wabt', () => {
  const real = jest.requireActual('wabt') as () => Promise<unknown>;
  return jest.fn(() => real());
});

describe('compileWat', () => {
  it('assembles and compiles WAT, SIMD included', async () => {
    const m = await compileWat(
      'add.wat',
      '(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))',
    );
    const { add } = new WebAssembly.Instance(m).exports as { add(a: number, b: number): number };
    expect(add(40, 2)).toBe(42);
    const simd = await compileWat(
      'splat.wat',
      '(module (func (export "lane") (result f64) (f64x2.extract_lane 1 (f64x2.splat (f64.const 2.5)))))',
      { simd: true },
    );
    expect((new WebAssembly.Instance(simd).exports as { lane(): number }).lane()).toBe(2.5);
  });

  it('rejects text that does not assemble, naming the file', async () => {
    await expect(compileWat('broken.wat', '(module (func (export "f") (i32.nonsense)))')).rejects.toThrow(/broken\.wat/);
  });

  it('lets wabt go after a quiet spell, and makes it again for the next text', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const made = jest.requireMock('wabt') as jest.Mock;
      const text = '(module (func (export "one") (result i32) (i32.const 1)))';
      const first = await compileWat('one.wat', text);
      const before = made.mock.calls.length;
      await compileWat('one.wat', text); // within the spell: the same wabt
      expect(made.mock.calls.length).toBe(before);
      jest.advanceTimersByTime(5_000); // the idle timer fires: wabt dropped
      const second = await compileWat('one.wat', text);
      expect(made.mock.calls.length).toBe(before + 1);
      for (const m of [first, second]) expect((new WebAssembly.Instance(m).exports as { one(): number }).one()).toBe(1);
      expect(jest.getTimerCount()).toBe(1); // one release pending, for the second assembly
    } finally {
      jest.useRealTimers();
    }
  });
});
