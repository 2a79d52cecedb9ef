// Argument checks shared by resolvers (every one answers BAD_USER_INPUT naming the
// argument) and title resolution through the one SQL resolve_title().
import {
  exclusionSentence,
  normalizeMovieFilter,
  parseTitleQuery,
  validateMovieFilter,
  validateTitleInput,
  type CurationParams,
  type MovieFilter,
} from '@cinemap/domain';
import { resolveTitle, titleSuggestions, type Db } from '@cinemap/db';
import { SUGGESTION_LOOKUPS_PER_REQUEST, type GatewayContext } from './context';
import { badUserInput, movieNotFound, movieNotInModel, noActiveModel } from './errors';
import type { ModelSnapshot } from '../model/snapshot';

export const MAX_K = 100;
export const MAX_TITLES = 20;

export function checkCount(value: number | null | undefined, name: string, fallback: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1 || v > max) throw badUserInput(`${name} must be a whole number from 1 to ${max} (got ${v})`, name);
  return v;
}

export function checkFilter(filter: MovieFilter | null | undefined): MovieFilter {
  const errors = validateMovieFilter(filter);
  if (errors.length) throw badUserInput(errors.join('; '), 'filter');
  return normalizeMovieFilter(filter);
}

/** The domain's one title rule; `longest` = the catalogue's longest title (a returned title is always accepted back). */
export function checkTitle(title: unknown, name = 'title', longest?: number): string {
  const problem = validateTitleInput(title, name, longest);
  if (problem) throw badUserInput(problem, name);
  return title as string;
}

export function requireSnapshot(ctx: GatewayContext): ModelSnapshot {
  if (!ctx.snapshot) throw noActiveModel();
  return ctx.snapshot;
}

/**
 * The movie id a typed title means, or null: the snapshot's in-memory twin of SQL
 * resolve_title() (the catalogue as loaded with the run), or — with no run loaded —
 * resolve_title() itself. Shared by resolvers and the serving benchmark's bare
 * endpoint, so both do the same lookup.
 */
export async function lookupMovieId(db: Db, snapshot: ModelSnapshot | null, title: string): Promise<number | null> {
  if (snapshot?.titles) return snapshot.titles.resolve(title);
  const q = parseTitleQuery(title);
  const cacheKey = `${q.year ?? ''}|${q.key}`;
  const cache = snapshot?.titleCache;
  let id = cache?.get(cacheKey);
  if (id === undefined) {
    id = await resolveTitle(db, title, snapshot?.runId ?? null);
    cache?.set(cacheKey, id);
  }
  return id;
}

/** lookupMovieId() with the argument checked, or MOVIE_NOT_FOUND with up to 5 suggestions. */
export async function resolveMovieId(ctx: GatewayContext, title: string, name = 'title'): Promise<number> {
  checkTitle(title, name, ctx.snapshot?.titles?.longestTitle);
  const id = await lookupMovieId(ctx.db, ctx.snapshot, title);
  if (id === null) {
    if (ctx.suggestionLookups.left <= 0) throw movieNotFound(title, [], name, SUGGESTION_LOOKUPS_PER_REQUEST);
    ctx.suggestionLookups.left--;
    const suggestions = await titleSuggestions(ctx.db, title, 5, ctx.snapshot?.runId ?? null);
    throw movieNotFound(
      title,
      suggestions.map((s) => s.title),
      name,
    );
  }
  return id;
}

/**
 * The movie id a typed title means, checked to have a vector in the snapshot's run;
 * otherwise MOVIE_NOT_IN_MODEL stating the recorded reason (Movie.excludedBy) with the
 * dataset's threshold. The one rule for a movie outside the model: every query that
 * needs its vector answers this error (docs/graphql.md).
 */
export async function resolveModelMovieId(ctx: GatewayContext, snap: ModelSnapshot, title: string, name = 'title'): Promise<number> {
  const id = await resolveMovieId(ctx, title, name);
  await assertInModel(ctx, snap, id, title, name);
  return id;
}

/** Returns when movie `id` has a vector in the snapshot's run; else MOVIE_NOT_IN_MODEL with the real reason. */
export async function assertInModel(ctx: GatewayContext, snap: ModelSnapshot, id: number, title: string, name = 'title'): Promise<void> {
  if (snap.has(id)) return;
  const movie = await ctx.movies.load(id);
  const reason = movie?.excludedBy ?? 'NOT_TRAINED';
  const params = (snap.run.datasetParams ?? null) as Partial<CurationParams> | null;
  const why = movie ? exclusionSentence(reason, movie, params) : 'the run has no vector for it';
  throw movieNotInModel(title, snap.runId, why, reason, name);
}

/**
 * A movie given by id or by title (`name` the argument, e.g. "ratings[2]"), checked to
 * have a vector in the snapshot's run: MOVIE_NOT_FOUND for an unknown id or title,
 * MOVIE_NOT_IN_MODEL with the reason otherwise (the one rule).
 */
export async function resolveRefInModel(
  ctx: GatewayContext,
  snap: ModelSnapshot,
  ref: { id?: number | null; title?: string | null },
  name: string,
): Promise<number> {
  if (ref.title !== null && ref.title !== undefined) return resolveModelMovieId(ctx, snap, ref.title, `${name}.title`);
  const id = ref.id as number;
  if (snap.has(id)) return id;
  const movie = await ctx.movies.load(id);
  if (!movie) throw movieNotFound(`id ${id}`, [], `${name}.id`);
  await assertInModel(ctx, snap, id, movie.displayTitle, `${name}.id`);
  return id;
}
