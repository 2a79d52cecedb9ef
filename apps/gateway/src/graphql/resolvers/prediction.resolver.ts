// predictRating: the active run's ONNX scorer (onnxruntime-node, loaded on first use) for one user and title.
import { Arg, Ctx, Float, Int, Query, Resolver } from 'type-graphql';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context';
import { requireSnapshot, resolveModelMovieId } from '../arguments';
import { badUserInput } from '../errors';
import { ScorerUnavailable } from '../../model/scorer';

@Resolver()
export class PredictionResolver {
  @Query(() => Float, {
    nullable: true,
    description:
      'Predicted rating (y_range of the model) of a title by a user the model was trained on. A movie outside the model is MOVIE_NOT_IN_MODEL, as everywhere.',
  })
  async predictRating(
    @Arg('userId', () => Int) userId: number,
    @Arg('title', () => String) title: string,
    @Ctx() ctx: GatewayContext,
  ): Promise<number | null> {
    if (userId < 1) throw badUserInput(`userId must be a positive MovieLens user id (got ${userId})`, 'userId');
    const snap = requireSnapshot(ctx);
    const movieId = await resolveModelMovieId(ctx, snap, title);
    if (!snap.scorer)
      throw new GraphQLError(`The active run ${snap.runId} has no ONNX scorer; retrain to export one.`, {
        extensions: { code: 'SCORER_UNAVAILABLE' },
      });
    // Loaded at the run's first predictRating (model/scorer.ts); a failed load says why.
    const scorer = await snap.scorer.get().catch((e: unknown) => {
      if (!(e instanceof ScorerUnavailable)) throw e;
      throw new GraphQLError(`predictRating is unavailable: ${e.message}.`, { extensions: { code: 'SCORER_UNAVAILABLE' } });
    });
    if (!scorer.hasUser(userId)) {
      throw new GraphQLError(
        `User ${userId} is not in the active model (run ${snap.runId} knows ${scorer.userCount} users); use a user id from the curated ratings.`,
        {
          extensions: { code: 'USER_NOT_FOUND', argumentName: 'userId' },
        },
      );
    }
    const [r] = await scorer.predict([userId], [movieId]);
    return r;
  }
}
