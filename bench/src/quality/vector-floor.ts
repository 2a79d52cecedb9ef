// How many ratings a film needs for a usable vector (issue 15 item 2): trains the
// default EmbeddingDotBias on EVERY rating of a dump (no curation) over three seeded
// 80/20 splits and, per bucket of films by rating count, reports the held-out RMSE of
// the model against the biases-only baseline (a film's vector is usable when it
// predicts its held-out ratings better than the film's bias alone), and, from the first
// split with a second init seed, overlap@10: the share of a film's 10 nearest
// neighbours (among films the API lists by default, >= 10 ratings) both runs agree on,
// and genre lift: the share of those neighbours sharing a genre with the film minus
// the share among all listed films (0 for a vector that is noise).
// The floor (DEFAULT_CURATION_FLOORS in libs/domain) is the smallest count whose bucket
// is near the plateau; figures and the choice: docs/ingest.md "Who gets a vector".
// Run: node --import tsx bench/src/quality/vector-floor.ts /tmp/movielens/ml-latest-small
import { fastaiDefaults } from '../fastai-defaults';
import { normalizeRows, topKByDot } from '@cinemap/math';
import { predict } from '@cinemap/model';
import { NativeEngine, fitBaseline, prepareTrainingData, type EngineConfig, type TrainResult, type TrainingData } from '@cinemap/trainer';
import { openDumpSource, readDump } from '@cinemap/movielens';

async function readAny(path: string): Promise<{ raw: Parameters<typeof prepareTrainingData>[0]; genres: Map<number, string[]> }> {
  const src = await openDumpSource(path);
  try {
    const d = await readDump(src, { onInvalid: 'fail' });
    const r = d.ratings;
    const ratings = new Float32Array(r.length);
    for (let i = 0; i < r.length; i++) ratings[i] = r.halfStars[i] / 2;
    const raw = { userIds: r.userId.subarray(0, r.length), movieIds: r.movieId.subarray(0, r.length), ratings };
    return { raw, genres: new Map(d.movies.map((m) => [m.movieId, m.genres.split('|').filter((g) => g && g !== '(no genres listed)')])) };
  } finally {
    await src.close();
  }
}

const BUCKETS = [1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 50, Infinity];
const SPLITS = [42, 7, 99];
const POOL_FLOOR = 10;
const K = 10;

function neighbours(w: TrainResult['weights'], pool: number[]): (q: number) => Set<number> {
  const m = normalizeRows(new Float32Array(w.movieFactors), w.nMovies, w.factors, { inPlace: false });
  const sub = new Float32Array(pool.length * w.factors);
  pool.forEach((r, i) => sub.set(m.subarray(r * w.factors, (r + 1) * w.factors), i * w.factors));
  return (q) => {
    const { indices } = topKByDot(sub, pool.length, w.factors, m.subarray(q * w.factors, (q + 1) * w.factors), K + 1, {
      exclude: (i) => pool[i] === q,
    });
    return new Set(
      Array.from(indices)
        .slice(0, K)
        .map((i) => pool[i]),
    );
  };
}

type Weights = TrainResult['weights'];
interface Split {
  data: TrainingData;
  w: Weights;
  base: ReturnType<typeof fitBaseline>;
}

const cfg = (data: TrainingData, seed: number): EngineConfig => ({
  ...fastaiDefaults(data.train.ratings.length),
  seed,
  threads: 2,
});

/** Held-out RMSE of the model and of the biases-only baseline on films whose count is in [lo, hi). */
function bucketRmse(splits: Split[], count: Int32Array, lo: number, hi: number): { n: number; model: number; baseline: number } {
  let se = 0,
    sb = 0,
    n = 0;
  // Dense movie indices are the same in every split (sorted ids of the same ratings).
  for (const { data: d, w, base: b } of splits) {
    for (let j = 0; j < d.valid.ratings.length; j++) {
      const m = d.valid.movies[j];
      if (count[m] < lo || count[m] >= hi) continue;
      const u = d.valid.users[j],
        r = d.valid.ratings[j];
      se += (predict(w, u, m) - r) ** 2;
      sb += (Math.min(5, Math.max(0.5, b.mean + b.userBias[u] + b.movieBias[m])) - r) ** 2;
      n++;
    }
  }
  return { n, model: Math.sqrt(se / n), baseline: Math.sqrt(sb / n) };
}

/** The share of `set` sharing a genre with film m. */
function genreShare(gOf: (m: number) => string[], m: number, set: Iterable<number>): number {
  const g = gOf(m);
  let n = 0,
    t = 0;
  for (const x of set) {
    t++;
    if (gOf(x).some((y) => g.includes(y))) n++;
  }
  return t ? n / t : 0;
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir || dir === '--help') {
    console.log('Usage: node --import tsx bench/src/quality/vector-floor.ts <MovieLens dump: folder or zip, any layout>');
    process.exit(dir ? 0 : 2);
  }
  const { raw, genres } = await readAny(dir);
  const splits: Split[] = [];
  for (const seed of SPLITS) {
    const data = prepareTrainingData(raw, 0.2, seed);
    const w = (await new NativeEngine().train(data, cfg(data, 1))).weights;
    splits.push({ data, w, base: fitBaseline(data.train, data.userIds.length, data.movieIds.length) });
  }
  const data = splits[0].data;
  const other = (await new NativeEngine().train(data, cfg(data, 2))).weights;
  const count = new Int32Array(data.movieIds.length);
  for (const set of [data.train, data.valid]) for (let i = 0; i < set.movies.length; i++) count[set.movies[i]]++;
  const pool = Array.from(count.keys()).filter((m) => count[m] >= POOL_FLOOR);
  const na = neighbours(splits[0].w, pool),
    nb = neighbours(other, pool);
  const gOf = (m: number) => genres.get(data.movieIds[m]) ?? [];
  console.log(
    `${raw.ratings.length} ratings, ${data.movieIds.length} films, ${data.userIds.length} users; listed pool (>= ${POOL_FLOOR}): ${pool.length}`,
  );
  console.log(`held-out RMSE over ${SPLITS.length} splits (seeds ${SPLITS.join(', ')}); overlap and lift from the first`);
  console.log('ratings  films  overlap@10(median)  overlap@10(mean)  genre-lift  validN  rmse(model)  rmse(baseline)');
  for (let i = 0; i < BUCKETS.length - 1; i++) {
    const [lo, hi] = [BUCKETS[i], BUCKETS[i + 1]];
    const films = Array.from(count.keys()).filter((m) => count[m] >= lo && count[m] < hi);
    const ov = films.map((m) => [...na(m)].filter((v) => nb(m).has(v)).length / K).sort((p, q) => p - q);
    const withGenres = films.filter((m) => gOf(m).length > 0);
    const lift =
      withGenres.reduce((acc, m) => acc + genreShare(gOf, m, na(m)) - genreShare(gOf, m, pool), 0) / Math.max(1, withGenres.length);
    const e = bucketRmse(splits, count, lo, hi);
    const mean = ov.reduce((s, x) => s + x, 0) / Math.max(1, ov.length);
    const cells = [hi === Infinity ? `${lo}+` : `${lo}-${hi - 1}`, films.length, ov[Math.floor(ov.length / 2)].toFixed(2), mean.toFixed(3)];
    console.log([...cells, lift.toFixed(3), e.n, e.model.toFixed(4), e.baseline.toFixed(4)].map(String).join('\t'));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
