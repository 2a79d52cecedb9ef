// What a user typed as a title ("The Matrix", "matrix", "Matrix, The (1999)",
// "Matrix (1999)") turned into the key and optional year that resolution compares
// with movies. Kept to one regular expression plus titleKey() so the analysts' SQL
// function similar_movies() can do exactly the same.
import { titleKey } from './title-key';

export interface TitleQuery {
  /** titleKey() of the text without its year; '' matches nothing. */
  key: string;
  /** The year in trailing parentheses, or null. */
  year: number | null;
}

/**
 * Splits off a trailing "(dddd)": group 1 is the title text, group 2 the year.
 * The same source works in JavaScript (with the `s` flag, so `.` also matches a
 * line break) and in PostgreSQL (`regexp_match(input, TITLE_QUERY_YEAR_PATTERN)`,
 * where `.` matches line breaks by default). Only spaces may follow the ")".
 */
export const TITLE_QUERY_YEAR_PATTERN = '^(.*)\\(([0-9]{4})\\) *$';
const YEAR_RE = new RegExp(TITLE_QUERY_YEAR_PATTERN, 's');

/**
 * Rules, in order:
 * 1. If the input ends with a 4-digit number in parentheses (spaces may follow)
 *    AND the text before it has a non-empty key, that number is the year and the
 *    text before it is the title. "Matrix (1999)" -> ("matrix", 1999).
 * 2. Otherwise the whole input is the title and there is no year. In particular a
 *    bare trailing number is part of the title, never a year: "2012", "1917",
 *    "Blade Runner 2049" and "Matrix 1999" are all titles ("(1999)" alone too).
 * 3. key = titleKey(title). Other parentheses stay part of the title text, so a
 *    MovieLens title pasted whole ("Léon: The Professional (a.k.a. The
 *    Professional) (Léon) (1994)") gets a key that movieKeys() also indexes.
 *
 * SQL: m := regexp_match(input, TITLE_QUERY_YEAR_PATTERN);
 *      if m is not null and title_key(m[1]) <> '' then key := title_key(m[1]), year := m[2]::int
 *      else key := title_key(input), year := null.
 */
export function parseTitleQuery(input: string): TitleQuery {
  const { text, year } = splitTitleQueryYear(input);
  return { key: titleKey(text), year };
}

/** Rules 1-2 of parseTitleQuery: the title text and the year, before keying. */
export function splitTitleQueryYear(input: string): { text: string; year: number | null } {
  const m = YEAR_RE.exec(input);
  if (m && titleKey(m[1]!) !== '') return { text: m[1]!, year: Number(m[2]) };
  return { text: input, year: null };
}

/** Longest title argument accepted, in characters (code points), unless the catalogue holds a longer title. */
export const TITLE_INPUT_MAX_LENGTH = 300;

/**
 * Control characters a title may contain: the whitespace ones (tab, line feed, vertical
 * tab, form feed, carriage return, next line). They are blanks in its key (titleKey folds
 * them to a space), so "Foo\nBar" is found as "Foo Bar".
 */
export const TITLE_WHITESPACE_CONTROLS: ReadonlySet<string> = new Set(['\t', '\n', '\u000B', '\f', '\r', '\u0085']);

/** Any control character or unpaired surrogate: the only characters the rule below looks at. */
const SUSPECT_CHARACTER = /[\p{Cc}\p{Cs}]/u;

/**
 * THE rule for the characters of a title, wherever one comes from: a catalogue title
 * (the ingest refuses the row) or a typed one (the gateway answers BAD_USER_INPUT).
 * Allowed: everything but NUL, control characters other than whitespace, and unpaired
 * UTF-16 surrogates. One rule, so every title the API returns or suggests can be typed
 * back. Returns why `s` breaks it (naming `argument` and the position), or null.
 */
export function titleTextProblem(s: string, argument = 'title'): string | null {
  // One scan for the common case (nothing to report); the walk below says what and where.
  if (!SUSPECT_CHARACTER.test(s)) return null;
  let i = 0;
  for (const ch of s) {
    if (/\p{Cc}/u.test(ch) && !TITLE_WHITESPACE_CONTROLS.has(ch)) {
      const code = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      return `${argument} contains a control character (U+${code}) at position ${i + 1}; remove it`;
    }
    if (/\p{Cs}/u.test(ch)) return `${argument} contains an unpaired UTF-16 surrogate at position ${i + 1}`;
    i++;
  }
  return null;
}

/**
 * Why a title argument is unusable, or null when it is fine. The gateway answers
 * these as BAD_USER_INPUT; `argument` names the argument in the message. `maxLength`
 * is at least TITLE_INPUT_MAX_LENGTH; the gateway passes its catalogue's longest title
 * when that is longer, so a returned title is always accepted back.
 */
export function validateTitleInput(s: unknown, argument = 'title', maxLength = TITLE_INPUT_MAX_LENGTH): string | null {
  if (typeof s !== 'string') return `${argument} must be a string`;
  if (s.trim() === '') return `${argument} is empty; give a movie title such as "The Matrix" or "Matrix (1999)"`;
  const length = [...s].length;
  const limit = Math.max(TITLE_INPUT_MAX_LENGTH, maxLength);
  if (length > limit) {
    return `${argument} is ${length} characters long; the limit is ${limit}`;
  }
  const problem = titleTextProblem(s, argument);
  if (problem) return problem;
  if (titleKey(s) === '') return `${argument} "${s}" has no letters or digits to match a title by`;
  return null;
}
