// movie(id | title) and searchMovies (prefix on title keys, then trigram).
import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { searchMovies } from '@cinemap/db';
import { MovieView, toMovieView } from '../types/movie.type';
import type { GatewayContext } from '../context';
import { checkCount, checkTitle, resolveMovieId } from '../arguments';
import { badUserInput } from '../errors';

export const MAX_SEARCH = 100;

@Resolver()
export class MovieResolver {
  @Query(() => MovieView, {
    nullable: true,
    description: 'One movie by id, or by title (resolved as similarMovies does). Null for an unknown id.',
  })
  async movie(
    @Arg('id', () => Int, { nullable: true }) id: number | null,
    @Arg('title', () => String, { nullable: true }) title: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<MovieView | null> {
    if ((id === null || id === undefined) === (title === null || title === undefined))
      throw badUserInput('give exactly one of id or title', id == null ? 'id' : 'title');
    if (id != null) {
      if (id < 1) throw badUserInput(`id must be a positive movie id (got ${id})`, 'id');
      return ctx.movies.load(id);
    }
    return ctx.movies.load(await resolveMovieId(ctx, title!));
  }

  @Query(() => [MovieView], { description: 'Movies whose title starts with the text (most-rated first), then fuzzy (trigram) matches.' })
  async searchMovies(
    @Arg('query', () => String) query: string,
    @Arg('limit', () => Int, { nullable: true, defaultValue: 10 }) limit: number | null,
    // true: only movies the active model can answer about; false: only the others (docs/graphql.md).
    @Arg('inModel', () => Boolean, { nullable: true }) inModel: boolean | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<MovieView[]> {
    checkTitle(query, 'query', ctx.snapshot?.titles?.longestTitle);
    const n = checkCount(limit, 'limit', 10, MAX_SEARCH);
    const rows = await searchMovies(ctx.db, query, n, ctx.snapshot?.runId ?? null, inModel ?? null);
    return rows.map((r) => ctx.snapshot?.movie(r.movieId) ?? toMovieView(r));
  }
}
