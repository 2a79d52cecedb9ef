// The ridge weight of a visitor's fold-in (VISITOR_RIDGE_LAMBDA, issue 15 item 6): trains
// the default model on 90% of a dump's users, then for each held-out user folds in n of
// their ratings (n = 3, 10, 30; chosen at random) with λ from a grid and measures the
// RMSE of the predictions on the rest of their ratings, against the movie-bias-only
// prediction (what a visitor gets without fold-in). Figures: docs/graphql.md.
// Run: node --import tsx bench/src/quality/visitor-lambda.ts /tmp/movielens/ml-latest-small
import { foldInUser, Rng, sigmoidRange } from '@cinemap/math';
import { NativeEngine, autoBatchSize, prepareTrainingData } from '@cinemap/trainer';
import { openDumpSource, readDump } from '@cinemap/movielens';

const LAMBDAS = [0.1, 0.3, 1, 3, 10];
const GIVEN = [3, 10, 30];

type Raw = Parameters<typeof prepareTrainingData>[0];
type Weights = Awaited<ReturnType<NativeEngine['train']>>['weights'];

async function readRaw(path: string): Promise<Raw> {
  const src = await openDumpSource(path);
  try {
    const r = (await readDump(src, { onInvalid: 'fail' })).ratings;
    return {
      userIds: r.userId.subarray(0, r.length),
      movieIds: r.movieId.subarray(0, r.length),
      ratings: Float32Array.from(r.halfStars.subarray(0, r.length), (h) => h / 2),
    };
  } finally {
    await src.close();
  }
}

function pick(raw: Raw, keep: (i: number) => boolean): Raw {
  const idx = Array.from(raw.ratings.keys()).filter(keep);
  return {
    userIds: Int32Array.from(idx, (i) => raw.userIds[i]),
    movieIds: Int32Array.from(idx, (i) => raw.movieIds[i]),
    ratings: Float32Array.from(idx, (i) => raw.ratings[i]),
  };
}

/** Folds held-out user u in from n of their ratings (each n of GIVEN, each λ) and adds the errors on the rest. */
function foldInOne(raw: Raw, u: number, row: Map<number, number>, w: Weights, rng: Rng, add: (key: string, e: number) => void): void {
  const k = w.factors;
  const mine = Array.from(raw.ratings.keys()).filter((i) => raw.userIds[i] === u && row.has(raw.movieIds[i]));
  for (let p = mine.length - 1; p > 0; p--) {
    const q = rng.int(p + 1);
    [mine[p], mine[q]] = [mine[q], mine[p]];
  }
  for (const n of GIVEN) {
    if (mine.length < n + 5) continue;
    const given = mine.slice(0, n),
      rest = mine.slice(n);
    const rows = given.map((i) => row.get(raw.movieIds[i])!);
    const factors = Float64Array.from(rows.flatMap((r) => Array.from(w.movieFactors.subarray(r * k, (r + 1) * k))));
    const movieBias = rows.map((r) => w.movieBias[r]);
    const ratings = given.map((i) => raw.ratings[i]);
    for (const i of rest) add(`${n}|bias`, sigmoidRange(w.movieBias[row.get(raw.movieIds[i])!], 0, 5.5) - raw.ratings[i]);
    for (const lambda of LAMBDAS) {
      const f = foldInUser({ factors, movieBias, ratings, dim: k, yRange: [0, 5.5], lambda });
      for (const i of rest) {
        const r = row.get(raw.movieIds[i])!;
        let x = f.bias + w.movieBias[r];
        for (let j = 0; j < k; j++) x += w.movieFactors[r * k + j] * f.vector[j];
        add(`${n}|${lambda}`, sigmoidRange(x, 0, 5.5) - raw.ratings[i]);
      }
    }
  }
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir || dir === '--help') {
    console.log('Usage: node --import tsx bench/src/quality/visitor-lambda.ts <MovieLens dump>');
    process.exit(dir ? 0 : 2);
  }
  const raw = await readRaw(dir);
  const users = [...new Set(raw.userIds)].sort((a, b) => a - b);
  const rng = new Rng(11);
  const heldOut = new Set(users.filter(() => rng.next() < 0.1));
  const data = prepareTrainingData(
    pick(raw, (i) => !heldOut.has(raw.userIds[i])),
    0.2,
    42,
  );
  const cfg = {
    factors: 50,
    epochs: 5,
    lr: 5e-3,
    wd: 0.1,
    batchSize: autoBatchSize(data.train.ratings.length),
    yRange: [0, 5.5] as const,
    seed: 1,
    threads: 2,
  };
  const w = (await new NativeEngine().train(data, cfg)).weights;
  const row = new Map(Array.from(data.movieIds, (id, r) => [id, r]));
  const errs = new Map<string, { se: number; n: number }>();
  const add = (key: string, e: number) => {
    const x = errs.get(key) ?? { se: 0, n: 0 };
    x.se += e * e;
    x.n++;
    errs.set(key, x);
  };
  for (const u of heldOut) foldInOne(raw, u, row, w, rng, add);
  console.log(`${heldOut.size} held-out users; RMSE on their other ratings`);
  console.log(['given', 'movie bias only', ...LAMBDAS.map((l) => `λ=${l}`)].join('\t'));
  for (const n of GIVEN) {
    const cell = (key: string) => {
      const e = errs.get(`${n}|${key}`);
      return e ? Math.sqrt(e.se / e.n).toFixed(4) : '-';
    };
    console.log([n, cell('bias'), ...LAMBDAS.map((l) => cell(String(l)))].join('\t'));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
