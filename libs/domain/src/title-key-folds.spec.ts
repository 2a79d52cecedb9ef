// The fold table is data another engineer turns into SQL; these checks keep it
// complete for Latin-1 and Latin Extended-A and usable by translate()/replace().
import { TITLE_ARTICLES, TITLE_KEY_FOLDS, TITLE_KEY_MULTI_FOLDS } from './title-key-folds';

const cp = (c: string) => c.codePointAt(0)!;
const hex = (n: number) => 'U+' + n.toString(16).toUpperCase().padStart(4, '0');
const single = new Map(TITLE_KEY_FOLDS.map(([f, t]) => [f, t]));
const multi = new Map(TITLE_KEY_MULTI_FOLDS.map(([f, t]) => [f, t]));

describe('TITLE_KEY_FOLDS and TITLE_KEY_MULTI_FOLDS', () => {
  it('fold each character at most once (no duplicates, no overlap between the lists)', () => {
    expect(single.size).toBe(TITLE_KEY_FOLDS.length);
    expect(multi.size).toBe(TITLE_KEY_MULTI_FOLDS.length);
    expect([...multi.keys()].filter((c) => single.has(c))).toEqual([]);
  });

  it('use single code points as `from`, never NUL (PostgreSQL text cannot hold it)', () => {
    for (const [from] of [...TITLE_KEY_FOLDS, ...TITLE_KEY_MULTI_FOLDS]) {
      expect([...from]).toHaveLength(1);
      expect(from).not.toBe('\u0000');
    }
  });

  it('map single characters to one code point or to nothing', () => {
    for (const [from, to] of TITLE_KEY_FOLDS) expect({ from, len: [...to].length <= 1 }).toEqual({ from, len: true });
  });

  it('produce only characters the folds leave alone (so one pass is enough, in any order)', () => {
    const bad = [...TITLE_KEY_FOLDS, ...TITLE_KEY_MULTI_FOLDS].filter(([, to]) => [...to].some((c) => single.has(c) || multi.has(c)));
    expect(bad).toEqual([]);
    for (const [from, to] of TITLE_KEY_MULTI_FOLDS) expect({ from, to, ok: /^[a-z0-9 ]+$/.test(to) }).toEqual({ from, to, ok: true });
  });

  it('cover every character from U+0001 to U+017F (ASCII, Latin-1 Supplement, Latin Extended-A)', () => {
    const missing: string[] = [];
    for (let c = 1; c <= 0x17f; c++) {
      const ch = String.fromCodePoint(c);
      if (/[a-z0-9 ]/.test(ch)) {
        expect(single.has(ch) || multi.has(ch)).toBe(false);
      } else if (!single.has(ch) && !multi.has(ch)) missing.push(hex(c));
    }
    expect(missing).toEqual([]);
  });

  it('leave no upper-case letter in Latin, Greek and Cyrillic blocks unfolded', () => {
    const ranges: Array<[number, number]> = [
      [0x0000, 0x024f],
      [0x0370, 0x04ff],
      [0x1e00, 0x1eff],
      [0xff21, 0xff3a],
    ];
    const upper: string[] = [];
    for (const [lo, hi] of ranges) {
      for (let c = lo; c <= hi; c++) {
        const ch = String.fromCodePoint(c);
        if (!/\p{Lu}|\p{Lt}/u.test(ch)) continue;
        const out = single.get(ch) ?? multi.get(ch) ?? ch;
        if (/\p{Lu}|\p{Lt}/u.test(out)) upper.push(`${ch} ${hex(c)}`);
      }
    }
    expect(upper).toEqual([]);
  });

  it('agree with Unicode (NFKD, marks stripped, lower-cased) wherever that gives one ASCII letter or digit', () => {
    const disagree: string[] = [];
    for (const [from, to] of TITLE_KEY_FOLDS) {
      const base = from.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
      if (/^[a-z0-9]$/.test(base) && base !== to) disagree.push(`${from} ${hex(cp(from))}: table ${JSON.stringify(to)}, Unicode ${base}`);
    }
    expect(disagree).toEqual([]);
  });

  it('fold the letters people name explicitly', () => {
    const fold = (c: string) => multi.get(c) ?? single.get(c);
    expect(['ß', 'æ', 'ø', 'œ', 'ł', 'đ', 'Ø', 'Ł', 'ı', 'þ', 'ð'].map(fold)).toEqual([
      'ss',
      'ae',
      'o',
      'oe',
      'l',
      'd',
      'o',
      'l',
      'i',
      'th',
      'd',
    ]);
  });
});

describe('TITLE_ARTICLES', () => {
  it('are lower-case ASCII words that need no escaping in a regular expression', () => {
    for (const a of TITLE_ARTICLES) expect(a).toMatch(/^[a-z]+$/);
    expect(new Set(TITLE_ARTICLES).size).toBe(TITLE_ARTICLES.length);
  });

  it('include the articles MovieLens moves most often', () => {
    expect(TITLE_ARTICLES).toEqual(
      expect.arrayContaining([
        'the',
        'a',
        'an',
        'les',
        'le',
        'la',
        'l',
        'il',
        'der',
        'die',
        'das',
        'el',
        'los',
        'las',
        'un',
        'une',
        'det',
        'den',
        'o',
        'os',
      ]),
    );
  });
});
