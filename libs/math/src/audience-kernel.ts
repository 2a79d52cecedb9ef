// The audience embedding's two passes over the ratings (./audience-svd.ts) as a
// WebAssembly SIMD kernel: the fused power step out = A^T (A Z) and the Ritz pass
// G = (A Z)^T (A Z). All of the SVD's time is in these passes (4 of them at q = 2);
// the TypeScript loop is the reference and the fallback. Here Z, out and the entry
// weights are float32 (f32x4 lanes over the block's columns, padded to a multiple of
// 4; a user's row t = A[u,:] Z lives in v128 locals), G accumulates in float64. The
// orthonormalisation and the small eigenproblem stay in TypeScript float64.
// Measured against the TypeScript kernel in `npm run bench` (audience rows).
import {
  audienceWeights,
  resolveAudienceOptions,
  checkRatingsCsr,
  randomizedSvdCsr,
  type AudienceEmbedding,
  type AudienceOptions,
  type RatingsCsr,
  type SvdPasses,
} from './audience-svd';
import { compileWat } from './wat';

/** The kernel's text for a block of `lp` columns (a multiple of 4): t is held in lp/4 v128 locals. */
export function audienceKernelWat(lp: number): string {
  if (!Number.isInteger(lp) || lp < 4 || lp % 4 !== 0 || lp > 1024)
    throw new RangeError(`audienceKernelWat: lp must be a multiple of 4 in 4..1024, got ${lp}`);
  const L = lp / 4,
    rowBytes = lp * 4;
  const each = (f: (c: number) => string) => Array.from({ length: L }, (_, c) => f(c)).join('\n        ');
  return `(module
  (memory (export "memory") 1)
  ;; mode 0: out += A^T (A Z) over users [u0, u1); mode 1: G (lp x lp f64, upper triangle) += t t^T, t = A[u,:] Z
  (func (export "pass") (param $mode i32) (param $u0 i32) (param $u1 i32) (param $ip i32) (param $cols i32) (param $w i32) (param $z i32) (param $out i32) (param $tb i32) (param $G i32)
    (local $u i32) (local $e i32) (local $e0 i32) (local $e1 i32) (local $a v128) (local $b i32) (local $i i32) (local $j i32) (local $ti f64) (local $gp i32)
    ${each((c) => `(local $t${c} v128)`)}
    (local.set $u (local.get $u0))
    (block $done (loop $users
      (br_if $done (i32.ge_u (local.get $u) (local.get $u1)))
      (local.set $e0 (i32.load (i32.add (local.get $ip) (i32.shl (local.get $u) (i32.const 2)))))
      (local.set $e1 (i32.load offset=4 (i32.add (local.get $ip) (i32.shl (local.get $u) (i32.const 2)))))
      (if (i32.lt_u (local.get $e0) (local.get $e1)) (then
        ${each((c) => `(local.set $t${c} (v128.const i32x4 0 0 0 0))`)}
        (local.set $e (local.get $e0))
        (block $g_end (loop $g
          (br_if $g_end (i32.ge_u (local.get $e) (local.get $e1)))
          (local.set $a (f32x4.splat (f32.load (i32.add (local.get $w) (i32.shl (local.get $e) (i32.const 2))))))
          (local.set $b (i32.add (local.get $z) (i32.mul (i32.load (i32.add (local.get $cols) (i32.shl (local.get $e) (i32.const 2)))) (i32.const ${rowBytes}))))
          ${each((c) => `(local.set $t${c} (f32x4.add (local.get $t${c}) (f32x4.mul (local.get $a) (v128.load offset=${16 * c} (local.get $b)))))`)}
          (local.set $e (i32.add (local.get $e) (i32.const 1)))
          (br $g)))
        (if (i32.eqz (local.get $mode))
          (then
            (local.set $e (local.get $e0))
            (block $s_end (loop $s
              (br_if $s_end (i32.ge_u (local.get $e) (local.get $e1)))
              (local.set $a (f32x4.splat (f32.load (i32.add (local.get $w) (i32.shl (local.get $e) (i32.const 2))))))
              (local.set $b (i32.add (local.get $out) (i32.mul (i32.load (i32.add (local.get $cols) (i32.shl (local.get $e) (i32.const 2)))) (i32.const ${rowBytes}))))
              ${each((c) => `(v128.store offset=${16 * c} (local.get $b) (f32x4.add (v128.load offset=${16 * c} (local.get $b)) (f32x4.mul (local.get $a) (local.get $t${c}))))`)}
              (local.set $e (i32.add (local.get $e) (i32.const 1)))
              (br $s))))
          (else
            ${each((c) => `(v128.store offset=${16 * c} (local.get $tb) (local.get $t${c}))`)}
            (local.set $i (i32.const 0))
            (block $i_end (loop $li
              (br_if $i_end (i32.ge_u (local.get $i) (i32.const ${lp})))
              (local.set $ti (f64.promote_f32 (f32.load (i32.add (local.get $tb) (i32.shl (local.get $i) (i32.const 2))))))
              (local.set $j (local.get $i))
              (local.set $gp (i32.add (local.get $G) (i32.shl (i32.add (i32.mul (local.get $i) (i32.const ${lp})) (local.get $i)) (i32.const 3))))
              (block $j_end (loop $lj
                (br_if $j_end (i32.ge_u (local.get $j) (i32.const ${lp})))
                (f64.store (local.get $gp) (f64.add (f64.load (local.get $gp))
                  (f64.mul (local.get $ti) (f64.promote_f32 (f32.load (i32.add (local.get $tb) (i32.shl (local.get $j) (i32.const 2))))))))
                (local.set $gp (i32.add (local.get $gp) (i32.const 8)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $lj)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $li)))))))
      (local.set $u (i32.add (local.get $u) (i32.const 1)))
      (br $users)))))`;
}

interface KernelExports {
  memory: WebAssembly.Memory;
  pass(mode: number, u0: number, u1: number, ip: number, cols: number, w: number, z: number, out: number, tb: number, g: number): void;
}

const PAGE = 65536;
const align = (n: number) => Math.ceil(n / 64) * 64;
const modules = new Map<number, Promise<WebAssembly.Module>>();

/** The compiled kernel for blocks of `l` columns (cached per padded width). Rejects without WebAssembly SIMD. */
export function loadAudienceKernel(l: number): Promise<AudienceKernel> {
  const lp = Math.max(4, Math.ceil(l / 4) * 4);
  let m = modules.get(lp);
  if (!m) {
    m = compileWat(`audience-${lp}.wat`, audienceKernelWat(lp), { simd: true });
    m.catch(() => modules.delete(lp));
    modules.set(lp, m);
  }
  return m.then((mod) => new AudienceKernel(mod, l, lp));
}

/** A compiled kernel; `passes` copies one matrix into its own memory and runs passes over it. */
export class AudienceKernel {
  constructor(
    private readonly module: WebAssembly.Module,
    readonly l: number,
    readonly lp: number,
  ) {}

  passes(csr: Omit<RatingsCsr, 'values'>, weights: Float64Array): SvdPasses {
    const { nUsers: m, nMovies: n, indptr, cols } = csr;
    const nnz = cols.length,
      lp = this.lp;
    let off = 0;
    const place = (bytes: number) => {
      const at = off;
      off = align(off + bytes);
      return at;
    };
    const a = {
      ip: place((m + 1) * 4),
      cols: place(nnz * 4),
      w: place(nnz * 4),
      z: place(n * lp * 4),
      out: place(n * lp * 4),
      tb: place(lp * 4),
      g: place(lp * lp * 8),
    };
    if (off > 2 ** 32 - PAGE)
      throw new RangeError(`AudienceKernel: ${nnz} ratings x ${n} movies need ${off} bytes, over WebAssembly's 4 GiB`);
    const x = new WebAssembly.Instance(this.module, {}).exports as unknown as KernelExports;
    x.memory.grow(Math.ceil(off / PAGE));
    const buf = x.memory.buffer;
    new Int32Array(buf, a.ip, m + 1).set(indptr);
    new Int32Array(buf, a.cols, nnz).set(cols);
    new Float32Array(buf, a.w, nnz).set(weights);
    const z = new Float32Array(buf, a.z, n * lp),
      out = new Float32Array(buf, a.out, n * lp),
      g = new Float64Array(buf, a.g, lp * lp);
    const l = this.l;
    const load = (src: Float64Array) => {
      for (let r = 0; r < n; r++) for (let c = 0; c < l; c++) z[r * lp + c] = src[r * l + c];
    };
    const run = (mode: number) => x.pass(mode, 0, m, a.ip, a.cols, a.w, a.z, a.out, a.tb, a.g);
    return {
      power(src: Float64Array, dst: Float64Array) {
        load(src);
        out.fill(0);
        run(0);
        for (let r = 0; r < n; r++) for (let c = 0; c < l; c++) dst[r * l + c] = out[r * lp + c];
      },
      ritz(src: Float64Array): Float64Array {
        load(src);
        g.fill(0);
        run(1);
        const gl = new Float64Array(l * l);
        for (let i = 0; i < l; i++) for (let j = i; j < l; j++) gl[i * l + j] = gl[j * l + i] = g[i * lp + j];
        return gl;
      },
    };
  }
}

/**
 * audienceEmbedding with the WebAssembly SIMD passes where the engine has them (else
 * the TypeScript ones, same algorithm in float64). `kernel: 'ts'` forces the reference.
 */
export async function audienceEmbeddingFast(
  csr: RatingsCsr,
  options: AudienceOptions & { kernel?: 'wasm' | 'ts' },
): Promise<AudienceEmbedding & { kernel: 'wasm' | 'ts' }> {
  checkRatingsCsr(csr);
  const o = { ...resolveAudienceOptions(options), kernel: options.kernel };
  const w = audienceWeights(csr, o.rowExponent, o.values);
  const l = Math.min(o.k + o.oversampling, csr.nMovies, csr.nUsers);
  let kernel: AudienceKernel | null = null;
  if (o.kernel !== 'ts') kernel = await loadAudienceKernel(l).catch(() => null);
  const r = randomizedSvdCsr(csr, w, { ...o, passes: kernel ? kernel.passes(csr, w) : undefined });
  return { ...r, kernel: kernel ? 'wasm' : 'ts' };
}
