// similarMovies and similarToMany: exact cosine neighbours from the active run's
// in-memory matrix (identical to pgvector's exact answer, tested), cached per run.
import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { DEFAULT_BASIS, type MovieFilter as DomainFilter, type SimilarityBasis as DomainBasis } from '@cinemap/domain';
import { SimilarMovie } from '../types/similar-movie.type';
import { MovieFilter } from '../types/movie-filter.input';
import { SimilarityBasis } from '../types/similarity-basis.type';
import type { GatewayContext } from '../context';
import type { ModelSnapshot } from '../../model/snapshot';
import { checkCount, checkFilter, MAX_K, MAX_TITLES, requireSnapshot, resolveMovieId } from '../arguments';
import { badUserInput, movieNotInModel } from '../errors';

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
    @Ctx() ctx: GatewayContext,
  ): Promise<SimilarMovie[]> {
    const kk = checkCount(k, 'k', 10, MAX_K);
    const f = checkFilter(filter);
    const snap = requireSnapshot(ctx);
    const b = basisFor(snap, basis);
    const id = await resolveMovieId(ctx, title);
    const key = `1|${b}|${id}|${kk}|${filterKey(f)}`;
    const hit = snap.answerCache.get(key);
    if (hit) return hit;
    if (!snap.has(id)) throw movieNotInModel(title, snap.runId);
    const answer = snap.neighbours(snap.vector(id, b), kk, f, [id], b);
    snap.answerCache.set(key, answer);
    return answer;
  }

  @Query(() => [SimilarMovie], {
    description:
      'A "mood": neighbours of the mean of several movies\' normalised vectors in the basis (BLEND by default), the inputs excluded.',
  })
  async similarToMany(
    @Arg('titles', () => [String]) titles: string[],
    @Arg('k', () => Int, { nullable: true, defaultValue: 10 }) k: number | null,
    @Arg('filter', () => MovieFilter, { nullable: true }) filter: MovieFilter | null,
    @Arg('basis', () => SimilarityBasis, BASIS_ARG) basis: SimilarityBasis | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<SimilarMovie[]> {
    if (titles.length < 1 || titles.length > MAX_TITLES)
      throw badUserInput(`titles must hold 1 to ${MAX_TITLES} titles (got ${titles.length})`, 'titles');
    const kk = checkCount(k, 'k', 10, MAX_K);
    const f = checkFilter(filter);
    const snap = requireSnapshot(ctx);
    const b = basisFor(snap, basis);
    const ids: number[] = [];
    for (let i = 0; i < titles.length; i++) {
      const id = await resolveMovieId(ctx, titles[i], `titles[${i}]`);
      if (!snap.has(id)) throw movieNotInModel(titles[i], snap.runId, `titles[${i}]`);
      if (!ids.includes(id)) ids.push(id);
    }
    const key = `n|${b}|${[...ids].sort((x, y) => x - y).join(',')}|${kk}|${filterKey(f)}`;
    const hit = snap.answerCache.get(key);
    if (hit) return hit;
    const answer = snap.neighbours(snap.meanVector(ids, b), kk, f, ids, b);
    snap.answerCache.set(key, answer);
    return answer;
  }
}
