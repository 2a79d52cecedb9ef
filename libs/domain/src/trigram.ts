// Trigram similarity computed the way PostgreSQL's pg_trgm similarity() does, so
// "did you mean" suggestions ranked in TypeScript and in SQL agree.

/**
 * The set of trigrams pg_trgm extracts (its show_trgm()), sorted: the text is
 * lower-cased and split into words at every character that is not a letter or
 * digit; each word is padded with two spaces in front and one behind; every
 * 3-character window of a padded word is a trigram. "cat" -> "  c", " ca", "at ", "cat".
 */
export function trigrams(text: string): string[] {
  const set = new Set<string>();
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (word === '') continue;
    const chars = [...`  ${word} `];
    for (let i = 0; i + 3 <= chars.length; i++) set.add(chars.slice(i, i + 3).join(''));
  }
  return [...set].sort();
}

/**
 * pg_trgm's similarity(a, b): shared trigrams / all distinct trigrams of both,
 * 0 when either side has none. Returned as a 32-bit float (Math.fround) because
 * pg_trgm returns real, so ties and thresholds compare the same on both sides.
 */
export function trigramSimilarity(a: string, b: string): number {
  const ta = trigrams(a);
  const tb = new Set(trigrams(b));
  if (ta.length === 0 || tb.size === 0) return 0;
  let common = 0;
  for (const t of ta) if (tb.has(t)) common++;
  return Math.fround(common / (ta.length + tb.size - common));
}
