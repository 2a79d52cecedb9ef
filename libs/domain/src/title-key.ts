// The matching key that makes title resolution forgive case, accents, punctuation
// and articles ("The Matrix" = "matrix" = "Matrix, The"). The gateway computes it
// in TypeScript and the analysts' SQL function similar_movies() computes it in SQL;
// both must give the same string, so it is defined only by the data in
// title-key-folds.ts and by the steps below, each of which has a one-line SQL twin.
import { TITLE_ARTICLES, TITLE_KEY_FOLDS, TITLE_KEY_MULTI_FOLDS } from './title-key-folds';

export { TITLE_ARTICLES, TITLE_KEY_FOLDS, TITLE_KEY_MULTI_FOLDS } from './title-key-folds';

const ARTICLE_ALTERNATION = TITLE_ARTICLES.join('|');

/**
 * Regular expression (source text) that removes one leading article: replace
 * its match with ''. Valid, with the same meaning, in JavaScript and in
 * PostgreSQL's regexp_replace(); it expects a step-5 string (single spaces, no
 * leading/trailing space), where "followed by a space" means "another word follows".
 */
export const TITLE_KEY_LEADING_ARTICLE_PATTERN = `^(${ARTICLE_ALTERNATION}) `;
/** Same for one trailing article (applied after the leading one). */
export const TITLE_KEY_TRAILING_ARTICLE_PATTERN = ` (${ARTICLE_ALTERNATION})$`;

/**
 * The two arguments of SQL `translate(s, from, to)` built from TITLE_KEY_FOLDS:
 * characters that map to one character first (from[i] -> to[i]), then those that
 * are deleted (translate() deletes `from` characters beyond the end of `to`).
 * Neither contains NUL (PostgreSQL text cannot). When writing them into a SQL
 * literal, double the single quote (standard_conforming_strings is on by default);
 * or pass them as bind parameters.
 */
export const TITLE_KEY_TRANSLATE: { readonly from: string; readonly to: string } = (() => {
  const mapped = TITLE_KEY_FOLDS.filter(([, to]) => to !== '');
  const deleted = TITLE_KEY_FOLDS.filter(([, to]) => to === '');
  return {
    from: mapped.map(([f]) => f).join('') + deleted.map(([f]) => f).join(''),
    to: mapped.map(([, t]) => t).join(''),
  };
})();

const FOLD_MAP: ReadonlyMap<string, string> = new Map(TITLE_KEY_FOLDS.map(([f, t]) => [f, t]));
const MULTI_FOLD_MAP: ReadonlyMap<string, string> = new Map(TITLE_KEY_MULTI_FOLDS.map(([f, t]) => [f, t]));
/** Any character either fold list names (code points, so astral characters are whole). */
const FOLDED_CHARACTER = new RegExp(
  `[${[...new Set([...MULTI_FOLD_MAP.keys(), ...FOLD_MAP.keys()])].map((c) => `\\u{${c.codePointAt(0)!.toString(16)}}`).join('')}]`,
  'gu',
);
const LEADING_ARTICLE = new RegExp(TITLE_KEY_LEADING_ARTICLE_PATTERN);
const TRAILING_ARTICLE = new RegExp(TITLE_KEY_TRAILING_ARTICLE_PATTERN);

/**
 * The matching key of a title or of what a user typed. Exactly these steps, in
 * this order (SQL twin of each in brackets):
 *
 * 1. Multi-character folds: for each [from, to] of TITLE_KEY_MULTI_FOLDS in order,
 *    replace every `from` by `to`.            [replace(s, from, to), nested]
 * 2. Single-character folds: every character listed in TITLE_KEY_FOLDS becomes its
 *    `to` ('' = deleted); others stay.         [translate(s, TITLE_KEY_TRANSLATE.from, TITLE_KEY_TRANSLATE.to)]
 *    This is also the lower-casing step: A-Z and every upper-case letter covered
 *    map to lower case. There is deliberately no lower()/toLowerCase(): their
 *    result on other scripts depends on the database's locale (a cluster
 *    initialised with LC_CTYPE=C leaves 'É' alone).
 * 3. Runs of spaces become one space.         [regexp_replace(s, ' +', ' ', 'g')]
 * 4. Leading and trailing spaces removed.     [btrim(s, ' ')]
 * 5. One leading article removed if another word follows.
 *                                             [regexp_replace(s, TITLE_KEY_LEADING_ARTICLE_PATTERN, '')]
 * 6. Then one trailing article removed if another word precedes.
 *                                             [regexp_replace(s, TITLE_KEY_TRAILING_ARTICLE_PATTERN, '')]
 *
 * Only U+0020 counts as a space in steps 3-6: every other whitespace character is
 * already a space (or deleted) after step 2. The result may be '' (input made only
 * of punctuation); an empty key matches nothing.
 */
export function titleKey(s: string): string {
  // Steps 1 and 2 in one pass of a native regular expression: every multi-fold `from` is one
  // character and every multi-fold `to` is made of characters step 2 keeps, so replacing
  // each character by its multi fold, else its single fold, is the same as the two steps in
  // turn (title-key.spec.ts checks it against the steps written out).
  let k = s.replace(FOLDED_CHARACTER, (ch) => MULTI_FOLD_MAP.get(ch) ?? FOLD_MAP.get(ch)!);
  k = k.replace(/ +/g, ' ').replace(/^ +| +$/g, '');
  k = k.replace(LEADING_ARTICLE, '');
  k = k.replace(TRAILING_ARTICLE, '');
  return k;
}
