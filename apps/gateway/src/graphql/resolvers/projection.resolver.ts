// pcaProjection: the run's movies on their first three principal components,
// most-rated first (the blog's plot).
import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { pcaProjection } from '@cinemap/db';
import { MovieProjection } from '../types/movie-projection.type';
import { MovieFilter } from '../types/movie-filter.input';
import type { GatewayContext } from '../context';
import { checkCount, checkFilter, requireSnapshot } from '../arguments';

// 1000: the most a page of x, y, z and every Movie field costs within the cost limit (docs/graphql.md "Limits"); pcaMap pages through the whole map.
export const MAX_PROJECTION = 1000;

@Resolver()
export class ProjectionResolver {
  @Query(() => [MovieProjection], { description: 'PCA coordinates (pc1..pc3) of the active run, most-rated movies first.' })
  async pcaProjection(
    @Arg('limit', () => Int, { nullable: true, defaultValue: 200 }) limit: number | null,
    @Arg('filter', () => MovieFilter, { nullable: true }) filter: MovieFilter | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<MovieProjection[]> {
    const n = checkCount(limit, 'limit', 200, MAX_PROJECTION);
    const f = checkFilter(filter);
    const snap = requireSnapshot(ctx);
    const rows = await pcaProjection(ctx.db, snap.runId, n, f);
    return rows.filter((r) => snap.has(r.movieId)).map((r) => ({ movie: snap.movie(r.movieId)!, x: r.x, y: r.y, z: r.z }));
  }
}
