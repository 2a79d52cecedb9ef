// The keys under which a movie is indexed for title resolution (stored at ingest,
// looked up with the single key of what a user typed). Several per movie: the main
// and alternate titles, the title as pasted from movies.csv, and spelling variants.
import type { ParsedTitle } from './title';
import { titleKey } from './title-key';
import { splitTitleQueryYear } from './title-query';

// Apostrophes are deleted by the key ("Schindler's" = "Schindlers"), which would
// glue an elided article to its word ("L'Avventura" -> "lavventura"); hyphens become
// spaces ("Spider-Man" = "Spider Man"). Users also type "Avventura" and "Spiderman",
// so a movie is indexed under these variants too. Only movie keys have variants:
// a query has exactly one key, which keeps the SQL side a single function.
const APOSTROPHES = /['\u2018\u2019\u201B\u02BC`\u00B4]/g;
const HYPHENS = /[-\u2010\u2011]/g;

/**
 * Every key a movie can be found by, deduplicated, main title first: for the main
 * title, each alternate title, and the title exactly as stored (what a user who
 * pastes it from movies.csv types, see parseTitleQuery), the key of the text, of
 * the text with apostrophes as spaces, and of the text with hyphens removed.
 * Empty keys are left out.
 */
export function movieKeys(parsed: ParsedTitle): string[] {
  const texts = [parsed.title, ...parsed.alternateTitles, splitTitleQueryYear(parsed.raw).text];
  const keys = new Set<string>();
  for (const t of texts) {
    keys.add(titleKey(t));
    keys.add(titleKey(t.replace(APOSTROPHES, ' ')));
    keys.add(titleKey(t.replace(HYPHENS, '')));
  }
  keys.delete('');
  return [...keys];
}
