// mostAppreciated / leastAppreciated: movies by learned bias (the blog's two tables):
// what people rate high or low whoever they are, beyond the movie's audience.
import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { appreciatedMovies } from '@cinemap/db';
import { MovieView } from '../types/movie.type';
import { MovieFilter } from '../types/movie-filter.input';
import type { GatewayContext } from '../context';
import { checkCount, checkFilter, requireSnapshot } from '../arguments';

export const MAX_LIST = 1000;

async function byBias(
  ctx: GatewayContext,
  order: 'most' | 'least',
  limit: number | null,
  filter: MovieFilter | null,
): Promise<MovieView[]> {
  const n = checkCount(limit, 'limit', 10, MAX_LIST);
  const f = checkFilter(filter);
  const snap = requireSnapshot(ctx);
  const rows = await appreciatedMovies(ctx.db, snap.runId, order, n, f);
  return rows.map((r) => snap.movie(r.movieId)!).filter(Boolean);
}

@Resolver()
export class AppreciationResolver {
  @Query(() => [MovieView], { description: 'Highest movie bias first.' })
  mostAppreciated(
    @Arg('limit', () => Int, { nullable: true, defaultValue: 10 }) limit: number | null,
    @Arg('filter', () => MovieFilter, { nullable: true }) filter: MovieFilter | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<MovieView[]> {
    return byBias(ctx, 'most', limit, filter);
  }

  @Query(() => [MovieView], { description: 'Lowest movie bias first.' })
  leastAppreciated(
    @Arg('limit', () => Int, { nullable: true, defaultValue: 10 }) limit: number | null,
    @Arg('filter', () => MovieFilter, { nullable: true }) filter: MovieFilter | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<MovieView[]> {
    return byBias(ctx, 'least', limit, filter);
  }
}
