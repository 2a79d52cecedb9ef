// Title parts for the `movies` table, from @cinemap/domain (the one place the
// MovieLens title conventions live). Until every domain function is exported, a
// minimal local reading of the same conventions stands in, so the ingest works now
// and picks the domain's version up as soon as it is there.
import * as domain from '@cinemap/domain';

export interface TitleParts {
  displayTitle: string;
  year: number | null;
  keys: string[];
}

type ParseFn = (raw: string) => { displayTitle?: string; title?: string; year?: number | null; alternateTitles?: string[] };
const d = domain as unknown as {
  parseMovieTitle?: ParseFn;
  movieKeys?: (parsed: ReturnType<ParseFn>) => string[];
  parseGenres?: (raw: string) => string[];
  titleKey?: (s: string) => string;
};

export function titleParts(raw: string): TitleParts {
  if (d.parseMovieTitle && d.movieKeys) {
    const p = d.parseMovieTitle(raw);
    return { displayTitle: p.displayTitle ?? p.title ?? raw, year: p.year ?? null, keys: d.movieKeys(p) };
  }
  return fallbackTitleParts(raw);
}

export function genresOf(raw: string): string[] {
  if (d.parseGenres) return d.parseGenres(raw);
  const t = raw.trim();
  if (t === '' || t === '(no genres listed)') return [];
  return t.split('|').map((g) => g.trim()).filter(Boolean);
}

const ARTICLES = ['The', 'A', 'An', 'Les', 'La', 'Le', "L'", 'Il', 'Das', 'Der', 'Die', 'El', 'Los', 'Las', 'Lo', 'Un', 'Une', 'Una', 'I', 'Gli', 'Det', 'Den', 'De', 'Het', 'O', 'Os', 'As', 'Ein', 'Eine'];

function fallbackTitleParts(raw: string): TitleParts {
  let s = raw.trim();
  let year: number | null = null;
  const ym = /\s*\((\d{4})(?:[–-]\d{0,4})?\)\s*$/.exec(s);
  if (ym) {
    year = Number(ym[1]);
    s = s.slice(0, ym.index).trim();
  }
  const alternates: string[] = [];
  for (let m = /\s*\(([^()]*)\)\s*$/.exec(s); m && m.index > 0; m = /\s*\(([^()]*)\)\s*$/.exec(s)) {
    alternates.unshift(m[1].trim());
    s = s.slice(0, m.index).trim();
  }
  const unArticle = (t: string) => {
    const m = /^(.*), ([^,]+)$/.exec(t);
    if (m && ARTICLES.includes(m[2])) return m[2].endsWith("'") ? `${m[2]}${m[1]}` : `${m[2]} ${m[1]}`;
    return t;
  };
  const display = unArticle(s);
  const key = d.titleKey ?? ((x: string) => x.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9 ]+/g, ' ').replace(/ +/g, ' ').trim());
  const keys = [...new Set([display, ...alternates.map(unArticle)].map((t) => key(t)).filter(Boolean))];
  return { displayTitle: display, year, keys };
}
