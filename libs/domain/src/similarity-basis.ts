// What "similar" means (issue 13): the basis of a neighbour query.
//  * taste    - cosine of the rating model's movie factors (the seed blog's answer);
//  * audience - cosine of the audience embedding (who rated the film: a randomized
//               SVD of the users x movies matrix, docs/similarity.md);
//  * blend    - cosine of [w taste_unit, (1 - w) audience_unit], the default.
// The names are the SQL/database spelling (a `basis` text column); GraphQL spells
// them in capitals (TASTE, AUDIENCE, BLEND).

export const SIMILARITY_BASES = ['blend', 'taste', 'audience'] as const;
export type SimilarityBasis = (typeof SIMILARITY_BASES)[number];
export const DEFAULT_BASIS: SimilarityBasis = 'blend';

/** Taste's weight in the blend, chosen on real MovieLens (docs/similarity.md); recorded per run. */
export const DEFAULT_BLEND_WEIGHT = 0.3;

export function isSimilarityBasis(x: unknown): x is SimilarityBasis {
  return typeof x === 'string' && (SIMILARITY_BASES as readonly string[]).includes(x);
}

/** Parses a basis name (any case); a clear error names the argument and the choices. */
export function parseSimilarityBasis(x: string, argument = 'basis'): SimilarityBasis {
  const b = x.trim().toLowerCase();
  if (!isSimilarityBasis(b)) throw new RangeError(`${argument} must be one of ${SIMILARITY_BASES.join(', ')}, got ${JSON.stringify(x)}`);
  return b;
}
