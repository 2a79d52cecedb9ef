// The paged lists (cursor + totalCount): searchMoviesPage, appreciatedMovies (with the
// dataset filters that shaped it), pcaMap; and the batch movies(ids) and genres with
// counts. The plain lists (searchMovies, most/leastAppreciated, pcaProjection) stay.
import { Arg, Ctx, Field, Int, ObjectType, Query, Resolver, registerEnumType } from 'type-graphql';
import { countRunMovies, countSearchMovies, appreciatedMovies, genreCounts, pcaProjection, searchMovies } from '@cinemap/db';
import { describeDatasetFilters, minRatingCountOf, type CurationParams } from '@cinemap/domain';
import { MovieView, toMovieView } from '../types/movie.type';
import { MovieFilter } from '../types/movie-filter.input';
import { AppreciationPage, DatasetFilters, MoviePage, ProjectionPage } from '../types/page.type';
import type { GatewayContext } from '../context';
import { checkCount, checkFilter, checkTitle, requireSnapshot } from '../arguments';
import { badUserInput } from '../errors';
import { decodeCursor, pageInfo } from '../paging';
import { MAX_SEARCH } from './movie.resolver';
import { MAX_LIST } from './appreciation.resolver';
import { MAX_PROJECTION } from './projection.resolver';
import type { ModelSnapshot } from '../../model/snapshot';

/** Ids one movies(ids:) request may ask for. */
export const MAX_IDS = 1000;

enum AppreciationOrder {
  MOST = 'most',
  LEAST = 'least',
}
registerEnumType(AppreciationOrder, { name: 'AppreciationOrder', description: 'MOST: highest learned bias first; LEAST: lowest first.' });

@ObjectType({ description: 'A genre of the served catalogue with its counts.' })
export class GenreCount {
  @Field(() => String)
  name!: string;

  @Field(() => Int, { description: 'Catalogue movies with this genre.' })
  movies!: number;

  @Field(() => Int, { description: 'Of those, the ones in the model (similarMovies can answer about them).' })
  inModel!: number;
}

function shapedBy(snap: ModelSnapshot, floor: number): DatasetFilters {
  const p = (snap.run.datasetParams ?? {}) as Partial<CurationParams> & { curation?: unknown };
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    curation: typeof p.curation === 'string' ? p.curation : null,
    minAvgRating: num(p.minAvgRating),
    minMovieRatings: num(p.minMovieRatings),
    minUserRatings: num(p.minUserRatings),
    sampleFraction: num(p.sampleFraction),
    listFloor: floor,
    summary: describeDatasetFilters(p, floor),
  };
}

@Resolver()
export class CatalogueResolver {
  @Query(() => MoviePage, { description: 'searchMovies, paged: first (1..100) after a cursor, with the total.' })
  async searchMoviesPage(
    @Arg('query', () => String) query: string,
    @Arg('inModel', () => Boolean, { nullable: true }) inModel: boolean | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 10 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<MoviePage> {
    checkTitle(query, 'query', ctx.snapshot?.titles?.longestTitle);
    const n = checkCount(first, 'first', 10, MAX_SEARCH);
    const offset = decodeCursor(after, ctx.snapshot);
    const runId = ctx.snapshot?.runId ?? null;
    const [rows, total] = [
      await searchMovies(ctx.db, query, n, runId, inModel ?? null, offset),
      await countSearchMovies(ctx.db, query, runId, inModel ?? null),
    ];
    const nodes = rows.map((r) => ctx.snapshot?.movie(r.movieId) ?? toMovieView(r));
    return { totalCount: total, pageInfo: pageInfo(ctx.snapshot, offset, nodes.length, total), nodes };
  }

  @Query(() => AppreciationPage, {
    description: 'Movies by learned bias (MOST or LEAST), paged, with the total and the dataset filters that shaped the list.',
  })
  async appreciatedMovies(
    @Arg('order', () => AppreciationOrder) order: AppreciationOrder,
    @Arg('first', () => Int, { nullable: true, defaultValue: 10 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => MovieFilter, { nullable: true }) filter: MovieFilter | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<AppreciationPage> {
    const n = checkCount(first, 'first', 10, MAX_LIST);
    const f = checkFilter(filter);
    const snap = requireSnapshot(ctx);
    const offset = decodeCursor(after, snap);
    const rows = await appreciatedMovies(ctx.db, snap.runId, order, n, f, offset);
    const total = await countRunMovies(ctx.db, snap.runId, f);
    const nodes = rows.map((r) => snap.movie(r.movieId)!).filter(Boolean);
    return {
      totalCount: total,
      pageInfo: pageInfo(snap, offset, nodes.length, total),
      nodes,
      shapedBy: shapedBy(snap, minRatingCountOf(f)),
    };
  }

  @Query(() => ProjectionPage, {
    description: 'pcaProjection, paged: first (1..1000) after a cursor, with the total (the whole map in pages).',
  })
  async pcaMap(
    @Arg('first', () => Int, { nullable: true, defaultValue: 200 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => MovieFilter, { nullable: true }) filter: MovieFilter | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<ProjectionPage> {
    const n = checkCount(first, 'first', 200, MAX_PROJECTION);
    const f = checkFilter(filter);
    const snap = requireSnapshot(ctx);
    const offset = decodeCursor(after, snap);
    const rows = await pcaProjection(ctx.db, snap.runId, n, f, offset);
    const total = await countRunMovies(ctx.db, snap.runId, f, true);
    const nodes = rows.filter((r) => snap.has(r.movieId)).map((r) => ({ movie: snap.movie(r.movieId)!, x: r.x, y: r.y, z: r.z }));
    return { totalCount: total, pageInfo: pageInfo(snap, offset, nodes.length, total), nodes };
  }

  @Query(() => [MovieView], { nullable: 'items', description: 'Movies by id, in the order asked (1..1000 ids); null for an unknown id.' })
  async movies(@Arg('ids', () => [Int]) ids: number[], @Ctx() ctx: GatewayContext): Promise<(MovieView | null)[]> {
    if (ids.length < 1 || ids.length > MAX_IDS) throw badUserInput(`ids must hold 1 to ${MAX_IDS} movie ids (got ${ids.length})`, 'ids');
    const bad = ids.findIndex((id) => id < 1);
    if (bad >= 0) throw badUserInput(`ids[${bad}] must be a positive movie id (got ${ids[bad]})`, 'ids');
    return ctx.movies.loadMany(ids).then((r) => r.map((m) => (m instanceof Error ? null : m)));
  }

  @Query(() => [GenreCount], { description: 'Genres of the served catalogue, most films in the model first.' })
  async genres(@Ctx() ctx: GatewayContext): Promise<GenreCount[]> {
    return genreCounts(ctx.db, requireSnapshot(ctx).runId);
  }
}
