// similarMovies and similarToMany: exact cosine neighbours from the active run's
// in-memory matrix (identical to pgvector's exact answer, tested), cached per run.
// similarMovies reads the run's precomputed lists where they answer (snapshot.similarTo).
import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { MovieFilter as DomainFilter } from '@cinemap/domain';
import { SimilarMovie } from '../types/similar-movie.type';
import { MovieFilter } from '../types/movie-filter.input';
import type { GatewayContext } from '../context';
import { checkCount, checkFilter, MAX_K, MAX_TITLES, requireSnapshot, resolveMovieId } from '../arguments';
import { badUserInput, movieNotInModel } from '../errors';

function filterKey(f: DomainFilter): string {
  return JSON.stringify({ ...f, genres: f.genres && [...f.genres].sort(), excludeGenres: f.excludeGenres && [...f.excludeGenres].sort() });
}

@Resolver()
export class SimilarResolver {
  @Query(() => [SimilarMovie], { description: 'The k movies most similar to one title (cosine of embeddings), the title itself excluded.' })
  async similarMovies(
    @Arg('title', () => String) title: string,
    @Arg('k', () => Int, { nullable: true, defaultValue: 10 }) k: number | null,
    @Arg('filter', () => MovieFilter, { nullable: true }) filter: MovieFilter | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<SimilarMovie[]> {
    const kk = checkCount(k, 'k', 10, MAX_K);
    const f = checkFilter(filter);
    const snap = requireSnapshot(ctx);
    const id = await resolveMovieId(ctx, title);
    const key = `1|${id}|${kk}|${filterKey(f)}`;
    const hit = snap.answerCache.get(key);
    if (hit) return hit;
    if (!snap.has(id)) throw movieNotInModel(title, snap.runId);
    const answer = snap.similarTo(id, kk, f);
    snap.answerCache.set(key, answer);
    return answer;
  }

  @Query(() => [SimilarMovie], {
    description: 'A "mood": neighbours of the mean of several movies\' normalised embeddings, the inputs excluded.',
  })
  async similarToMany(
    @Arg('titles', () => [String]) titles: string[],
    @Arg('k', () => Int, { nullable: true, defaultValue: 10 }) k: number | null,
    @Arg('filter', () => MovieFilter, { nullable: true }) filter: MovieFilter | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<SimilarMovie[]> {
    if (titles.length < 1 || titles.length > MAX_TITLES)
      throw badUserInput(`titles must hold 1 to ${MAX_TITLES} titles (got ${titles.length})`, 'titles');
    const kk = checkCount(k, 'k', 10, MAX_K);
    const f = checkFilter(filter);
    const snap = requireSnapshot(ctx);
    const ids: number[] = [];
    for (let i = 0; i < titles.length; i++) {
      const id = await resolveMovieId(ctx, titles[i], `titles[${i}]`);
      if (!snap.has(id)) throw movieNotInModel(titles[i], snap.runId, `titles[${i}]`);
      if (!ids.includes(id)) ids.push(id);
    }
    const key = `n|${[...ids].sort((a, b) => a - b).join(',')}|${kk}|${filterKey(f)}`;
    const hit = snap.answerCache.get(key);
    if (hit) return hit;
    const answer = snap.neighbours(snap.meanVector(ids), kk, f, ids);
    snap.answerCache.set(key, answer);
    return answer;
  }
}
