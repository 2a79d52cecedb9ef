// A visitor's own ratings (recommendFor, predictRatings): what a valid list is, and the
// ridge weight the fold-in uses. The numerics are libs/math's foldInUser; the gateway
// resolves the titles.
import { isValidRating } from './movie';
import { describeValue } from './validation';

/** One rating a visitor gives: a movie by id or by title (exactly one), and 0.5..5 in steps of 0.5. */
export interface VisitorRating {
  id?: number | null;
  title?: string | null;
  rating: number;
}

/** Ratings a visitor may give in one request (each is a title to resolve). */
export const MAX_VISITOR_RATINGS = 100;
/** Movies one predictRatings request may ask about. */
export const MAX_PREDICTED_MOVIES = 100;

/**
 * Ridge weight λ on the visitor's vector and bias in the fold-in objective (libs/math
 * foldInUser): large enough that 3 ratings against 50 factors give a stable answer,
 * small enough that 20 ratings speak for themselves. Chosen on ml-latest-small
 * (docs/graphql.md "Visitor recommendations").
 */
export const VISITOR_RIDGE_LAMBDA = 1;

/** Every problem with a list of visitor ratings, each naming its argument (`ratings[2].rating`); [] when valid. */
export function visitorRatingProblems(list: readonly VisitorRating[], argument = 'ratings', max = MAX_VISITOR_RATINGS): string[] {
  if (list.length < 1 || list.length > max) return [`${argument} must hold 1 to ${max} ratings (got ${list.length})`];
  const out: string[] = [];
  list.forEach((r, i) => {
    const at = `${argument}[${i}]`;
    const hasId = r.id !== null && r.id !== undefined;
    const hasTitle = r.title !== null && r.title !== undefined;
    if (hasId === hasTitle) out.push(`${at} must give exactly one of id or title`);
    if (hasId && !(Number.isSafeInteger(r.id) && (r.id as number) > 0))
      out.push(`${at}.id must be a positive movie id (got ${describeValue(r.id)})`);
    if (!isValidRating(r.rating))
      out.push(`${at}.rating must be a MovieLens rating: 0.5 to 5 in steps of 0.5 (got ${describeValue(r.rating)})`);
  });
  return out;
}
