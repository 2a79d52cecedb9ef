// GraphQL SimilarityBasis: what "similar" means for similarMovies/similarToMany
// (libs/domain similarity-basis.ts; docs/similarity.md).
import { registerEnumType } from 'type-graphql';
import type { SimilarityBasis as DomainBasis } from '@cinemap/domain';

export enum SimilarityBasis {
  BLEND = 'blend',
  TASTE = 'taste',
  AUDIENCE = 'audience',
}

registerEnumType(SimilarityBasis, {
  name: 'SimilarityBasis',
  description: 'What "similar" means: the rating taste the model learned, the audience (who watched it), or both.',
  valuesConfig: {
    BLEND: {
      description:
        "Both: cosine of the taste and audience vectors concatenated as unit vectors, taste weighted by the run's blendWeight (0.3 by default). The default. On a run trained before audience vectors existed it answers as TASTE.",
    },
    TASTE: { description: "Cosine of the rating model's movie factors (the seed blog's answer)." },
    AUDIENCE: { description: 'What people who rated it also rated: cosine of the audience embedding (a truncated SVD of who rated what).' },
  },
});

export const toDomainBasis = (b: SimilarityBasis): DomainBasis => b as DomainBasis;
