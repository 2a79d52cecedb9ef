// One row of `npm run bench`'s table: a figure, cinemap's value, the baseline's value
// measured in the same run on the same input, and the JSON key it is stored under.
export interface BenchRow {
  /** Key in bench/results/latest.json (e.g. parse_mb_per_s). */
  key: string;
  /** Human label, e.g. "parse ratings.csv (MB/s)". */
  figure: string;
  cinemap: number;
  /** Baseline name, e.g. "csv-parse" or "pandas read_csv"; omitted when there is none. */
  baselineName?: string;
  baseline?: number;
  /** Unit for printing, e.g. "MB/s", "ratings/s", "ms". */
  unit: string;
  /** Whether higher is better (ratio = cinemap/baseline) or lower (ratio = baseline/cinemap). */
  higherIsBetter: boolean;
  /** Free-form notes: input size, threads, RSS, RMSE next to the speed, ... */
  notes?: string;
}

export interface BenchOptions {
  quick: boolean;
  /** Scratch folder for generated data (reused between runs when the seed and scale match). */
  workDir: string;
  /** Real MovieLens dump folders/zips (`--real DIR`, repeatable): quality against the fast.ai reference. */
  real: string[];
  /** `--serve-seconds N`: every serving stream runs N s (default 10, the mix 30; --quick 4 and 6). */
  serveSeconds?: number;
}

export type BenchSuite = (opts: BenchOptions) => Promise<BenchRow[]>;
