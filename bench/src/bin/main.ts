// `npm run bench [-- --quick] [--only parse,train,serve]`: every benchmark next to its
// baseline, measured in this same run on the same input and machine. Prints one table,
// writes bench/results/latest.json and appends the table to docs/BENCHMARKS.md.
import { appendFileSync, mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';
import { join, resolve } from 'node:path';
import type { BenchOptions, BenchRow, BenchSuite } from '../types';
import { table } from '../table';
import { runIngestBench } from '../ingest';
import { runTrainBench } from '../train';
import { runServeBench } from '../serve';
import { runAudienceBench } from '../audience';

const SUITES: Record<string, BenchSuite> = {
  parse: runIngestBench,
  train: runTrainBench,
  audience: runAudienceBench,
  serve: runServeBench,
};

const HELP = `Usage: npm run bench [-- --quick] [--only ${Object.keys(SUITES).join(',')}] [--work-dir DIR] [--real DIR ...] [--serve-seconds N] [--no-append]

Runs cinemap's benchmarks beside their baselines (same run, same input, same machine):
  parse  ratings.csv → typed columns (MB/s) vs csv-parse and pandas read_csv when available
  train  native engine ratings/s per epoch (1 and 2 threads) vs the TF.js engine (wasm, cpu);
         train_vs_reference: native vs fast.ai's training in PyTorch (bench/reference/fastai_collab.py)
         on one split, ratings/s and valid RMSE (on the first --real dump, else the synthetic small dump)
  audience  the audience embedding's randomized SVD (WASM SIMD passes) vs the same SVD with TypeScript passes
  serve  similarMovies over HTTP (autocannon, 64 connections) vs a bare node:http endpoint: a cached
         stream, the realistic mix (Zipf titles, 30% filtered, 10% moods, cold caches), the same mix
         open loop at half the gateway's saturated rate (p50/p99 from each request's scheduled time),
         every title different (unfiltered, one genre); the precomputed neighbour lists' compute time, size, memory.
         Both servers run in a serving process of their own (dist/bench/serve-host.js, as a deployed gateway runs);
         each load's notes say its cores, the machine's stolen cores, GC pauses and event-loop stops
--serve-seconds N  every serving stream runs N s (default 10 s, the mix 30 s): a quick look at the mix
--real DIR  a real MovieLens dump (folder or zip, any layout ingest reads; repeatable): adds the valid
            RMSE of the fast.ai reference, tfjs, native and biases-only on it. Never commit real dumps.
--quick uses smaller inputs (under 5 minutes) and writes the same JSON keys.
Results: bench/results/latest.json (bench/results/partial-<names>.json with --only), and a dated\ntable appended to docs/BENCHMARKS.md (unless --no-append).
Synthetic dumps are generated once into --work-dir (default $CINEMAP_HOME/bench or ./.cinemap/bench).`;

function machine(): string {
  const c = cpus();
  return `${c.length}× ${c[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}, Node ${process.versions.node}`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) return void console.log(HELP);
  const quick = args.includes('--quick');
  const oi = args.indexOf('--only');
  const only = oi >= 0 ? args[oi + 1].split(',') : Object.keys(SUITES);
  for (const o of only) if (!SUITES[o]) throw new Error(`--only: unknown benchmark "${o}" (choose from ${Object.keys(SUITES).join(', ')})`);
  const wi = args.indexOf('--work-dir');
  const workDir = resolve(wi >= 0 ? args[wi + 1] : join(process.env.CINEMAP_HOME || '.cinemap', 'bench'));
  mkdirSync(workDir, { recursive: true });
  const real: string[] = [];
  args.forEach((a, i) => {
    if (a !== '--real') return;
    if (!args[i + 1] || args[i + 1].startsWith('--')) throw new Error('--real needs a folder or zip of a real MovieLens dump');
    real.push(resolve(args[i + 1]));
  });
  const si = args.indexOf('--serve-seconds');
  const serveSeconds = si >= 0 ? Number(args[si + 1]) : undefined;
  if (serveSeconds !== undefined && !(Number.isInteger(serveSeconds) && serveSeconds >= 1))
    throw new Error(`--serve-seconds: a whole number of seconds >= 1, got ${JSON.stringify(args[si + 1] ?? '')}`);
  const opts: BenchOptions = { quick, workDir, real, serveSeconds };
  const when = new Date().toISOString();
  const host = machine();
  const rows: BenchRow[] = [];
  const failures: string[] = [];
  for (const name of only) {
    const t0 = Date.now();
    console.error(`bench: ${name}${quick ? ' (quick)' : ''} …`);
    try {
      const got = await SUITES[name](opts);
      rows.push(...got);
      console.error(`bench: ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message}`);
      console.error(`bench: ${name} FAILED: ${(e as Error).stack}`);
    }
  }
  const md = table(rows, when, host);
  console.log(`\n${md}\n`);
  const json: Record<string, unknown> = { date: when, machine: host, quick, figures: rows };
  for (const r of rows) {
    json[r.key] = r.cinemap;
    if (r.baseline !== undefined) json[`${r.key}_baseline`] = r.baseline;
  }
  mkdirSync('bench/results', { recursive: true });
  // A partial run (--only) must not replace the record of the whole one.
  const partial = only.length < Object.keys(SUITES).length;
  const out = partial ? `bench/results/partial-${only.join('-')}.json` : 'bench/results/latest.json';
  writeFileSync(out, JSON.stringify(json, null, 2) + '\n');
  console.error(`bench: wrote ${out}`);
  if (!args.includes('--no-append')) {
    const doc = 'docs/BENCHMARKS.md';
    if (!existsSync(doc) || !readFileSync(doc, 'utf8').trim())
      writeFileSync(doc, '# Benchmarks\n\nAppended by `npm run bench`; newest last.\n');
    appendFileSync(
      doc,
      `\n## ${when.slice(0, 10)} — npm run bench${quick ? ' -- --quick' : ''}\n\n${md}\n${failures.length ? `\nFailed: ${failures.join('; ')}\n` : ''}`,
    );
  }
  if (failures.length) process.exit(1);
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(1);
});
