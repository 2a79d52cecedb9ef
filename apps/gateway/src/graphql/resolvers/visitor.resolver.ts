// recommendFor and predictRatings: a visitor's own ratings folded into the active run
// (ridge-regularised fit of a user vector and bias against the fixed movie factors,
// libs/math foldInUser), then the best-predicted movies under the similarMovies filters,
// or predictions for chosen movies. predictRating(userId) stays for trained users.
import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { MAX_PREDICTED_MOVIES, visitorRatingProblems } from '@cinemap/domain';
import { MovieFilter } from '../types/movie-filter.input';
import { MovieRefInput, PredictedMovie, VisitorRatingInput } from '../types/visitor.type';
import type { GatewayContext } from '../context';
import { checkCount, checkFilter, MAX_K, requireSnapshot, resolveRefInModel } from '../arguments';
import { badUserInput } from '../errors';
import { foldInVisitor, predictFor, recommend, type Visitor } from '../../model/visitor';
import type { ModelSnapshot } from '../../model/snapshot';

/** The visitor's ratings checked, resolved (each in the model, no movie twice) and folded in. */
async function visitorOf(
  ctx: GatewayContext,
  snap: ModelSnapshot,
  ratings: VisitorRatingInput[],
): Promise<{ v: Visitor; rated: number[] }> {
  const problems = visitorRatingProblems(ratings);
  if (problems.length) throw badUserInput(problems.join('; '), 'ratings');
  const rated: number[] = [];
  for (let i = 0; i < ratings.length; i++) {
    const id = await resolveRefInModel(ctx, snap, ratings[i], `ratings[${i}]`);
    const dup = rated.indexOf(id);
    if (dup >= 0) throw badUserInput(`ratings[${i}] and ratings[${dup}] are the same movie (${id}); rate each movie once`, 'ratings');
    rated.push(id);
  }
  return {
    v: foldInVisitor(
      snap,
      rated,
      ratings.map((r) => r.rating),
    ),
    rated,
  };
}

@Resolver()
export class VisitorResolver {
  @Query(() => [PredictedMovie], {
    description:
      "Recommendations for a visitor from their own ratings: their taste is fitted against the model's movies, then the k movies with the highest predicted rating that pass the filter (the rated ones excluded).",
  })
  async recommendFor(
    @Arg('ratings', () => [VisitorRatingInput]) ratings: VisitorRatingInput[],
    @Arg('k', () => Int, { nullable: true, defaultValue: 10 }) k: number | null,
    @Arg('filter', () => MovieFilter, { nullable: true }) filter: MovieFilter | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<PredictedMovie[]> {
    const kk = checkCount(k, 'k', 10, MAX_K);
    const f = checkFilter(filter);
    const snap = requireSnapshot(ctx);
    const { v, rated } = await visitorOf(ctx, snap, ratings);
    return recommend(snap, v, kk, f, rated);
  }

  @Query(() => [PredictedMovie], {
    description: "A visitor's predicted rating of each movie asked about, from their own ratings (in the order asked).",
  })
  async predictRatings(
    @Arg('ratings', () => [VisitorRatingInput]) ratings: VisitorRatingInput[],
    @Arg('movies', () => [MovieRefInput]) movies: MovieRefInput[],
    @Ctx() ctx: GatewayContext,
  ): Promise<PredictedMovie[]> {
    if (movies.length < 1 || movies.length > MAX_PREDICTED_MOVIES)
      throw badUserInput(`movies must hold 1 to ${MAX_PREDICTED_MOVIES} movies (got ${movies.length})`, 'movies');
    const refProblems = visitorRatingProblems(
      movies.map((m) => ({ ...m, rating: 1 })),
      'movies',
      MAX_PREDICTED_MOVIES,
    );
    if (refProblems.length) throw badUserInput(refProblems.join('; '), 'movies');
    const snap = requireSnapshot(ctx);
    const { v } = await visitorOf(ctx, snap, ratings);
    const out: PredictedMovie[] = [];
    for (let i = 0; i < movies.length; i++) {
      const id = await resolveRefInModel(ctx, snap, movies[i], `movies[${i}]`);
      out.push({ movie: snap.movie(id)!, predictedRating: predictFor(snap, v, id) });
    }
    return out;
  }
}
