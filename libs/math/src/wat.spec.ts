import { compileWat } from './wat';

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
});
