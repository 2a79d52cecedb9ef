// Parses a MovieLens title ("Impossible, The (Imposible, Lo) (2012)") into the
// parts people read: display title with the article back in front, alternate
// titles, and the year (or year range, for TV series). Pure and total: any string
// gives a result, never an exception, because movies.csv is what it is.

export interface ParsedTitle {
  /** The text as given, untouched (what movies.title stores). */
  raw: string;
  /** Main title, article moved back to the front: "The Shawshank Redemption". */
  title: string;
  /** What to show people; the same as `title`. */
  displayTitle: string;
  /** Alternate titles from trailing parentheses, "a.k.a." removed, article in front. */
  alternateTitles: string[];
  /** First year, or null when the title has none ("Hyena Road"). */
  year: number | null;
  /** Last year of a range ("(2006–2007)" -> 2007); null for a single year or an open range. */
  yearEnd: number | null;
}

/**
 * Articles MovieLens moves to the end ("Matrix, The", "Avventura, L'"), as written.
 * Matched case-insensitively, and only as the whole text after the last ", ".
 * Broader than TITLE_ARTICLES (the key's list): moving "I" back in
 * "Soliti ignoti, I" is right, while stripping "i" from keys would hit "Episode I".
 */
export const ARTICLES_MOVED_BY_MOVIELENS: readonly string[] = [
  'The',
  'A',
  'An',
  'Le',
  'La',
  'Les',
  "L'",
  'Un',
  'Une',
  'Il',
  'Lo',
  'I',
  'Gli',
  "Un'",
  'Uno',
  'Una',
  'El',
  'Los',
  'Las',
  'Der',
  'Die',
  'Das',
  'Ein',
  'Eine',
  'De',
  'Het',
  'Een',
  'Det',
  'Den',
  'En',
  'Ett',
  'Et',
  'O',
  'Os',
  'As',
];

const MOVED = new Set(ARTICLES_MOVED_BY_MOVIELENS.map((a) => a.toLowerCase()));

// "(1994)", "(2006–2007)", "(2006-2007)", "(2006- )", "(2006–)"; en/em dash or hyphen.
const YEAR_SUFFIX = /\((\d{4})\s*(?:[-\u2013\u2014]\s*(\d{4})?\s*)?\)\s*$/;
const MIN_YEAR = 1850;
const MAX_YEAR = 2199;

/** Parses one MovieLens title. See ParsedTitle; the spec holds 60+ real examples. */
export function parseMovieTitle(raw: string): ParsedTitle {
  let rest = raw.replace(/\s+/g, ' ').trim();
  let year: number | null = null;
  let yearEnd: number | null = null;

  const y = YEAR_SUFFIX.exec(rest);
  if (y && rest.slice(0, y.index).trim() !== '') {
    const first = Number(y[1]);
    if (first >= MIN_YEAR && first <= MAX_YEAR) {
      year = first;
      yearEnd = y[2] !== undefined ? Number(y[2]) : null;
      rest = rest.slice(0, y.index).trim();
    }
  }

  // Peel balanced "(...)" groups off the end: each is an alternate title, unless
  // the text before it shows it belongs to the title ("Birdman: Or (The Unexpected
  // Virtue of Ignorance)") or nothing would be left of the main title.
  const groups: string[] = [];
  for (;;) {
    if (!rest.endsWith(')')) break;
    const open = matchingOpen(rest);
    if (open <= 0) break;
    const before = rest.slice(0, open).trim();
    if (before === '' || /(?:[:\-\u2013\u2014]|(?:^|\s)or)$/i.test(before)) break;
    groups.unshift(rest.slice(open + 1, -1).trim());
    rest = before;
  }

  const title = moveArticleToFront(rest);
  const alternateTitles: string[] = [];
  for (const g of groups) {
    const alt = moveArticleToFront(g.replace(/^(?:a\.k\.a\.?|aka)\s+/i, '').trim());
    if (alt !== '' && alt !== title && !alternateTitles.includes(alt)) alternateTitles.push(alt);
  }
  return { raw, title, displayTitle: title, alternateTitles, year, yearEnd };
}

/**
 * "Shawshank Redemption, The" -> "The Shawshank Redemption"; "Avventura, L'" ->
 * "L'Avventura"; "Hobbit, The: An Unexpected Journey" -> "The Hobbit: An
 * Unexpected Journey". Text whose last ", " part is not an article is returned as
 * is ("Crouching Tiger, Hidden Dragon").
 */
export function moveArticleToFront(text: string): string {
  const t = text.trim();
  const m = /^(.+), ([^\s,:]+)(: .+)?$/.exec(t);
  if (!m) return t;
  const [, body, article, subtitle = ''] = m as unknown as [string, string, string, string | undefined];
  if (!MOVED.has(article.toLowerCase())) return t;
  const glue = article.endsWith("'") ? '' : ' ';
  return `${article}${glue}${body}${subtitle}`;
}

// Index of the "(" that closes with the final ")", or -1 when unbalanced.
function matchingOpen(s: string): number {
  let depth = 0;
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s[i];
    if (c === ')') depth++;
    else if (c === '(') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}
