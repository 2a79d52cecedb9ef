// `npm run eval`: neighbour quality of every basis (TASTE, AUDIENCE, BLEND) on one
// MovieLens dump, the whole dump uncurated: taste = the native engine at the trainer's
// defaults (fast.ai's: 50 factors, 5 epochs, seeded 20% held out), audience = the
// randomized SVD of all ratings at the trainer's defaults, blend = cosine of
// [w taste_unit, (1 - w) audience_unit]. Prints franchise recall@10 and genre Jaccard
// at several rating floors as a table (quality.ts says how each is measured).
import { fastaiDefaults } from '../fastai-defaults';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_BLEND_WEIGHT, DEFAULT_MIN_RATING_COUNT } from '@cinemap/domain';
import { AUDIENCE_DEFAULTS, blendRows, normalizeRows, topKByDot } from '@cinemap/math';
import { openDumpSource, readDump, type MovieRow } from '@cinemap/movielens';
import { NativeEngine, prepareTrainingData, trainingAudience, type AudienceParams, type TrainingData } from '@cinemap/trainer';
import { loadFranchises, matchFranchises } from './franchises';
import { franchiseRecall, genreJaccard, type Vectors } from './quality';

export const RECALL_FLOORS = [0, 10, 20, 50];
export const JACCARD_FLOORS = [0, 10, 20];

export interface EvalOptions {
  source: string;
  franchises?: string;
  seed: number;
  threads: number;
  weight: number;
  /** Audience embedding settings (default: the trainer's). */
  audience?: Partial<Pick<AudienceParams, 'audienceFactors' | 'audienceRowExponent' | 'audienceValues' | 'audiencePowerIterations'>>;
  log: (s: string) => void;
}

export interface BasisFigures {
  basis: 'TASTE' | 'AUDIENCE' | 'BLEND';
  recall: { floor: number; recall: number; macro: number; queries: number }[];
  jaccard: { floor: number; jaccard: number }[];
}

export interface EvalResult {
  source: string;
  ratings: number;
  movies: number;
  franchisesWithMembers: number;
  seconds: { taste: number; audience: number };
  bases: BasisFigures[];
}

/** Genre set of a MovieLens genre string; "(no genres listed)" and ml-100k's "unknown" are empty. */
export function genreSet(genres: string): Set<string> {
  return new Set(genres.split('|').filter((g) => g && g !== '(no genres listed)' && g !== 'unknown'));
}

function countsOf(data: TrainingData): Float64Array {
  const c = new Float64Array(data.movieIds.length);
  for (const s of [data.train, data.valid]) for (let i = 0; i < s.movies.length; i++) c[s.movies[i]]++;
  return c;
}

/** Every basis's figures for given vectors (the pure half, used by the CI regression test too). */
export function evaluateBases(
  bases: { basis: BasisFigures['basis']; v: Vectors }[],
  counts: ArrayLike<number>,
  genres: readonly ReadonlySet<string>[],
  franchises: { members: number[] }[],
): BasisFigures[] {
  return bases.map(({ basis, v }) => ({
    basis,
    recall: RECALL_FLOORS.map((floor) => ({ floor, ...franchiseRecall(v, counts, franchises, floor) })),
    jaccard: JACCARD_FLOORS.map((floor) => ({ floor, jaccard: genreJaccard(v, counts, genres, floor) })),
  }));
}

async function readAll(source: string, log: (s: string) => void): Promise<{ data: TrainingData; movies: Map<number, MovieRow> }> {
  const dump = await readDump(await openDumpSource(source));
  const r = dump.ratings;
  log(`${source}: ${r.length} ratings, ${dump.movies.length} movies (${dump.layout.id} layout)`);
  const ratings = new Float32Array(r.length);
  for (let i = 0; i < r.length; i++) ratings[i] = r.halfStars[i] / 2;
  const raw = { userIds: r.userId.subarray(0, r.length), movieIds: r.movieId.subarray(0, r.length), ratings };
  return { data: prepareTrainingData(raw, 0.2, 42), movies: new Map(dump.movies.map((m) => [m.movieId, m])) };
}

/**
 * The franchises as dense indices: the title patterns (--franchises, default the committed
 * list), or, for a synthetic dump without --franchises, the franchises it planted (truth.json).
 */
function franchisesOf(o: EvalOptions, data: TrainingData, movies: Map<number, MovieRow>): { name: string; members: number[] }[] {
  const truth = join(o.source, 'truth.json');
  if (!o.franchises && existsSync(truth)) {
    const index = new Map(Array.from(data.movieIds, (id, i) => [id, i]));
    const planted = (JSON.parse(readFileSync(truth, 'utf8')) as { franchises: number[][] }).franchises;
    o.log(`${truth}: ${planted.length} planted franchises`);
    return planted.map((ids, i) => ({
      name: `planted ${i}`,
      members: ids.map((id) => index.get(id)).filter((x): x is number => x !== undefined),
    }));
  }
  return matchFranchises(
    loadFranchises(o.franchises),
    Array.from(data.movieIds, (id) => movies.get(id)?.title ?? ''),
  );
}

/** What the harness measures on: the dump's films and the vectors of every basis. */
export interface EvalInput {
  data: TrainingData;
  /** MovieLens title of each dense movie index. */
  titles: string[];
  counts: Float64Array;
  genres: Set<string>[];
  franchises: { name: string; members: number[] }[];
  vectors: { TASTE: Vectors; AUDIENCE: Vectors; BLEND: Vectors };
  seconds: { taste: number; audience: number };
}

async function tasteVectors(data: TrainingData, o: EvalOptions): Promise<Vectors> {
  o.log(`taste: native engine, fast.ai defaults, ${o.threads} thread(s) …`);
  const taste = await new NativeEngine().train(data, {
    ...fastaiDefaults(data.train.ratings.length),
    seed: o.seed,
    threads: o.threads,
  });
  return { rows: data.movieIds.length, dim: taste.weights.factors, data: taste.weights.movieFactors };
}

/** Reads the dump and computes the vectors of every basis. */
export async function evalInput(o: EvalOptions): Promise<EvalInput> {
  const { data, movies } = await readAll(o.source, o.log);
  const n = data.movieIds.length;
  const genres = Array.from(data.movieIds, (id) => genreSet(movies.get(id)?.genres ?? ''));
  const franchises = franchisesOf(o, data, movies);
  let t = performance.now();
  const tv = await tasteVectors(data, o);
  const tasteSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  o.log('audience: randomized SVD …');
  const aud = await trainingAudience(data, {
    audienceFactors: AUDIENCE_DEFAULTS.k,
    audienceOversampling: AUDIENCE_DEFAULTS.oversampling,
    audiencePowerIterations: AUDIENCE_DEFAULTS.powerIterations,
    audienceRowExponent: AUDIENCE_DEFAULTS.rowExponent,
    audienceValues: AUDIENCE_DEFAULTS.values,
    audienceSeed: o.seed,
    ...o.audience,
  });
  const audienceSeconds = (performance.now() - t) / 1000;
  const av: Vectors = { rows: n, dim: aud.k, data: aud.vectors };
  const bv: Vectors = { rows: n, dim: tv.dim + av.dim, data: blendRows(tv.data, tv.dim, av.data, av.dim, n, o.weight) };
  return {
    data,
    titles: Array.from(data.movieIds, (id) => movies.get(id)?.title ?? ''),
    counts: countsOf(data),
    genres,
    franchises,
    vectors: { TASTE: tv, AUDIENCE: av, BLEND: bv },
    seconds: { taste: tasteSeconds, audience: audienceSeconds },
  };
}

export function evalResult(source: string, input: EvalInput): EvalResult {
  const { data, franchises, vectors } = input;
  const bases = evaluateBases(
    (['TASTE', 'AUDIENCE', 'BLEND'] as const).map((basis) => ({ basis, v: vectors[basis] })),
    input.counts,
    input.genres,
    franchises,
  );
  return {
    source,
    ratings: data.train.ratings.length + data.valid.ratings.length,
    movies: data.movieIds.length,
    franchisesWithMembers: franchises.filter((f) => f.members.length >= 2).length,
    seconds: input.seconds,
    bases,
  };
}

export async function runEval(o: EvalOptions): Promise<EvalResult> {
  return evalResult(o.source, await evalInput(o));
}

/**
 * The 10 nearest films of `title` (its exact MovieLens title) in each basis, at the
 * default floor, as a Markdown table: "title [ratings] cosine" per cell.
 */
export function neighbourTable(input: EvalInput, title: string, bases: (keyof EvalInput['vectors'])[] = ['TASTE', 'BLEND']): string {
  const q = input.titles.indexOf(title);
  if (q < 0)
    throw new Error(
      `--show: no film titled exactly ${JSON.stringify(title)} in the dump (use the MovieLens title, e.g. "Matrix, The (1999)")`,
    );
  const cols = bases.map((b) => {
    const v = input.vectors[b];
    const keep: number[] = [];
    for (let i = 0; i < v.rows; i++) if (input.counts[i] >= DEFAULT_MIN_RATING_COUNT || i === q) keep.push(i);
    const sub = new Float32Array(keep.length * v.dim);
    keep.forEach((i, r) => sub.set(v.data.subarray(i * v.dim, (i + 1) * v.dim), r * v.dim));
    normalizeRows(sub, keep.length, v.dim, { inPlace: true });
    const qr = keep.indexOf(q);
    const top = topKByDot(sub, keep.length, v.dim, sub.subarray(qr * v.dim, (qr + 1) * v.dim), 10, { exclude: new Set([qr]) });
    return Array.from(top.indices, (r, j) => `${input.titles[keep[r]]} [${input.counts[keep[r]]}] ${top.scores[j].toFixed(2)}`);
  });
  return [
    `#### ${title} [${input.counts[q]} ratings]`,
    '',
    `| # | ${bases.join(' | ')} |`,
    `| --- | ${bases.map(() => '---').join(' | ')} |`,
    ...Array.from({ length: 10 }, (_, i) => `| ${i + 1} | ${cols.map((c) => (c[i] ?? '').replace(/\|/g, '\\|')).join(' | ')} |`),
    '',
  ].join('\n');
}

export function formatEval(r: EvalResult, weight: number): string {
  const f2 = (x: number) => (Number.isNaN(x) ? '–' : x.toFixed(2));
  const f3 = (x: number) => (Number.isNaN(x) ? '–' : x.toFixed(3));
  const queries = r.bases[0].recall.map((x) => x.queries).join(' / ');
  const lines = [
    `${r.source}: ${r.ratings.toLocaleString('en-US')} ratings, ${r.movies.toLocaleString('en-US')} films, ${r.franchisesWithMembers} franchises with >= 2 members; queries at floors ${RECALL_FLOORS.join(' / ')}: ${queries}`,
    `taste ${r.seconds.taste.toFixed(1)} s, audience ${r.seconds.audience.toFixed(1)} s; BLEND weight ${weight}`,
    '',
    `| basis | franchise recall@10, floor ${RECALL_FLOORS.join(' / ')} | genre Jaccard, floor ${JACCARD_FLOORS.join(' / ')} |`,
    '| --- | --- | --- |',
    ...r.bases.map(
      (b) => `| ${b.basis} | ${b.recall.map((x) => f2(x.recall)).join(' / ')} | ${b.jaccard.map((x) => f3(x.jaccard)).join(' / ')} |`,
    ),
  ];
  return lines.join('\n') + '\n';
}

export { DEFAULT_BLEND_WEIGHT };
