import { DEFAULT_BASIS, DEFAULT_BLEND_WEIGHT, SIMILARITY_BASES, isSimilarityBasis, parseSimilarityBasis } from './similarity-basis';

describe('similarity bases', () => {
  it('are blend (the default), taste and audience, spelled in lower case', () => {
    expect([...SIMILARITY_BASES]).toEqual(['blend', 'taste', 'audience']);
    expect(DEFAULT_BASIS).toBe('blend');
    expect(DEFAULT_BLEND_WEIGHT).toBe(0.3);
    expect(isSimilarityBasis('taste')).toBe(true);
    expect(isSimilarityBasis('TASTE')).toBe(false);
    expect(isSimilarityBasis(3)).toBe(false);
  });

  it('parse any case and name the argument and the choices when wrong', () => {
    expect(parseSimilarityBasis(' Audience ')).toBe('audience');
    expect(() => parseSimilarityBasis('colour', '--basis')).toThrow('--basis must be one of blend, taste, audience, got "colour"');
  });
});
