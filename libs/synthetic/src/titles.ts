// Synthetic titles in MovieLens conventions, plus the fixed "anchor" titles
// that downstream tests (title resolution, similarity) can rely on.
//
// Conventions copied from movies.csv of ml-latest: a leading article goes last
// ("Matrix, The (1999)"), after any sequel number ("Matrix Reloaded, The");
// an alternate (often foreign) title follows in parentheses, itself with its
// article moved ("(Cité des enfants perdus, La)") or as "(a.k.a. ...)"; the
// year closes the title, a TV series may carry a range "(1975-1979)", and a
// few titles have no year at all.
import type { Rng } from '@cinemap/math';
import { ADJECTIVES, FIRST_NAMES, FOREIGN_ADJECTIVES, FOREIGN_ARTICLES, FOREIGN_NOUNS, NOUNS } from './words';

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)];
}

/** "The Silent Harbor 2" -> "Silent Harbor 2, The"; titles without an article are unchanged. */
export function articleLast(name: string): string {
  const m = /^(The|A|An|La|Le|Les|El|Lo|Il|Die|Der|Das) (.+)$/.exec(name);
  return m ? `${m[2]}, ${m[1]}` : name;
}

/**
 * A bare English name as a person would say it, article first ("The Silent
 * Harbor"). Some contain a comma or double quotes so the CSV needs quoting.
 */
export function syntheticName(rng: Rng): string {
  const form = rng.int(20);
  const adj = pick(rng, ADJECTIVES);
  const noun = pick(rng, NOUNS);
  switch (form) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
      return `The ${adj} ${noun}`;
    case 5:
    case 6:
    case 7:
      return `${adj} ${noun}`;
    case 8:
    case 9:
      return `${noun} of the ${pick(rng, NOUNS)}`;
    case 10:
      return `A ${noun} in ${pick(rng, ['Winter', 'Paris', 'the Dark', 'Tokyo', 'Spring'])}`;
    case 11:
      return `An ${pick(rng, ['Ordinary', 'Endless', 'Empty', 'Iron', 'Open'])} ${noun}`;
    case 12:
      return pick(rng, FIRST_NAMES);
    case 13:
      return `${pick(rng, FIRST_NAMES)} and ${pick(rng, FIRST_NAMES)}`;
    case 14:
      // A comma inside the title: the CSV field must be quoted.
      return `${noun}, ${pick(rng, NOUNS)} and ${pick(rng, NOUNS)}`;
    case 15:
      // Double quotes inside the title: quoted and doubled in the CSV.
      return `The "${adj}" ${noun}`;
    case 16:
      return `${noun}: ${adj} ${pick(rng, NOUNS)}`;
    case 17:
      return `${pick(rng, FIRST_NAMES)}'s ${noun}`;
    default:
      return `${adj} ${noun}s`;
  }
}

/** An alternate title in parentheses, e.g. "(Cité perdus, La)" or "(a.k.a. Dark River)". */
export function alternateTitle(rng: Rng): string {
  if (rng.int(4) === 0) return `(a.k.a. ${pick(rng, ADJECTIVES)} ${pick(rng, NOUNS)})`;
  const foreign = `${pick(rng, FOREIGN_ARTICLES)} ${pick(rng, FOREIGN_NOUNS)} ${pick(rng, FOREIGN_ADJECTIVES)}`;
  return `(${articleLast(foreign)})`;
}

/** The movies.csv title: article moved, optional alternate, optional year or range. */
export function formatTitle(name: string, opts: { alternate?: string; year?: number | null; yearEnd?: number }): string {
  let t = articleLast(name);
  if (opts.alternate) t += ` ${opts.alternate}`;
  if (opts.year != null) t += opts.yearEnd != null ? ` (${opts.year}-${opts.yearEnd})` : ` (${opts.year})`;
  return t;
}

/** A fixed title with known properties, placed at a known popularity rank. */
export interface AnchorSpec {
  title: string;
  year: number | null;
  genres: string[];
  /** Popularity rank (0 = most rated), capped at `maxShare` of the movie count for small dumps. */
  rank: number;
  maxShare: number;
  /** Added to the movie's quality bias (so e.g. Shawshank stays on top of "most appreciated"). */
  bias: number;
  /** Why it is here, copied into truth.json. */
  note: string;
  /** Members of one anchored franchise share this key. */
  franchise?: string;
}

export const ANCHORS: readonly AnchorSpec[] = [
  {
    title: 'Shawshank Redemption, The (1994)',
    year: 1994,
    genres: ['Crime', 'Drama'],
    rank: 0,
    maxShare: 0,
    bias: 0.8,
    note: 'the most-rated movie (> 100k ratings at latest); article last',
  },
  {
    title: 'Matrix, The (1999)',
    year: 1999,
    genres: ['Action', 'Sci-Fi', 'Thriller'],
    rank: 2,
    maxShare: 0.01,
    bias: 0.6,
    note: 'article last; "The Matrix", "matrix", "Matrix (1999)" must resolve here',
    franchise: 'matrix',
  },
  {
    title: 'Matrix Reloaded, The (2003)',
    year: 2003,
    genres: ['Action', 'Adventure', 'Sci-Fi', 'Thriller'],
    rank: 40,
    maxShare: 0.1,
    bias: 0.1,
    note: 'planted franchise with Matrix, The (1999)',
    franchise: 'matrix',
  },
  {
    title: 'Matrix Revolutions, The (2003)',
    year: 2003,
    genres: ['Action', 'Adventure', 'Sci-Fi', 'Thriller'],
    rank: 55,
    maxShare: 0.12,
    bias: 0.0,
    note: 'planted franchise with Matrix, The (1999)',
    franchise: 'matrix',
  },
  {
    title: 'Mary Poppins (1964)',
    year: 1964,
    genres: ['Children', 'Comedy', 'Fantasy', 'Musical'],
    rank: 25,
    maxShare: 0.05,
    bias: 0.4,
    note: '"Mary Poppins" must find this, not Mary Poppins Returns; rated far more than it',
  },
  {
    title: 'Mary Poppins Returns (2018)',
    year: 2018,
    genres: ['Children', 'Fantasy', 'Musical'],
    rank: 1500,
    maxShare: 0.6,
    bias: 0.2,
    note: 'prefix trap for "Mary Poppins"; rated far less',
  },
  {
    title: 'City of Lost Children, The (Cité des enfants perdus, La) (1995)',
    year: 1995,
    genres: ['Adventure', 'Drama', 'Fantasy', 'Mystery', 'Sci-Fi'],
    rank: 150,
    maxShare: 0.3,
    bias: 0.3,
    note: 'alternate foreign title with accent and its own moved article',
  },
  {
    title: 'Impossible, The (Imposible, Lo) (2012)',
    year: 2012,
    genres: ['Drama', 'Thriller'],
    rank: 300,
    maxShare: 0.35,
    bias: 0.3,
    note: 'alternate title; "The Impossible" must resolve here',
  },
  {
    title: 'Hamlet (1996)',
    year: 1996,
    genres: ['Crime', 'Drama', 'Romance'],
    rank: 60,
    maxShare: 0.15,
    bias: 0.35,
    note: 'bare title shared with Hamlet (1990); this one is more rated',
  },
  {
    title: 'Hamlet (1990)',
    year: 1990,
    genres: ['Drama'],
    rank: 400,
    maxShare: 0.5,
    bias: 0.1,
    note: 'bare title shared with Hamlet (1996); less rated, reachable with its year',
  },
  {
    title: '"Quoted" Title, A (2004)',
    year: 2004,
    genres: ['Comedy'],
    rank: 200,
    maxShare: 0.4,
    bias: 0.2,
    note: 'double quotes and a comma: quoted with doubled quotes in the CSV',
  },
  {
    title: "Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)",
    year: 2001,
    genres: ['Comedy', 'Romance'],
    rank: 30,
    maxShare: 0.07,
    bias: 0.5,
    note: 'accents and an apostrophe; "amelie" must resolve here',
  },
  {
    title: 'Fawlty Towers (1975-1979)',
    year: 1975,
    genres: ['Comedy'],
    rank: 800,
    maxShare: 0.55,
    bias: 0.5,
    note: 'TV series with a year range',
  },
  { title: 'Black Mirror', year: null, genres: [], rank: 1000, maxShare: 0.58, bias: 0.3, note: 'no year and (no genres listed)' },
];

/** The rank an anchor takes in a dump of `movies` movies. */
export function anchorRank(a: AnchorSpec, movies: number): number {
  return a.maxShare === 0 ? a.rank : Math.min(a.rank, Math.floor(a.maxShare * movies));
}
