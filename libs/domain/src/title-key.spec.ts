// titleKey: what it forgives, and proof that its documented SQL steps give the
// same string (an emulation of replace/translate/regexp_replace/btrim built only
// from the exported data, run on the title table and on random Unicode text).
import fc from 'fast-check';
import { parseMovieTitle } from './title';
import { MOVIELENS_TITLE_EXAMPLES } from './title-examples';
import {
  TITLE_KEY_FOLDS,
  TITLE_KEY_LEADING_ARTICLE_PATTERN,
  TITLE_KEY_MULTI_FOLDS,
  TITLE_KEY_TRAILING_ARTICLE_PATTERN,
  TITLE_KEY_TRANSLATE,
  titleKey,
} from './title-key';

describe('titleKey', () => {
  it.each([
    ['The Matrix', 'matrix'],
    ['matrix', 'matrix'],
    ['Matrix, The', 'matrix'],
    ['MATRIX', 'matrix'],
    ['  \tThe\nMatrix  ', 'matrix'],
    ['Cité des enfants perdus', 'cite des enfants perdus'],
    ['CITÉ DES ENFANTS PERDUS', 'cite des enfants perdus'],
    ['Cite\u0301 des enfants perdus', 'cite des enfants perdus'],
    ['Léon: The Professional', 'leon the professional'],
    ['Straße', 'strasse'],
    ['Smørrebrød', 'smorrebrod'],
    ['Łódź', 'lodz'],
    ['Œdipe', 'oedipe'],
    ['Ænima', 'aenima'],
    ['Đặng Thái Sơn', 'dang thai son'],
    ['Kôkaku kidôtai', 'kokaku kidotai'],
    ['İstanbul', 'istanbul'],
    ["Schindler's List", 'schindlers list'],
    ['Schindler’s List', 'schindlers list'],
    ["L'Avventura", 'lavventura'],
    ["Avventura, L'", 'avventura'],
    ['L.A. Confidential', 'confidential'], // "la" is then an article: so are "LA Confidential" and "L.A. Confidential"
    ['Fast & Furious', 'fast and furious'],
    ['8½', '8 1 2'],
    ['Alien³', 'alien 3'],
    ['M*A*S*H', 'm a s h'],
    ['¡Three Amigos!', 'three amigos'],
    ['WALL·E', 'wall e'],
    ['Crouching Tiger, Hidden Dragon', 'crouching tiger hidden dragon'],
    ['Star Wars: Episode IV – A New Hope', 'star wars episode iv a new hope'],
    ['Se7en', 'se7en'],
    ['Ｍａｔｒｉｘ', 'matrix'],
    ['БРАТ', 'брат'],
    ['Ζορμπάς', 'ζορμπασ'],
    ['千と千尋の神隠し', '千と千尋の神隠し'],
    ['The A-Team', 'a team'],
    ['Die Hard', 'hard'],
    ['Das Boot', 'boot'],
    ['Boot, Das', 'boot'],
    ['A', 'a'],
    ['The The', 'the'],
    ['O', 'o'],
    ['...', ''],
    ['', ''],
  ])('%j -> %j', (input, expected) => {
    expect(titleKey(input)).toBe(expected);
  });

  it('treats the main and the MovieLens form of a title alike', () => {
    for (const [raw, title] of MOVIELENS_TITLE_EXAMPLES) {
      const movielensMain = parseMovieTitle(raw).title;
      expect(titleKey(movielensMain)).toBe(titleKey(title));
    }
    expect(titleKey('Good, the Bad and the Ugly, The')).toBe(titleKey('The Good, the Bad and the Ugly'));
  });

  it('returns single-spaced text with no character the folds would change', () => {
    const folded = new Set([...TITLE_KEY_FOLDS.map(([f]) => f), ...TITLE_KEY_MULTI_FOLDS.map(([f]) => f)]);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const k = titleKey(s);
        return !/^ | $| {2}/.test(k) && [...k].every((c) => !folded.has(c));
      }),
      { numRuns: 2000, seed: 7 },
    );
  });
});

// PostgreSQL semantics of the functions the SQL twin uses, written from the
// PostgreSQL manual, fed only with the exported data.
function sqlReplace(s: string, from: string, to: string): string {
  return s.split(from).join(to);
}
function sqlTranslate(s: string, from: string, to: string): string {
  const fromChars = [...from];
  const toChars = [...to];
  let out = '';
  for (const c of s) {
    const i = fromChars.indexOf(c);
    out += i < 0 ? c : i < toChars.length ? toChars[i] : '';
  }
  return out;
}
function sqlTitleKey(s: string): string {
  let k = s;
  for (const [from, to] of TITLE_KEY_MULTI_FOLDS) k = sqlReplace(k, from, to);
  k = sqlTranslate(k, TITLE_KEY_TRANSLATE.from, TITLE_KEY_TRANSLATE.to);
  k = k.replace(/ +/g, ' ');
  k = k.replace(/^ +/, '').replace(/ +$/, ''); // btrim(k, ' ')
  k = k.replace(new RegExp(TITLE_KEY_LEADING_ARTICLE_PATTERN), '');
  k = k.replace(new RegExp(TITLE_KEY_TRAILING_ARTICLE_PATTERN), '');
  return k;
}

describe('the SQL recipe of titleKey', () => {
  it('translate() strings line up: mapped characters first, deleted ones last', () => {
    const mapped = TITLE_KEY_FOLDS.filter(([, t]) => t !== '').length;
    expect([...TITLE_KEY_TRANSLATE.to]).toHaveLength(mapped);
    expect([...TITLE_KEY_TRANSLATE.from]).toHaveLength(TITLE_KEY_FOLDS.length);
    expect(TITLE_KEY_TRANSLATE.from).not.toContain('\u0000');
  });

  it('gives titleKey() on every title, alternate title and raw line of the table', () => {
    for (const [raw, title, alternates] of MOVIELENS_TITLE_EXAMPLES) {
      for (const s of [raw, title, ...alternates]) expect(sqlTitleKey(s)).toBe(titleKey(s));
    }
  });

  it('gives titleKey() on random Unicode text', () => {
    const folds = [...TITLE_KEY_FOLDS.map(([f]) => f), ...TITLE_KEY_MULTI_FOLDS.map(([f]) => f), 'the', 'a', ' ', 'l', 'x'];
    const tricky = fc
      .array(fc.oneof(fc.constantFrom(...folds), fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 12 })
      .map((a) => a.join(''));
    fc.assert(
      fc.property(fc.oneof(tricky, fc.string({ unit: 'binary', maxLength: 30 })), (s) => sqlTitleKey(s) === titleKey(s)),
      { numRuns: 3000, seed: 42 },
    );
  });
});
