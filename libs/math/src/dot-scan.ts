// Exact top-k by dot product over a row-major float32 matrix, with the scan done by a
// small WebAssembly SIMD kernel (f64x2 lanes): the gateway's uncached neighbour search
// (86k films x 50 dims) in ~1.3 ms instead of ~6 ms for the TypeScript loop.
//
// Exactness: the kernel performs, per row, the very same IEEE float64 operations as
// `topKByDot` in the same order — four partial sums over j = 0,1,2,3 mod 4 (lanes
// 0,1 of one f64x2 and 0,1 of another), each product f64(float32 value) * f64(query)
// rounded to float64 and then added (WASM has no fused multiply-add), the dim % 4 tail
// added to the first sum, and the total (s0 + s1) + (s2 + s3). So every score is bit
// for bit the JS score, and the selection is `topK` itself: the same ids, order, ties
// (lower index first) and similarity values as `topKByDot`, not "close to" them.
// (An f32x4 scan was measured at 0.63 vs 0.95 ms, but its sums differ from the JS
// path and need a re-scoring pass to give the same order; not worth the risk.)
//
// Screening (`topKOfRowsScreened`, what the gateway runs): an int8 copy of the rows and
// per query a screening kernel that gives each listed row an exact integer dot with the
// query's codes, turns it into a score within a proven bound of the float64 one
// (screenMargin8), tracks the (k + excluded)-th best and keeps the rows that can still
// reach it; then the exact float64 scan above ranks only those. Two kernels, one text
// (SCREEN_WAT): relaxed SIMD (i32x4.relaxed_dot_i8x16_i7x16_add_s, with a 7-bit query
// that makes it exact and deterministic, see RELAXED_SCREEN_WAT) where the engine has it,
// else i16 SIMD. 86,033 x 100 unit rows, k = 10, two rows excluded, Node 24: 0.32 ms a
// query over all rows, 0.12 ms over a fifth of them (i16 kernel: 0.47 and 0.17 ms), where
// the former screen (an i16 dot per row in WASM, the scores, topK over them and the floor
// in JS) took 0.96 and 0.28 ms.
//
// The WAT is assembled with wabt (./wat.ts) once per process (a few ms) and instantiated per
// matrix: each DotScanIndex owns a WebAssembly memory holding [matrix | query | scores |
// row list | int8 rows, their scales and code sums | candidates | tracked best] (see
// `layout`), sized once and never grown, so the `matrix` view stays valid for the index's life.
import { predicateOf, topK, type TopKOptions, type TopKResult } from './top-k';
import { compileWat } from './wat';

/** The most 64 KiB pages an index's memory may have (2 GiB: what i32 offsets address here). */
const MAX_PAGES = 32768;

// The screening scan, one text for both variants (placeholders: {{QUERY}} prepares the 16
// query codes at $y; {{DOT a o}} adds the row at byte $o + $j times them into the i32x4
// sums $a; {{BIAS1}} / {{BIAS4}} take out what the lane sums overcount). For each listed
// row r (list[i], checked ascending and < $total): the exact integer dot d of its codes
// with the query's, then its screening score, float64 (d * scale[r]) * qs — the same IEEE
// operations whether done in f64x2 lanes or alone. $top holds the $tracked best scores
// seen, descending (-inf until filled); a row scoring >= its last - $margin (the floor so
// far, which only rises) is a candidate: its row and score are appended to $cand and
// $candScore. So every row that passes the final floor is a candidate, among few others
// (~ tracked * ln(rows) in random order); JS filters them by the final floor. Rows go four
// at a time (one query load for four rows, one vector test of their scores), the last
// count % 4 one at a time. The result: the candidates' count, or -1 - i where list[i]
// (or one of the four from i) is out of order or range.
const SCREEN_WAT = String.raw`
  (func $consider (param $r i32) (param $s f64) (param $n i32) (param $tracked i32) (param $top i32)
    (param $cand i32) (param $candScore i32) (result i32)
    (local $p i32) (local $at i32)
    (i32.store (i32.add (local.get $cand) (i32.shl (local.get $n) (i32.const 2))) (local.get $r))
    (f64.store (i32.add (local.get $candScore) (i32.shl (local.get $n) (i32.const 3))) (local.get $s))
    (local.set $p (i32.sub (local.get $tracked) (i32.const 1)))
    ;; a better score than the last tracked: insert it, dropping the last
    (if (f64.gt (local.get $s) (f64.load (i32.add (local.get $top) (i32.shl (local.get $p) (i32.const 3))))) (then
      (block $sdone (loop $sl
        (br_if $sdone (i32.eqz (local.get $p)))
        (local.set $at (i32.add (local.get $top) (i32.shl (local.get $p) (i32.const 3))))
        (br_if $sdone (f64.ge (f64.load (i32.sub (local.get $at) (i32.const 8))) (local.get $s)))
        (f64.store (local.get $at) (f64.load (i32.sub (local.get $at) (i32.const 8))))
        (local.set $p (i32.sub (local.get $p) (i32.const 1)))
        (br $sl)))
      (f64.store (i32.add (local.get $top) (i32.shl (local.get $p) (i32.const 3))) (local.get $s))))
    (i32.add (local.get $n) (i32.const 1)))
  (func (export "screen")
    (param $list i32) (param $count i32) (param $total i32) (param $stride i32) (param $rows8 i32) (param $q8 i32)
    (param $qs f64) (param $scale i32) (param $rowSum i32)
    (param $tracked i32) (param $top i32) (param $margin f64) (param $cand i32) (param $candScore i32) (result i32)
    (local $i i32) (local $j i32) (local $n i32) (local $p i32) (local $prev i32) (local $last i32)
    (local $r i32) (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32)
    (local $o i32) (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32)
    (local $a v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $x v128) (local $y v128) (local $ylo v128) (local $yhi v128) (local $d v128) (local $rv v128)
    (local $s01 v128) (local $s23 v128) (local $lowv v128) (local $s f64) (local $low f64)
    (local.set $last (i32.add (local.get $top) (i32.shl (i32.sub (local.get $tracked) (i32.const 1)) (i32.const 3))))
    (block $fdone (loop $fl
      (br_if $fdone (i32.ge_u (local.get $p) (local.get $tracked)))
      (f64.store (i32.add (local.get $top) (i32.shl (local.get $p) (i32.const 3))) (f64.const -inf))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $fl)))
    (local.set $low (f64.const -inf))
    (local.set $lowv (f64x2.splat (local.get $low)))
    (local.set $prev (i32.const -1))
    (block $bdone (loop $bl
      (br_if $bdone (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $count)))
      (local.set $rv (v128.load (i32.add (local.get $list) (i32.shl (local.get $i) (i32.const 2)))))
      ;; [r0 r1 r2 r3] > [prev r0 r1 r2], r3 < total
      (if (i32.or
            (i32.eqz (i32x4.all_true (i32x4.gt_s (local.get $rv)
              (i8x16.shuffle 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 (i32x4.splat (local.get $prev)) (local.get $rv)))))
            (i32.ge_u (i32x4.extract_lane 3 (local.get $rv)) (local.get $total)))
        (then (return (i32.sub (i32.const -1) (local.get $i)))))
      (local.set $r0 (i32x4.extract_lane 0 (local.get $rv)))
      (local.set $r1 (i32x4.extract_lane 1 (local.get $rv)))
      (local.set $r2 (i32x4.extract_lane 2 (local.get $rv)))
      (local.set $r3 (i32x4.extract_lane 3 (local.get $rv)))
      (local.set $prev (local.get $r3))
      (local.set $o0 (i32.add (local.get $rows8) (i32.mul (local.get $r0) (local.get $stride))))
      (local.set $o1 (i32.add (local.get $rows8) (i32.mul (local.get $r1) (local.get $stride))))
      (local.set $o2 (i32.add (local.get $rows8) (i32.mul (local.get $r2) (local.get $stride))))
      (local.set $o3 (i32.add (local.get $rows8) (i32.mul (local.get $r3) (local.get $stride))))
      (local.set $a0 (v128.const i64x2 0 0))
      (local.set $a1 (v128.const i64x2 0 0))
      (local.set $a2 (v128.const i64x2 0 0))
      (local.set $a3 (v128.const i64x2 0 0))
      (local.set $j (i32.const 0))
      (block $jdone (loop $jl
        (br_if $jdone (i32.ge_u (local.get $j) (local.get $stride)))
        (local.set $y (v128.load (i32.add (local.get $q8) (local.get $j))))
        {{QUERY}}
        {{DOT a0 o0}}
        {{DOT a1 o1}}
        {{DOT a2 o2}}
        {{DOT a3 o3}}
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $jl)))
      ;; the four lane sums: pairwise, then again, into [d0 d1 d2 d3]
      (local.set $a0 (i32x4.add (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a0) (local.get $a1))
                                (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1))))
      (local.set $a2 (i32x4.add (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a2) (local.get $a3))
                                (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a2) (local.get $a3))))
      (local.set $d (i32x4.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a0) (local.get $a2))
                               (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a0) (local.get $a2))))
      {{BIAS4}}
      (local.set $s01 (f64x2.mul (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $d))
          (f64x2.replace_lane 1 (f64x2.splat (f64.load (i32.add (local.get $scale) (i32.shl (local.get $r0) (i32.const 3)))))
                                (f64.load (i32.add (local.get $scale) (i32.shl (local.get $r1) (i32.const 3))))))
        (f64x2.splat (local.get $qs))))
      (local.set $s23 (f64x2.mul (f64x2.mul
          (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $d) (local.get $d)))
          (f64x2.replace_lane 1 (f64x2.splat (f64.load (i32.add (local.get $scale) (i32.shl (local.get $r2) (i32.const 3)))))
                                (f64.load (i32.add (local.get $scale) (i32.shl (local.get $r3) (i32.const 3))))))
        (f64x2.splat (local.get $qs))))
      ;; mostly none of the four reaches the floor: one test
      (if (v128.any_true (v128.or (f64x2.ge (local.get $s01) (local.get $lowv)) (f64x2.ge (local.get $s23) (local.get $lowv)))) (then
        {{CONSIDER r0 s01 0}}
        {{CONSIDER r1 s01 1}}
        {{CONSIDER r2 s23 0}}
        {{CONSIDER r3 s23 1}}
        (local.set $lowv (f64x2.splat (local.get $low)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $bl)))
    (block $idone (loop $il
      (br_if $idone (i32.ge_u (local.get $i) (local.get $count)))
      (local.set $r (i32.load (i32.add (local.get $list) (i32.shl (local.get $i) (i32.const 2)))))
      (if (i32.or (i32.le_s (local.get $r) (local.get $prev)) (i32.ge_u (local.get $r) (local.get $total)))
        (then (return (i32.sub (i32.const -1) (local.get $i)))))
      (local.set $prev (local.get $r))
      (local.set $o (i32.add (local.get $rows8) (i32.mul (local.get $r) (local.get $stride))))
      (local.set $a (v128.const i64x2 0 0))
      (local.set $j (i32.const 0))
      (block $jdone (loop $jl
        (br_if $jdone (i32.ge_u (local.get $j) (local.get $stride)))
        (local.set $y (v128.load (i32.add (local.get $q8) (local.get $j))))
        {{QUERY}}
        {{DOT a o}}
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $jl)))
      (local.set $s (f64.mul
        (f64.mul
          (f64.convert_i32_s (i32.sub
            (i32.add (i32.add (i32x4.extract_lane 0 (local.get $a)) (i32x4.extract_lane 1 (local.get $a)))
                     (i32.add (i32x4.extract_lane 2 (local.get $a)) (i32x4.extract_lane 3 (local.get $a))))
            {{BIAS1}}))
          (f64.load (i32.add (local.get $scale) (i32.shl (local.get $r) (i32.const 3)))))
        (local.get $qs)))
      (if (f64.ge (local.get $s) (local.get $low)) (then
        (local.set $n (call $consider (local.get $r) (local.get $s) (local.get $n)
          (local.get $tracked) (local.get $top) (local.get $cand) (local.get $candScore)))
        (local.set $low (f64.sub (f64.load (local.get $last)) (local.get $margin)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $il)))
    (local.get $n))`;

/** One row's score from lane `lane` of `v`: a candidate if it reaches the floor (which may rise). */
const CONSIDER = (r: string, v: string, lane: string) => String.raw`(local.set $s (f64x2.extract_lane ${lane} (local.get $${v})))
        (if (f64.ge (local.get $s) (local.get $low)) (then
          (local.set $n (call $consider (local.get $${r}) (local.get $s) (local.get $n)
            (local.get $tracked) (local.get $top) (local.get $cand) (local.get $candScore)))
          (local.set $low (f64.sub (f64.load (local.get $last)) (local.get $margin)))))`;

/** SCREEN_WAT with the placeholders filled in. */
function screenWat(query: string, dot: (acc: string, o: string) => string, bias1: string, bias4: string): string {
  return SCREEN_WAT.replaceAll('{{QUERY}}', query)
    .replace(/\{\{DOT (\w+) (\w+)\}\}/g, (_, acc: string, o: string) => dot(acc, o))
    .replace(/\{\{CONSIDER (\w+) (\w+) (\d)\}\}/g, (_, r: string, v: string, lane: string) => CONSIDER(r, v, lane))
    .replace('{{BIAS1}}', bias1)
    .replace('{{BIAS4}}', bias4);
}

// i16 variant (plain SIMD): codes widened to i16, products summed in pairs to i32 — exact
// for any int8 codes (|pair| <= 2 * 128 * 128), the query's 8-bit codes as they are.
const I16_SCREEN_WAT = screenWat(
  String.raw`(local.set $ylo (i16x8.extend_low_i8x16_s (local.get $y)))
        (local.set $yhi (i16x8.extend_high_i8x16_s (local.get $y)))`,
  (acc, o) => String.raw`(local.set $x (v128.load (i32.add (local.get $${o}) (local.get $j))))
        (local.set $${acc} (i32x4.add (local.get $${acc}) (i32x4.add
          (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $x)) (local.get $ylo))
          (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $x)) (local.get $yhi)))))`,
  '(i32.const 0)',
  '',
);

/** rowSum[r] (i32) for the row number in local $r. */
const ROW_SUM = (r: string) => `(i32.load (i32.add (local.get $rowSum) (i32.shl (local.get $${r}) (i32.const 2))))`;

// Relaxed variant, its own module on the index's memory (assembled only where the engine
// has relaxed SIMD). relaxed_dot_i8x16_i7x16_add_s multiplies signed bytes (the row's codes:
// -127..127) by bytes (the query's) that must be 0..127 for one defined result, sums
// adjacent pairs (to i16: saturating on some CPUs, e.g. pmaddubsw) and those pairs' pairs
// into the accumulator. The query codes are q + 64 in 1..127 (q in -63..63) and |pair| <=
// 2 * 127 * 127 = 32258 < 32767: no saturation, one exact answer on every CPU, row . (q + 64);
// less 64 * (the row's code sum, kept by prepareScreen) it is row . q.
const RELAXED_SCREEN_WAT = String.raw`
(module
  (import "env" "memory" (memory 0 ${MAX_PAGES} shared))
${screenWat(
  '',
  (acc, o) =>
    String.raw`(local.set $${acc} (i32x4.relaxed_dot_i8x16_i7x16_add_s
          (v128.load (i32.add (local.get $${o}) (local.get $j))) (local.get $y) (local.get $${acc})))`,
  `(i32.shl ${ROW_SUM('r')} (i32.const 6))`,
  String.raw`(local.set $d (i32x4.sub (local.get $d) (i32x4.shl
        (i32x4.replace_lane 3 (i32x4.replace_lane 2 (i32x4.replace_lane 1 (i32x4.splat ${ROW_SUM('r0')})
          ${ROW_SUM('r1')}) ${ROW_SUM('r2')}) ${ROW_SUM('r3')})
        (i32.const 6))))`,
)}
)`;

const DOT_SCAN_WAT = String.raw`
(module
  (import "env" "memory" (memory 0 ${MAX_PAGES} shared))
  ;; matrix[row at byte $o, :] . q, matrix f32, q f64 at $q; $d4 = dim rounded down to a multiple of 4
  (func $dot (param $o i32) (param $dim i32) (param $d4 i32) (param $q i32) (result f64)
    (local $j i32) (local $qp i32) (local $a v128) (local $b v128) (local $m v128) (local $s0 f64)
    (block $jdone (loop $jl
      (br_if $jdone (i32.ge_u (local.get $j) (local.get $d4)))
      ;; four float32 values; lanes 0,1 go to $a (s0, s1), lanes 2,3 to $b (s2, s3)
      (local.set $m (v128.load align=4 (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2)))))
      (local.set $qp (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $a (f64x2.add (local.get $a)
        (f64x2.mul (f64x2.promote_low_f32x4 (local.get $m)) (v128.load align=8 (local.get $qp)))))
      (local.set $b (f64x2.add (local.get $b)
        (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $m) (local.get $m)))
                   (v128.load offset=16 align=8 (local.get $qp)))))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $jl)))
    ;; the dim % 4 tail goes into s0, as in topKByDot
    (local.set $s0 (f64x2.extract_lane 0 (local.get $a)))
    (block $tdone (loop $tl
      (br_if $tdone (i32.ge_u (local.get $j) (local.get $dim)))
      (local.set $s0 (f64.add (local.get $s0)
        (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 2)))))
                 (f64.load (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 3)))))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $tl)))
    (f64.add (f64.add (local.get $s0) (f64x2.extract_lane 1 (local.get $a)))
             (f64.add (f64x2.extract_lane 0 (local.get $b)) (f64x2.extract_lane 1 (local.get $b)))))
  ;; scores[r] = matrix[r,:] . q for r < rows; matrix at byte 0 (f32), q at $q (f64), scores at $out (f64).
  (func (export "scan") (param $rows i32) (param $dim i32) (param $q i32) (param $out i32)
    (local $r i32) (local $o i32) (local $d4 i32) (local $rowBytes i32)
    (local.set $d4 (i32.and (local.get $dim) (i32.const -4)))
    (local.set $rowBytes (i32.shl (local.get $dim) (i32.const 2)))
    (block $rdone (loop $rl
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (f64.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 3)))
        (call $dot (local.get $o) (local.get $dim) (local.get $d4) (local.get $q)))
      (local.set $o (i32.add (local.get $o) (local.get $rowBytes)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))
  ;; scores[i] = matrix[list[i],:] . q for i < count; list at $list (i32 row numbers).
  (func (export "scanRows") (param $list i32) (param $count i32) (param $dim i32) (param $q i32) (param $out i32)
    (local $i i32) (local $d4 i32) (local $rowBytes i32)
    (local.set $d4 (i32.and (local.get $dim) (i32.const -4)))
    (local.set $rowBytes (i32.shl (local.get $dim) (i32.const 2)))
    (block $idone (loop $il
      (br_if $idone (i32.ge_u (local.get $i) (local.get $count)))
      (f64.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3)))
        (call $dot
          (i32.mul (i32.load (i32.add (local.get $list) (i32.shl (local.get $i) (i32.const 2)))) (local.get $rowBytes))
          (local.get $dim) (local.get $d4) (local.get $q)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $il))))
${I16_SCREEN_WAT}
)`;

interface ScanExports {
  scan(rows: number, dim: number, qOffset: number, outOffset: number): void;
  scanRows(listOffset: number, count: number, dim: number, qOffset: number, outOffset: number): void;
  screen: ScreenKernel;
}

/** The screening scan (see SCREEN_WAT): the candidates' count, or negative where the list is out of order or range. */
type ScreenKernel = (
  list: number,
  count: number,
  total: number,
  stride: number,
  rows8: number,
  q8: number,
  qs: number,
  scale: number,
  rowSum: number,
  tracked: number,
  top: number,
  margin: number,
  cand: number,
  candScore: number,
) => number;

let compiled: Promise<DotScanKernel> | undefined;

/**
 * The compiled scan kernel (assembled once per process; later calls share it).
 * Rejects where WebAssembly SIMD is unavailable — callers fall back to `topKByDot`.
 * Where relaxed SIMD is unavailable the screening scan uses its i16 variant.
 */
export function loadDotScanKernel(): Promise<DotScanKernel> {
  compiled ??= Promise.all([
    compileWat('dot-scan.wat', DOT_SCAN_WAT, { simd: true, threads: true }),
    compileWat('dot-screen-relaxed.wat', RELAXED_SCREEN_WAT, { simd: true, relaxed_simd: true, threads: true }).catch(() => null),
  ]).then(([m, relaxed]) => new DotScanKernel(m, relaxed));
  compiled.catch(() => {
    compiled = undefined; // let a later call try again
  });
  return compiled;
}

const PAGE = 65536;
/** The most screening scores (k + excluded rows) the kernel tracks; beyond, JS's topK picks the k-th. */
const MAX_TRACKED = 256;

/** Byte offsets of an index's regions in its WebAssembly memory, as one lane sees them (see `layout`). */
interface Layout {
  qOffset: number;
  outOffset: number;
  listOffset: number;
  stride: number;
  q8Offset: number;
  rows8Offset: number;
  scaleOffset: number;
  rowSumOffset: number;
  candOffset: number;
  topOffset: number;
  bytes: number;
}

/**
 * An index's memory: what every lane reads — the matrix at 0, then its int8 copy (each row
 * `stride` bytes: dim rounded up to 16), per-row scales (f64) and code sums (i32) — then
 * per lane (one thread querying at a time) its own query, scores, row list, query codes,
 * candidates and tracked best. Lane `lane` of `lanes`.
 */
function layout(rows: number, dim: number, lane = 0, lanes = 1): Layout {
  const stride = align(dim, 16);
  const rows8Offset = align(rows * dim * 4, 16);
  const scaleOffset = align(rows8Offset + rows * stride, 16);
  const rowSumOffset = scaleOffset + rows * 8;
  const laneBytes = (base: number) => {
    const qOffset = align(base, 16);
    const outOffset = align(qOffset + dim * 8, 16);
    const listOffset = outOffset + rows * 8;
    const q8Offset = align(listOffset + rows * 4, 16);
    const candOffset = align(q8Offset + stride, 16);
    const topOffset = align(candOffset + rows * 4, 16);
    return { qOffset, outOffset, listOffset, q8Offset, candOffset, topOffset, end: topOffset + MAX_TRACKED * 8 };
  };
  const all = [laneBytes(rowSumOffset + rows * 4)];
  for (let l = 1; l < lanes; l++) all.push(laneBytes(all[l - 1].end));
  return { ...all[lane], stride, rows8Offset, scaleOffset, rowSumOffset, bytes: all[lanes - 1].end };
}

/**
 * What another thread needs to query an index without copying it (`DotScanKernel.attach`):
 * its shared memory and shape, the int8 copy's bounds, and which lanes exist. Post it to a
 * worker; the matrix must not change afterwards.
 */
export interface SharedDotScanIndex {
  memory: WebAssembly.Memory;
  rows: number;
  dim: number;
  lanes: number;
  quantized: Quantized | null;
}

/** The error bounds of an index's int8 copy (prepareScreen). */
interface Quantized {
  maxNorm: number;
  maxResidual: number;
}

/** A compiled kernel; `index` makes a matrix it can scan (synchronously). */
export class DotScanKernel {
  /** Whether the relaxed-SIMD screening kernel compiled here (else every index screens with the i16 one). */
  readonly relaxedSimd: boolean;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly relaxed: WebAssembly.Module | null = null,
  ) {
    this.relaxedSimd = relaxed !== null;
  }

  /** The compiled modules, to post to a worker (`new DotScanKernel(scan, relaxed)` there: no second assembly). */
  get modules(): { scan: WebAssembly.Module; relaxed: WebAssembly.Module | null } {
    return { scan: this.module, relaxed: this.relaxed };
  }

  /**
   * A zeroed rows x dim matrix living in its own (shared) WebAssembly memory; fill `matrix`,
   * then query. `options.lanes` (default 1): how many threads may query it at once, this
   * index being lane 0 (the others: `share` + `attach`). `options.relaxed: false` screens
   * with the i16 kernel even where relaxed SIMD runs (tests).
   */
  index(rows: number, dim: number, options: { relaxed?: boolean; lanes?: number } = {}): DotScanIndex {
    if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(dim) || dim < 0) {
      throw new RangeError(`DotScanKernel.index: rows and dim must be non-negative integers, got rows=${rows}, dim=${dim}`);
    }
    const lanes = options.lanes ?? 1;
    if (!Number.isInteger(lanes) || lanes < 1 || lanes > 16)
      throw new RangeError(`DotScanKernel.index: lanes must be an integer from 1 to 16, got ${lanes}`);
    const at = layout(rows, dim, 0, lanes);
    if (at.bytes > MAX_PAGES * PAGE)
      throw new RangeError(
        `DotScanKernel.index: ${rows} x ${dim} needs ${at.bytes} bytes, over the 2 GiB this kernel addresses; use topKByDot`,
      );
    const pages = Math.max(1, Math.ceil(at.bytes / PAGE));
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    return this.instantiate(memory, rows, dim, lanes, 0, options.relaxed !== false);
  }

  /** Lane `lane` of an index another thread made (`DotScanIndex.share`): the same answers, bit for bit, on the same memory. */
  attach(shared: SharedDotScanIndex, lane: number): DotScanIndex {
    if (!Number.isInteger(lane) || lane < 1 || lane >= shared.lanes)
      throw new RangeError(`DotScanKernel.attach: lane must be 1 to ${shared.lanes - 1} (lane 0 is the index's maker), got ${lane}`);
    return this.instantiate(shared.memory, shared.rows, shared.dim, shared.lanes, lane, true, shared.quantized);
  }

  private instantiate(
    memory: WebAssembly.Memory,
    rows: number,
    dim: number,
    lanes: number,
    lane: number,
    relaxedWanted: boolean,
    quantized: Quantized | null = null,
  ): DotScanIndex {
    const env = { env: { memory } };
    const exports = new WebAssembly.Instance(this.module, env).exports as unknown as ScanExports;
    let relaxed: ScreenKernel | null = null;
    if (this.relaxed && relaxedWanted)
      relaxed = (new WebAssembly.Instance(this.relaxed, env).exports as unknown as { screen: ScreenKernel }).screen;
    return new DotScanIndex(exports, memory, rows, dim, layout(rows, dim, lane, lanes), lanes, relaxed, quantized);
  }
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** One matrix in WebAssembly memory; `topK` answers exactly as `topKByDot` on it. */
export class DotScanIndex {
  /** Row-major rows x dim, the kernel's own memory (never detached: the memory never grows again). */
  readonly matrix: Float32Array;
  /** Which screening kernel `topKOfRowsScreened` runs: relaxed SIMD (7-bit query) or i16 (8-bit query). */
  readonly screenKernel: 'relaxed' | 'i16';
  private readonly query: Float64Array;
  private readonly scores: Float64Array;
  private readonly list: Int32Array;
  private readonly q8: Int8Array;
  private readonly rows8: Int8Array;
  private readonly scale: Float64Array;
  private readonly rowSum: Int32Array;
  private readonly cand: Int32Array;
  private readonly top: Float64Array;
  private readonly screen: ScreenKernel;
  /** Always 1; the spec shrinks it to show that its cases catch a margin too small. */
  private marginScale = 1;

  constructor(
    private readonly exports: ScanExports,
    private readonly memory: WebAssembly.Memory,
    readonly rows: number,
    readonly dim: number,
    private readonly at: Layout,
    private readonly lanes: number,
    relaxedScreen: ScreenKernel | null,
    /** The int8 copy's error bounds (null: prepareScreen not called, or the matrix holds NaN); an attached lane gets its maker's. */
    private quantized: Quantized | null = null,
  ) {
    const buf = memory.buffer;
    this.matrix = new Float32Array(buf, 0, rows * dim);
    this.query = new Float64Array(buf, at.qOffset, dim);
    // The screening scores share the float64 scores' bytes: they are read before an exact pass overwrites them.
    this.scores = new Float64Array(buf, at.outOffset, rows);
    this.list = new Int32Array(buf, at.listOffset, rows);
    this.q8 = new Int8Array(buf, at.q8Offset, at.stride);
    this.rows8 = new Int8Array(buf, at.rows8Offset, rows * at.stride);
    this.scale = new Float64Array(buf, at.scaleOffset, rows);
    this.rowSum = new Int32Array(buf, at.rowSumOffset, rows);
    this.cand = new Int32Array(buf, at.candOffset, rows);
    this.top = new Float64Array(buf, at.topOffset, MAX_TRACKED);
    this.screen = relaxedScreen ?? exports.screen;
    this.screenKernel = relaxedScreen ? 'relaxed' : 'i16';
  }

  /** What `DotScanKernel.attach` needs in another thread (after `prepareScreen`; the matrix must not change afterwards). */
  share(): SharedDotScanIndex {
    return { memory: this.memory, rows: this.rows, dim: this.dim, lanes: this.lanes, quantized: this.quantized };
  }

  /** Same contract as topKByDot(this.matrix, rows, dim, query, k, options), same result bit for bit. */
  topK(query: ArrayLike<number>, k: number, options: TopKOptions = {}): TopKResult {
    if (query.length !== this.dim) {
      throw new RangeError(`DotScanIndex.topK: query has ${query.length} values but rows have dim=${this.dim}`);
    }
    this.query.set(query);
    this.exports.scan(this.rows, this.dim, this.at.qOffset, this.at.outOffset);
    return topK(this.scores, k, options);
  }

  /**
   * `topK` over the listed rows only (ascending, distinct, each < rows): the same answer,
   * bit for bit, as `topK` with every unlisted row excluded, at the cost of the listed
   * rows alone — a filter that keeps few films scans few. `options.exclude` is given row
   * numbers, and the result holds row numbers.
   */
  topKOfRows(query: ArrayLike<number>, k: number, rows: Int32Array, options: TopKOptions = {}): TopKResult {
    if (query.length !== this.dim) {
      throw new RangeError(`DotScanIndex.topKOfRows: query has ${query.length} values but rows have dim=${this.dim}`);
    }
    this.topKOfRowsCheck(rows);
    return this.exactOfRows(query, k, rows, options);
  }

  /** topKOfRows on a list known to be valid. */
  private exactOfRows(query: ArrayLike<number>, k: number, rows: Int32Array, options: TopKOptions): TopKResult {
    this.query.set(query);
    this.list.set(rows);
    this.exports.scanRows(this.at.listOffset, rows.length, this.dim, this.at.qOffset, this.at.outOffset);
    const excluded = predicateOf(options.exclude);
    // Positions ascend with rows, so topK's ties (lower position first) are the rows' ties.
    const found = topK(this.scores.subarray(0, rows.length), k, excluded ? { exclude: (p) => excluded(rows[p]) } : {});
    for (let i = 0; i < found.indices.length; i++) found.indices[i] = rows[found.indices[i]];
    return found;
  }

  /**
   * Makes the int8 copy of the matrix that `topKOfRowsScreened` reads: each row scaled by
   * its largest |value| to -127..127, with the exact residual of the rounding kept as a
   * bound, and the sum of its codes (the relaxed kernel's query offset). Call after the
   * matrix is filled (and again if it changes). False, and no screening, when a row holds
   * NaN or infinite values.
   */
  prepareScreen(): boolean {
    const { dim, rows, matrix, scale, rowSum, rows8 } = this;
    const stride = this.at.stride;
    let maxNorm = 0,
      maxResidual = 0;
    this.quantized = null;
    rows8.fill(0);
    for (let r = 0, o = 0; r < rows; r++, o += dim) {
      let amax = 0,
        norm = 0;
      for (let j = 0; j < dim; j++) {
        const v = matrix[o + j];
        if (!Number.isFinite(v)) return false;
        amax = Math.max(amax, Math.abs(v));
        norm += v * v;
      }
      const s = amax / 127;
      scale[r] = s;
      let res = 0,
        sum = 0;
      for (let j = 0; j < dim; j++) {
        const q = s === 0 ? 0 : Math.round(matrix[o + j] / s);
        rows8[r * stride + j] = q;
        sum += q;
        const d = matrix[o + j] - s * q;
        res += d * d;
      }
      rowSum[r] = sum;
      maxNorm = Math.max(maxNorm, Math.sqrt(norm));
      maxResidual = Math.max(maxResidual, Math.sqrt(res));
    }
    this.quantized = { maxNorm, maxResidual };
    return true;
  }

  /**
   * `topKOfRows`, the same answer bit for bit, in two passes: an int8 screening scan of the
   * listed rows (SCREEN_WAT; a quarter of the float scan's bytes, a few integer SIMD ops a
   * row) that keeps every row whose screening score reaches floor = (the t-th best
   * screening score) - margin, then the exact float64 scan of those, ranked as `topK` does.
   * No row of the exact answer is lost: each screening score is within b = margin / 2 of
   * the row's float64 score (screenMargin8). With e rows excluded (a Set) and t = k + e, at
   * least k of the t best screened rows are not excluded, each of float64 score >= t-th - b;
   * so the exact k-th best s* >= t-th - b, and every row scoring >= s* (ties included)
   * screens at >= s* - b >= floor. Exclusions given as a predicate or mask (e unknown), or
   * t over MAX_TRACKED: the k-th best of the non-excluded screening scores, picked by
   * `topK`, is the t-th (t = k, same argument). Without `prepareScreen`, or for a query the
   * bound cannot cover (NaN, huge), it is `topKOfRows`.
   */
  topKOfRowsScreened(query: ArrayLike<number>, k: number, rows: Int32Array, options: TopKOptions = {}): TopKResult {
    if (query.length !== this.dim) {
      throw new RangeError(`DotScanIndex.topKOfRowsScreened: query has ${query.length} values but rows have dim=${this.dim}`);
    }
    const qz = this.quantized;
    if (!qz || !(Number.isInteger(k) && k > 0) || rows.length <= 4 * k) return this.topKOfRows(query, k, rows, options);
    const { qs, margin } = this.quantizeQuery(query, qz);
    if (!Number.isFinite(margin)) return this.topKOfRows(query, k, rows, options);
    const ex = options.exclude;
    const tracked = ex === undefined ? k : typeof ex === 'function' || ex instanceof Uint8Array ? Infinity : k + ex.size;
    let floor: number, n: number;
    if (tracked <= MAX_TRACKED) {
      n = this.screenList(rows, qs, tracked, margin);
      floor = this.top[tracked - 1] - margin;
    } else {
      // Exclusions of unknown count (or many): every listed row is a candidate, topK finds the k-th.
      n = this.screenList(rows, qs, 1, Infinity);
      const cand = this.cand;
      const excluded = predicateOf(ex);
      const best = topK(this.scores.subarray(0, n), k, excluded ? { exclude: (p) => excluded(cand[p]) } : {});
      // Fewer than k rows can be ranked: every one of them is in the answer, scanned exactly.
      if (best.indices.length < k) return this.exactOfRows(query, k, rows, options);
      floor = best.scores[k - 1] - margin;
    }
    return this.exactOfRows(query, k, this.candidatesAbove(n, floor), options);
  }

  /** Writes the query's screening codes to q8; its scale and the screening margin. */
  private quantizeQuery(query: ArrayLike<number>, qz: Quantized): { qs: number; margin: number } {
    // relaxed: q7 = round(q / qs) + 64 in 1..127 (the kernel's unsigned 7-bit operand); i16: -127..127
    const relaxed = this.screenKernel === 'relaxed';
    const levels = relaxed ? 63 : 127,
      offset = relaxed ? 64 : 0;
    let amax = 0,
      qNorm = 0;
    for (let j = 0; j < this.dim; j++) {
      amax = Math.max(amax, Math.abs(query[j]));
      qNorm += query[j] * query[j];
    }
    qNorm = Math.sqrt(qNorm);
    const qs = amax / levels;
    let qRes = 0;
    for (let j = 0; j < this.dim; j++) {
      const q = qs === 0 ? 0 : Math.round(query[j] / qs);
      this.q8[j] = q + offset;
      const d = query[j] - qs * q;
      qRes += d * d;
    }
    return { qs, margin: screenMargin8(this.dim, qz.maxNorm, qz.maxResidual, qNorm, Math.sqrt(qRes)) * this.marginScale };
  }

  /** Runs the screening kernel over `rows` (validating them): the candidates' count. */
  private screenList(rows: Int32Array, qs: number, tracked: number, margin: number): number {
    if (rows.length > this.rows) throw new RangeError(`DotScanIndex.topKOfRows: ${rows.length} rows listed, the matrix has ${this.rows}`);
    this.list.set(rows);
    const at = this.at;
    const n = this.screen(
      at.listOffset,
      rows.length,
      this.rows,
      at.stride,
      at.rows8Offset,
      at.q8Offset,
      qs,
      at.scaleOffset,
      at.rowSumOffset,
      tracked,
      at.topOffset,
      margin,
      at.candOffset,
      at.outOffset,
    );
    if (n < 0) {
      this.topKOfRowsCheck(rows); // throws the RangeError naming the bad entry
      throw new RangeError(`DotScanIndex.topKOfRows: rows must be ascending row numbers below ${this.rows}`);
    }
    return n;
  }

  /** The first `count` candidates (rows, ascending) whose screening score is >= floor, compacted in place. */
  private candidatesAbove(count: number, floor: number): Int32Array {
    const cand = this.cand,
      score = this.scores;
    let n = 0;
    for (let i = 0; i < count; i++) if (score[i] >= floor) cand[n++] = cand[i];
    return cand.subarray(0, n);
  }

  private topKOfRowsCheck(rows: Int32Array): void {
    if (rows.length > this.rows) throw new RangeError(`DotScanIndex.topKOfRows: ${rows.length} rows listed, the matrix has ${this.rows}`);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (!(r >= 0 && r < this.rows && (i === 0 || r > rows[i - 1])))
        throw new RangeError(`DotScanIndex.topKOfRows: rows must be ascending row numbers below ${this.rows} (rows[${i}] = ${r})`);
    }
  }
}

/**
 * Twice the largest |int8 screening score − float64 scan score| of one row and one query.
 * With x = x̂ + δx (x̂ the scaled int8 row, |δx| <= maxResidual) and q = q̂ + δq
 * (|δq| = queryResidual; q̂ the query's codes times their scale, -127..127 for the i16
 * kernel, -63..63 for the relaxed one: a larger δq, the same bound):
 * x·q − x̂·q̂ = x̂·δq + δx·q, so |x·q − x̂·q̂| <= (maxNorm +
 * maxResidual)·|δq| + maxResidual·|q| (Cauchy–Schwarz). x̂·q̂ is an exact integer times the
 * two scales (float64: relative 2^-51), and the float64 scan is within γ(dim + 1)·|x|·|q|
 * of x·q (u = 2^-53); 1e-6 relative and 2^-100 absolute to spare. Infinity when the
 * bound does not hold (NaN, or values near float64's range).
 */
export function screenMargin8(dim: number, maxNorm: number, maxResidual: number, queryNorm: number, queryResidual: number): number {
  const xq = (maxNorm + maxResidual) * (queryNorm + queryResidual);
  if (!(xq >= 0 && xq < 1e100)) return Infinity;
  const m = dim + 1,
    u = 2 ** -53;
  const b = (maxNorm + maxResidual) * queryResidual + maxResidual * queryNorm + 2 ** -51 * xq + ((m * u) / (1 - m * u)) * xq;
  return 2 * b * (1 + 1e-6) + 2 ** -100;
}
