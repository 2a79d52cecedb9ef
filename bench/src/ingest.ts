// Ingest benchmarks (issue 3, docs/BENCHMARKS.md):
//  * parse_mb_per_s: ratings.csv of the synthetic dump (`latest`; `small` in quick
//    mode) streamed from disk into typed columns by cinemap's parser, side by side in
//    the same run with csv-parse (the ecosystem default, streaming, fields converted
//    to numbers the same way) on the same file (a 200 MB slice of it when larger:
//    csv-parse is slow enough that MB/s over a slice is the same figure);
//  * parse_vs_pandas: cinemap's MB/s over pandas.read_csv's on the same file, when
//    `python3 -c 'import pandas'` works (otherwise the row says so and is left out);
//  * ingest_wall_s / ingest_peak_rss_mb: the built CLI ingesting the whole dump with
//    the blog's defaults (--curation blog-scaled: scaled thresholds on `small`, where the
//    defaults keep nothing) into a fresh PostgreSQL database (DATABASE_URL), wall time
//    and the child's peak RSS (VmHWM). Skipped without DATABASE_URL.
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createTestDatabase } from '@cinemap/db/testing';
import { readRatingsFile } from '@cinemap/movielens';
import { ensureSyntheticDump } from './generate-data';
import { findPython } from './python';
import type { BenchOptions, BenchRow } from './types';

const CSV_PARSE_SLICE = 200e6;

async function cinemapParse(file: string): Promise<{ mbps: number; rows: number }> {
  const bytes = statSync(file).size;
  const t0 = process.hrtime.bigint();
  const cols = await readRatingsFile(file);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { mbps: bytes / 1e6 / s, rows: cols.length };
}

async function csvParseParse(file: string, limit: number): Promise<{ mbps: number; rows: number; bytes: number }> {
  const { parse } = await import('csv-parse');
  const size = Math.min(statSync(file).size, limit);
  const t0 = process.hrtime.bigint();
  const parser = createReadStream(file, { highWaterMark: 1 << 20, end: size - 1 }).pipe(parse({ from_line: 2, relax_column_count: true }));
  let rows = 0;
  const cap = Math.ceil(size / 24);
  const u = new Int32Array(cap),
    m = new Int32Array(cap),
    h = new Uint8Array(cap),
    t = new Float64Array(cap);
  for await (const rec of parser as AsyncIterable<string[]>) {
    if (rec.length !== 4) continue; // the slice may cut the last line
    u[rows] = Number(rec[0]);
    m[rows] = Number(rec[1]);
    h[rows] = Number(rec[2]) * 2;
    t[rows] = Number(rec[3]);
    rows++;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { mbps: size / 1e6 / s, rows, bytes: size };
}

// pandas is the baseline issue 9 names (Debian's python3-pandas, see ./python.ts).
function pandasParse(file: string): { mbps: number; version: string } | { why: string } {
  const py = findPython('pandas', 'python3-pandas', 'the parse baseline');
  if (typeof py !== 'string') return py;
  const code = `import time,os,pandas as pd
f=${JSON.stringify(file)}
t=time.perf_counter(); d=pd.read_csv(f, engine='c', dtype={'userId':'int32','movieId':'int32','rating':'float32','timestamp':'int64'}); s=time.perf_counter()-t
print(os.path.getsize(f)/1e6/s, pd.__version__)`;
  const r = spawnSync(py, ['-c', code], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return { why: `pandas failed: ${r.stderr.trim().split('\n').pop()}` };
  const [mbps, version] = r.stdout.trim().split(/\s+/);
  return { mbps: Number(mbps), version };
}

function repeatedRatings(src: string, out: string, times: number): string {
  if (existsSync(out)) return out;
  const text = readFileSync(src);
  const nl = text.indexOf(10);
  const header = text.subarray(0, nl + 1),
    body = text.subarray(nl + 1);
  writeFileSync(out, Buffer.concat([header, ...Array.from({ length: times }, () => body)]));
  return out;
}

/** Runs the built CLI on `dir` against `url`; wall seconds and peak RSS (MB) of the child. */
async function timeIngest(dir: string, url: string): Promise<{ wallS: number; rssMb: number; ok: boolean; out: string }> {
  const root = resolve(__dirname, '../..');
  const cli = existsSync(join(root, 'dist/apps/ingest/main.js'))
    ? join(root, 'dist/apps/ingest/main.js')
    : join(process.cwd(), 'dist/apps/ingest/main.js');
  const t0 = Date.now();
  const child = spawn(process.execPath, [cli, '--source', dir, '--curation', 'blog-scaled'], {
    env: { ...process.env, DATABASE_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  let hwm = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) hwm = Math.max(hwm, Number(m[1]) / 1024);
    } catch {
      /* exited */
    }
  }, 100);
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  clearInterval(poll);
  return { wallS: (Date.now() - t0) / 1000, rssMb: hwm, ok: code === 0, out };
}

export async function runIngestBench(opts: BenchOptions): Promise<BenchRow[]> {
  const scale = opts.quick ? 'small' : 'latest';
  const dir = await ensureSyntheticDump(opts.workDir, scale, 1);
  // Quick mode: small's 2.5 MB is too short to time (start-up and JIT dominate), so its
  // rows are repeated into a ~60 MB file of the same format.
  const file = opts.quick
    ? repeatedRatings(join(dir, 'ratings.csv'), join(opts.workDir, 'ratings-small-x25.csv'), 25)
    : join(dir, 'ratings.csv');
  const size = statSync(file).size;
  const rows: BenchRow[] = [];

  const mine = await cinemapParse(file);
  const theirs = await csvParseParse(file, CSV_PARSE_SLICE);
  rows.push({
    key: 'parse_mb_per_s',
    figure: `parse ratings.csv (${opts.quick ? 'small ×25' : scale}, ${(size / 1e6).toFixed(0)} MB)`,
    cinemap: mine.mbps,
    baselineName: 'csv-parse',
    baseline: theirs.mbps,
    unit: 'MB/s',
    higherIsBetter: true,
    notes: `${mine.rows} rows into typed columns, one core; csv-parse over ${(theirs.bytes / 1e6).toFixed(0)} MB${theirs.bytes < size ? ' (a slice)' : ''}, fields converted with Number()`,
  });
  rows.push(...pandasRows(file, mine.mbps));
  if (process.env.DATABASE_URL) rows.push(...(await ingestRows(dir, scale)));
  return rows;
}

/** pandas.read_csv on the same file, when python3 has pandas. */
function pandasRows(file: string, mbps: number): BenchRow[] {
  const rows: BenchRow[] = [];
  const pandas = pandasParse(file);
  if ('mbps' in pandas) {
    rows.push({
      key: 'parse_pandas_mb_per_s',
      figure: `parse ratings.csv, pandas ${pandas.version} read_csv (C engine, int32/float32)`,
      cinemap: mbps,
      baselineName: 'pandas read_csv',
      baseline: pandas.mbps,
      unit: 'MB/s',
      higherIsBetter: true,
    });
    rows.push({
      key: 'parse_vs_pandas',
      figure: 'cinemap parse / pandas read_csv',
      cinemap: mbps / pandas.mbps,
      unit: 'x',
      higherIsBetter: true,
      notes: 'aim >= 2',
    });
  } else {
    rows.push({
      key: 'parse_vs_pandas',
      figure: 'cinemap parse / pandas read_csv',
      cinemap: Number.NaN,
      unit: 'x',
      higherIsBetter: true,
      notes: `${pandas.why}; compare with csv-parse above`,
    });
  }

  return rows;
}

/** The whole dump through the built ingest CLI into a throwaway PostgreSQL database. */
async function ingestRows(dir: string, scale: string): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const t = await createTestDatabase('postgres');
  try {
    const r = await timeIngest(dir, t.url!);
    if (!r.ok) throw new Error(`ingest failed:\n${r.out.slice(-2000)}`);
    const steps = r.out
      .split('\n')
      .filter((l) => /^\d\. |^dump /.test(l))
      .slice(-5)
      .join(' | ');
    rows.push({
      key: 'ingest_wall_s',
      figure: `ingest ${scale} dump into PostgreSQL (${scale === 'latest' ? 'blog defaults' : 'thresholds scaled to the dump'})`,
      cinemap: r.wallS,
      unit: 's',
      higherIsBetter: false,
      notes: steps.replace(/\s+/g, ' ').slice(0, 300),
    });
    rows.push({ key: 'ingest_peak_rss_mb', figure: `ingest ${scale}: peak RSS`, cinemap: r.rssMb, unit: 'MB', higherIsBetter: false });
  } finally {
    await t.drop();
  }
  return rows;
}
