// similarMovies and similarToMany: exact cosine neighbours from the active run's
// in-memory matrix (identical to pgvector's exact answer, tested), cached per run.
// similarMovies reads the run's precomputed lists where they answer (snapshot.similarTo).
import { Arg, Ctx, Float, Int, Query, Resolver } from 'type-graphql';
import { DEFAULT_BASIS, type MovieFilter as DomainFilter, type SimilarityBasis as DomainBasis } from '@cinemap/domain';
import { SimilarMovie } from '../types/similar-movie.type';
import { MovieFilter } from '../types/movie-filter.input';
import { SimilarityBasis } from '../types/similarity-basis.type';
import type { GatewayContext } from '../context';
import type { ModelSnapshot } from '../../model/snapshot';
import {
  checkCount,
  checkFilter,
  MAX_K,
  MAX_TITLES,
  requireSnapshot,
  resolveModelMovieId,
  resolveMovieId,
  assertInModel,
} from '../arguments';
import { badUserInput } from '../errors';
import { atLeast, moodVector } from '../../model/mood';

/** minSimilarity checked: a cosine, -1..1, or null. */
function checkMinSimilarity(v: number | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  if (!(v >= -1 && v <= 1)) throw badUserInput(`minSimilarity must be a cosine similarity from -1 to 1 (got ${v})`, 'minSimilarity');
  return v;
}

/** Resolves a list of titles (argument `name`) to distinct movie ids in the model. */
async function modelIds(
  ctx: GatewayContext,
  snap: Parameters<typeof resolveModelMovieId>[1],
  titles: string[],
  name: string,
): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < titles.length; i++) {
    const id = await resolveModelMovieId(ctx, snap, titles[i], `${name}[${i}]`);
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

function filterKey(f: DomainFilter): string {
  return JSON.stringify({ ...f, genres: f.genres && [...f.genres].sort(), excludeGenres: f.excludeGenres && [...f.excludeGenres].sort() });
}

// No description on the argument (the enum has them): the schema then prints each root field on one line, as the contract pins it.
const BASIS_ARG = { nullable: true, defaultValue: SimilarityBasis.BLEND };

/** The basis asked for; BAD_USER_INPUT when the run cannot answer in it. */
function basisFor(snap: ModelSnapshot, basis: SimilarityBasis | null | undefined): DomainBasis {
  const b = (basis ?? DEFAULT_BASIS) as DomainBasis;
  if (!snap.hasBasis(b))
    throw badUserInput(
      `basis ${b.toUpperCase()} needs audience vectors, and the served run ${snap.runId} was trained before they existed: train a new run (npm run train) or ask basis: BLEND or TASTE`,
      'basis',
    );
  return b;
}

@Resolver()
export class SimilarResolver {
  @Query(() => [SimilarMovie], {
    description: "The k movies most similar to one title (cosine of the basis's vectors, BLEND by default), the title itself excluded.",
  })
  async similarMovies(
    @Arg('title', () => String) title: string,
    @Arg('k', () => Int, { nullable: true, defaultValue: 10 }) k: number | null,
    @Arg('filter', () => MovieFilter, { nullable: true }) filter: MovieFilter | null,
    @Arg('basis', () => SimilarityBasis, BASIS_ARG) basis: SimilarityBasis | null,
    @Arg('minSimilarity', () => Float, { nullable: true }) minSimilarity: number | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<SimilarMovie[]> {
    const kk = checkCount(k, 'k', 10, MAX_K);
    const f = checkFilter(filter);
    const min = checkMinSimilarity(minSimilarity);
    const snap = requireSnapshot(ctx);
    const b = basisFor(snap, basis);
    const id = await resolveMovieId(ctx, title);
    const key = `1|${b}|${id}|${kk}|${filterKey(f)}|${min}`;
    const hit = snap.answerCache.get(key);
    if (hit) return hit;
    await assertInModel(ctx, snap, id, title);
    const answer = atLeast(snap.similarTo(id, kk, f, b), min);
    snap.answerCache.set(key, answer);
    return answer;
  }

  @Query(() => [SimilarMovie], {
    description:
      'A "mood": neighbours of the mean of several movies\' normalised vectors in the basis (BLEND by default), the inputs excluded. With avoid ("like these, not that"): neighbours of 2·mean(titles) − mean(avoid), the avoided movies excluded too.',
  })
  async similarToMany(
    @Arg('titles', () => [String]) titles: string[],
    @Arg('k', () => Int, { nullable: true, defaultValue: 10 }) k: number | null,
    @Arg('filter', () => MovieFilter, { nullable: true }) filter: MovieFilter | null,
    @Arg('basis', () => SimilarityBasis, BASIS_ARG) basis: SimilarityBasis | null,
    @Arg('avoid', () => [String], { nullable: true }) avoid: string[] | null,
    @Arg('minSimilarity', () => Float, { nullable: true }) minSimilarity: number | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<SimilarMovie[]> {
    if (titles.length < 1 || titles.length > MAX_TITLES)
      throw badUserInput(`titles must hold 1 to ${MAX_TITLES} titles (got ${titles.length})`, 'titles');
    if ((avoid?.length ?? 0) > MAX_TITLES)
      throw badUserInput(`avoid must hold at most ${MAX_TITLES} titles (got ${avoid!.length})`, 'avoid');
    const kk = checkCount(k, 'k', 10, MAX_K);
    const f = checkFilter(filter);
    const min = checkMinSimilarity(minSimilarity);
    const snap = requireSnapshot(ctx);
    const b = basisFor(snap, basis);
    const ids = await modelIds(ctx, snap, titles, 'titles');
    const avoided = await modelIds(ctx, snap, avoid ?? [], 'avoid');
    const both = ids.find((id) => avoided.includes(id));
    if (both !== undefined) throw badUserInput(`movie ${both} is in both titles and avoid; keep it in one`, 'avoid');
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b).join(',');
    const key = `n|${b}|${sorted(ids)}|${sorted(avoided)}|${kk}|${filterKey(f)}|${min}`;
    const hit = snap.answerCache.get(key);
    if (hit) return hit;
    const answer = atLeast(await snap.scanNeighbours(moodVector(snap, ids, avoided, b), kk, f, [...ids, ...avoided], b), min);
    snap.answerCache.set(key, answer);
    return answer;
  }
}
