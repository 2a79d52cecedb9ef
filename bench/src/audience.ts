// Audience embedding benchmark (issue 13): the randomized SVD the trainer runs after the
// taste model (k 50, oversampling 10, 2 power iterations: 3 fused passes over the ratings
// and one Ritz pass), with its passes in the WebAssembly SIMD kernel, beside the same
// algorithm with the plain TypeScript float64 passes as the baseline, on the ratings of
// the synthetic `latest` dump (33.8M; quick mode: the `small` dump). Budget on `latest`:
// under 60 s on 2 cores (docs/similarity.md). One thread: the kernel is single-threaded.
import { audienceEmbeddingFast, ratingsCsr, type RatingsCsr } from '@cinemap/math';
import { prepareTrainingData } from '@cinemap/trainer';
import { ensureSyntheticDump } from './generate-data';
import { readDumpRatings } from './train';
import type { BenchOptions, BenchRow } from './types';

const log = (s: string) => process.stderr.write(`[audience] ${s}\n`);

/** All ratings of a dump as the trainer's CSR (dense indices as prepareTrainingData assigns them). */
async function dumpCsr(dir: string): Promise<RatingsCsr> {
  const data = prepareTrainingData(await readDumpRatings(dir), 0, 42);
  const s = data.train;
  return ratingsCsr(s.users, s.movies, s.ratings, data.userIds.length, data.movieIds.length);
}

async function timedSvd(
  csr: RatingsCsr,
  kernel: 'wasm' | 'ts',
): Promise<{ seconds: number; passes: number[]; sigma1: number; used: string }> {
  const t0 = performance.now();
  let last = t0;
  const passes: number[] = [];
  const r = await audienceEmbeddingFast(csr, {
    seed: 1,
    kernel,
    onPass: (done, total) => {
      const now = performance.now();
      passes.push((now - last) / 1000);
      last = now;
      log(`${kernel}: pass ${done}/${total} ${((now - t0) / 1000).toFixed(1)} s`);
    },
  });
  return { seconds: (performance.now() - t0) / 1000, passes, sigma1: r.sigma[0], used: r.kernel };
}

export async function runAudienceBench(opts: BenchOptions): Promise<BenchRow[]> {
  const scale = opts.quick ? 'small' : 'latest';
  const dir = await ensureSyntheticDump(opts.workDir, scale, opts.quick ? 42 : 1);
  log(`reading ${dir}/ratings.csv`);
  const csr = await dumpCsr(dir);
  const what = `synthetic ${scale} dump (${(csr.cols.length / 1e6).toFixed(1)}M ratings, ${csr.nUsers} users, ${csr.nMovies} movies)`;
  log(`${what}: WebAssembly SIMD passes`);
  const wasm = await timedSvd(csr, 'wasm');
  log(`${what}: TypeScript float64 passes (baseline)`);
  const ts = await timedSvd(csr, 'ts');
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(' / ');
  return [
    {
      key: 'audience_svd_s',
      figure: `audience embedding, randomized SVD k 50 (${scale})`,
      cinemap: wasm.seconds,
      baselineName: 'same SVD, TypeScript float64 passes',
      baseline: ts.seconds,
      unit: 's',
      higherIsBetter: false,
      notes: `${what}, 1 thread, q 2, p 10; ${wasm.used} passes ${fmt(wasm.passes)} s vs ${fmt(ts.passes)} s (incl. orthonormalisation); sigma_1 ${wasm.sigma1.toFixed(3)} vs ${ts.sigma1.toFixed(3)}; budget < 60 s on latest`,
    },
  ];
}
