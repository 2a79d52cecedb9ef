// `npm run eval -- --source DIR`: neighbour quality of TASTE, AUDIENCE and BLEND on a
// MovieLens dump (bench/src/eval/run-eval.ts).
import { DEFAULT_BLEND_WEIGHT, evalInput, evalResult, formatEval, neighbourTable, type EvalOptions } from '../eval/run-eval';

const HELP = `Usage: npm run eval -- --source DIR [--franchises FILE] [--seed N] [--threads N] [--weight W] [--json]

Neighbour quality of each similarity basis on a MovieLens dump (folder or zip, any layout
ingest reads; the whole dump, uncurated). Trains the taste factors (native engine, fast.ai's
defaults, seeded 20% held out) and the audience embedding (randomized SVD of all ratings),
then prints, for TASTE, AUDIENCE and BLEND:
  franchise recall@10  the most-rated member of each franchise is the query; share of the other
                       members among its 10 nearest, pooled; at rating floors 0 / 10 / 20 / 50
  genre Jaccard        mean over the 200 most-rated films of the genre Jaccard with their 10
                       nearest; at floors 0 / 10 / 20
  --source DIR      the dump (e.g. ml-latest-small or ml-100k; never commit real dumps)
  --franchises FILE the franchise list (default bench/fixtures/franchises.json: 70 franchises;
                    a synthetic dump without --franchises: the franchises it planted, truth.json)
  --seed N          seed of the split, the taste model and the audience SVD (default 1)
  --threads N       native engine threads (default 1)
  --weight W        BLEND's taste weight in 0..1 (default ${DEFAULT_BLEND_WEIGHT})
  --audience-factors K, --row-exponent A, --audience-values rating|binary, --power-iterations Q
                    audience settings other than the trainer's defaults (to measure alternatives)
  --show TITLE      also print the 10 nearest films of TITLE (exact MovieLens title) under TASTE and
                    BLEND side by side, at the default floor (repeatable)
  --json            the figures as one JSON object`;

function parse(argv: string[]) {
  const o = {
    source: '',
    franchises: undefined as string | undefined,
    seed: 1,
    threads: 1,
    weight: DEFAULT_BLEND_WEIGHT,
    json: false,
    audience: {} as NonNullable<EvalOptions['audience']>,
    show: [] as string[],
  };
  const value = (name: string, v: string | undefined): string => {
    if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value (see --help)`);
    return v;
  };
  const int = (name: string, v: string | undefined, min: number): number => {
    const s = value(name, v);
    if (!/^-?\d+$/.test(s) || Number(s) < min) throw new Error(`${name} needs an integer >= ${min}, got ${JSON.stringify(s)}`);
    return Number(s);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--source') o.source = value(a, argv[++i]);
    else if (a === '--franchises') o.franchises = value(a, argv[++i]);
    else if (a === '--seed') o.seed = int(a, argv[++i], 0);
    else if (a === '--threads') o.threads = int(a, argv[++i], 1);
    else if (a === '--weight') {
      o.weight = Number(value(a, argv[++i]));
      if (!(o.weight >= 0 && o.weight <= 1)) throw new Error(`--weight needs a number in 0..1, got ${argv[i]}`);
    } else if (a === '--audience-factors') o.audience.audienceFactors = int(a, argv[++i], 1);
    else if (a === '--power-iterations') o.audience.audiencePowerIterations = int(a, argv[++i], 0);
    else if (a === '--row-exponent') {
      o.audience.audienceRowExponent = Number(value(a, argv[++i]));
      if (!(o.audience.audienceRowExponent >= 0 && o.audience.audienceRowExponent <= 2))
        throw new Error(`--row-exponent needs a number in 0..2, got ${argv[i]}`);
    } else if (a === '--audience-values') {
      const v = value(a, argv[++i]);
      if (v !== 'rating' && v !== 'binary') throw new Error(`--audience-values needs rating or binary, got ${JSON.stringify(v)}`);
      o.audience.audienceValues = v;
    } else if (a === '--show') o.show.push(value(a, argv[++i]));
    else if (a === '--json') o.json = true;
    else throw new Error(`unknown argument ${a} (see --help)`);
  }
  if (!o.source) throw new Error('--source DIR is required (see --help)');
  return o;
}

async function main(argv: string[]): Promise<void> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) return void console.log(HELP);
  const o = parse(argv);
  const input = await evalInput({ ...o, log: (s) => process.stderr.write(`[eval] ${s}\n`) });
  const r = evalResult(o.source, input);
  process.stdout.write(o.json ? `${JSON.stringify(r)}\n` : formatEval(r, o.weight));
  for (const t of o.show) process.stdout.write(`\n${neighbourTable(input, t)}`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`eval: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
