// Given a synthetic dump (tiny and small), then: the same seed gives the same
// bytes, every file parses as MovieLens CSV with a real CSV parser, the shape
// matches ml-latest-small's figures (README.md "Calibration"), and truth.json
// agrees with movies.csv. (How hard the ratings are for the trainer is checked in
// bench/src/calibrate.spec.ts, which may use the trainer: a lib never imports an app.)
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import {
  DUMP_FILES,
  FIRST_RATING_TS,
  GENERATOR_VERSION,
  HALF_STARS_FROM_TS,
  LAST_RATING_TS,
  LATENT_DIM,
  SCALES,
  dumpStats,
  generateSyntheticDump,
  isCompleteDump,
  plantTruth,
  readRatingsForStats,
  type DumpStats,
  type GenerateResult,
  type SyntheticTruthFile,
} from './index';

const tmpRoot = mkdtempSync(join(tmpdir(), 'cinemap-synthetic-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
const parsed = new Map<string, string[][]>();
/** Parsed with csv-parse (strict RFC 4180), memoised: the files do not change within a test run. */
function rows(dir: string, file: string): string[][] {
  const key = join(dir, file);
  if (!parsed.has(key)) parsed.set(key, parse(readFileSync(key), { bom: false, relax_quotes: false }) as string[][]);
  return parsed.get(key)!;
}
function truthOf(dir: string): SyntheticTruthFile {
  return JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as SyntheticTruthFile;
}

/**
 * ml-latest-small's figures (`npm run generate -- --stats` on the real dump, README.md
 * "Calibration") and how far `small` may stray from each: the calibration, as a check.
 */
const ML_LATEST_SMALL = {
  histogram: {
    '0.5': 0.014,
    '1.0': 0.028,
    '1.5': 0.018,
    '2.0': 0.075,
    '2.5': 0.055,
    '3.0': 0.199,
    '3.5': 0.13,
    '4.0': 0.266,
    '4.5': 0.085,
    '5.0': 0.131,
  },
  mean: 3.5,
  sd: 1.04,
  topFilmShare: 0.0033,
  topUserShare: 0.0268,
  top1PctFilmsShare: 0.157,
  top10PctFilmsShare: 0.6,
  top10PctUsersShare: 0.477,
  filmsWith1Rating: 0.354,
  filmsUnder5Ratings: 0.625,
  filmsWith20Plus: 0.133,
  userQuantiles: [20, 35, 71, 168, 400, 1256, 2698],
  sdMovieMeans20: 0.44,
  sdUserMeans: 0.48,
};
/** What in `s` is further from ml-latest-small than the calibration allows; [] when all is close. */
function shapeDeviations(s: DumpStats): string[] {
  const out: string[] = [];
  const near = (name: string, got: number, want: number, tol: number): void => {
    if (!(Math.abs(got - want) <= tol)) out.push(`${name} ${got.toFixed(4)} (ml-latest-small ${want}, tolerance ${tol})`);
  };
  const t = ML_LATEST_SMALL;
  for (const [k, v] of Object.entries(t.histogram)) near(`share of ${k}`, s.histogram[k], v, Math.max(0.006, 0.25 * v));
  const mode = Object.entries(s.histogram).sort((a, b) => b[1] - a[1])[0][0];
  if (mode !== '4.0') out.push(`mode ${mode} (ml-latest-small 4.0)`);
  if (s.histogram['5.0'] < 0.9 * t.histogram['5.0']) out.push(`5.0 is rarer than on MovieLens: ${s.histogram['5.0'].toFixed(3)}`);
  near('mean', s.mean, t.mean, 0.1);
  near('sd', s.sd, t.sd, 0.08);
  near('top film share', s.topFilmShare, t.topFilmShare, 0.001);
  near('top user share', s.topUserShare, t.topUserShare, 0.003);
  near('top 1% of films share', s.top1PctFilmsShare, t.top1PctFilmsShare, 0.03);
  near('top 10% of films share', s.top10PctFilmsShare, t.top10PctFilmsShare, 0.05);
  near('top 10% of users share', s.top10PctUsersShare, t.top10PctUsersShare, 0.05);
  near('films with 1 rating', s.filmsWith1Rating, t.filmsWith1Rating, 0.06);
  near('films with < 5 ratings', s.filmsUnder5Ratings, t.filmsUnder5Ratings, 0.05);
  near('films with >= 20 ratings', s.filmsWith20Plus, t.filmsWith20Plus, 0.03);
  t.userQuantiles.forEach((q, i) => near(`user quantile ${i}`, s.userQuantiles[i], q, Math.max(2, 0.2 * q)));
  near('sd of film means', s.sdMovieMeans20, t.sdMovieMeans20, 0.05);
  near('sd of user means', s.sdUserMeans, t.sdUserMeans, 0.05);
  return out;
}

/** ml-latest-small's own figures as a DumpStats (the reference the check is built around). */
function dumpStatsOfRealSmall(): DumpStats {
  const t = ML_LATEST_SMALL;
  return {
    ratings: 100_836,
    users: 610,
    movies: 9_724,
    histogram: { ...t.histogram },
    mean: t.mean,
    sd: t.sd,
    topFilmRatings: 329,
    topUserRatings: 2_698,
    topFilmShare: t.topFilmShare,
    topUserShare: t.topUserShare,
    top1PctFilmsShare: t.top1PctFilmsShare,
    top10PctFilmsShare: t.top10PctFilmsShare,
    top10PctUsersShare: t.top10PctUsersShare,
    filmsWith1Rating: t.filmsWith1Rating,
    filmsUnder5Ratings: t.filmsUnder5Ratings,
    filmsWith20Plus: t.filmsWith20Plus,
    medianRatingsPerFilm: 3,
    userQuantiles: [...t.userQuantiles],
    sdMovieMeans20: t.sdMovieMeans20,
    sdUserMeans: t.sdUserMeans,
  };
}

let tiny: GenerateResult;
let small: GenerateResult;
beforeAll(async () => {
  tiny = await generateSyntheticDump({ out: join(tmpRoot, 'tiny'), scale: 'tiny', seed: 42 });
  small = await generateSyntheticDump({ out: join(tmpRoot, 'small'), scale: 'small', seed: 42 });
});

describe('determinism', () => {
  it.each(['tiny', 'small'] as const)('the same seed gives identical bytes at %s scale', async (scale) => {
    const first = scale === 'tiny' ? tiny : small;
    const again = await generateSyntheticDump({ out: join(tmpRoot, `${scale}-again`), scale, seed: 42 });
    for (const f of [...DUMP_FILES, 'truth.json']) expect(sha(join(again.dir, f))).toBe(sha(join(first.dir, f)));
  });

  it('another seed gives other ratings', async () => {
    const other = await generateSyntheticDump({ out: join(tmpRoot, 'tiny-seed7'), scale: 'tiny', seed: 7 });
    expect(sha(join(other.dir, 'ratings.csv'))).not.toBe(sha(join(tiny.dir, 'ratings.csv')));
    expect(sha(join(other.dir, 'movies.csv'))).not.toBe(sha(join(tiny.dir, 'movies.csv')));
  });

  it('the zip is byte-identical too, with the files in a top folder like GroupLens zips', async () => {
    const a = await generateSyntheticDump({ out: join(tmpRoot, 'zip-a'), scale: 'tiny', seed: 3, zip: true });
    const b = await generateSyntheticDump({ out: join(tmpRoot, 'zip-b'), scale: 'tiny', seed: 3, zip: true });
    expect(a.zipPath).toBe(join(a.dir, 'ml-latest-tiny.zip'));
    expect(sha(a.zipPath!)).toBe(sha(b.zipPath!));
    const yauzl = await import('yauzl');
    const names = await new Promise<string[]>((res, rej) => {
      yauzl.open(a.zipPath!, { lazyEntries: true }, (err, zf) => {
        if (err || !zf) return rej(err);
        const out: string[] = [];
        zf.on('entry', (e: { fileName: string }) => {
          out.push(e.fileName);
          zf.readEntry();
        });
        zf.on('end', () => res(out));
        zf.readEntry();
      });
    });
    expect(names.sort()).toEqual([
      'ml-latest-tiny/',
      'ml-latest-tiny/README.txt',
      'ml-latest-tiny/links.csv',
      'ml-latest-tiny/movies.csv',
      'ml-latest-tiny/ratings.csv',
      'ml-latest-tiny/tags.csv',
    ]);
  });
});

describe('format (the MovieLens "latest" files, to the letter)', () => {
  it.each(['tiny', 'small'])('%s: headers, UTF-8 without BOM, LF only, newline-terminated', (scale) => {
    const dir = scale === 'tiny' ? tiny.dir : small.dir;
    const headers: Record<string, string> = {
      'movies.csv': 'movieId,title,genres',
      'ratings.csv': 'userId,movieId,rating,timestamp',
      'links.csv': 'movieId,imdbId,tmdbId',
      'tags.csv': 'userId,movieId,tag,timestamp',
    };
    for (const f of DUMP_FILES) {
      const buf = readFileSync(join(dir, f));
      expect(buf.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
      expect(buf.includes(13)).toBe(false);
      expect(buf[buf.length - 1]).toBe(10);
      expect(buf.toString('utf8', 0, buf.indexOf(10))).toBe(headers[f]);
      expect(Buffer.from(buf.toString('utf8'), 'utf8').equals(buf)).toBe(true); // valid UTF-8
    }
  });

  it('quotes titles with commas or quotes (doubled), and only those', () => {
    const text = readFileSync(join(small.dir, 'movies.csv'), 'utf8');
    expect(text).toMatch(/\n\d+,"Matrix, The \(1999\)",Action\|Sci-Fi\|Thriller\n/);
    expect(text).toMatch(/\n\d+,"""Quoted"" Title, A \(2004\)",Comedy\n/);
    expect(text).toMatch(/\n\d+,"City of Lost Children, The \(Cité des enfants perdus, La\) \(1995\)",/);
    expect(text).toMatch(/\n\d+,Mary Poppins \(1964\),Children\|Comedy\|Fantasy\|Musical\n/);
    expect(text).toMatch(/\n\d+,Black Mirror,\(no genres listed\)\n/);
    const lines = text.split('\n').slice(1, -1);
    const titles = rows(small.dir, 'movies.csv')
      .slice(1)
      .map((r) => r[1]);
    const wrong = lines.filter((line, i) => /^\d+,"/.test(line) !== /[",]/.test(titles[i]));
    expect(wrong).toEqual([]);
    expect(lines.filter((l) => /^\d+,"/.test(l)).length).toBeGreaterThan(1000);
  });

  it('movies.csv round-trips through csv-parse to the planted titles and genres', () => {
    const t = plantTruth(SCALES.small, 42);
    const parsed = rows(small.dir, 'movies.csv').slice(1);
    expect(parsed).toHaveLength(t.movies.count);
    const expected = t.movies.titles.map((title, i) => [
      String(t.movies.ids[i]),
      title,
      t.movies.genres[i].length ? t.movies.genres[i].join('|') : '(no genres listed)',
    ]);
    expect(parsed.filter((row, i) => row.join('\u0000') !== expected[i].join('\u0000'))).toEqual([]);
    // MovieLens conventions occur: articles last, alternates, accents, missing years, year ranges.
    const titles = parsed.map((r) => r[1]);
    expect(titles.filter((x) => /, The \(\d{4}\)$/.test(x)).length).toBeGreaterThan(500);
    expect(titles.filter((x) => /\) \(\d{4}\)$/.test(x)).length).toBeGreaterThan(200);
    expect(titles.filter((x) => /[éñüöôçà]/.test(x)).length).toBeGreaterThan(50);
    expect(titles.filter((x) => !/\(\d{4}(-\d{4})?\)$/.test(x)).length).toBeGreaterThan(20);
    expect(titles.filter((x) => /\(\d{4}-\d{4}\)$/.test(x)).length).toBeGreaterThan(5);
    expect(parsed.filter((r) => r[2] === '(no genres listed)').length).toBeGreaterThan(50);
  });

  it.each(['tiny', 'small'])('%s: ratings are valid, in range, sorted by user then movie, without duplicates', (scale) => {
    const dir = scale === 'tiny' ? tiny.dir : small.dir;
    const movieIds = new Set(
      rows(dir, 'movies.csv')
        .slice(1)
        .map((r) => Number(r[0])),
    );
    const ratings = rows(dir, 'ratings.csv').slice(1);
    const lo = Date.UTC(1995, 0, 1) / 1000,
      hi = Date.UTC(2024, 0, 1) / 1000;
    // One check per row, failures collected: per-row expect() calls would take seconds.
    const bad: string[] = [];
    let prevU = 0,
      prevM = 0;
    const perUser = new Map<number, number>();
    for (const r of ratings) {
      const [u, m, x, ts] = r;
      const uid = Number(u),
        mid = Number(m),
        t = Number(ts);
      const ok =
        r.length === 4 &&
        /^[1-9]\d*$/.test(u) &&
        /^[1-9]\d*$/.test(m) &&
        /^\d+$/.test(ts) &&
        /^(0\.5|[1-4]\.[05]|5\.0)$/.test(x) &&
        movieIds.has(mid) &&
        t >= lo &&
        t < hi &&
        t >= FIRST_RATING_TS &&
        t <= LAST_RATING_TS &&
        (uid > prevU || (uid === prevU && mid > prevM));
      if (!ok && bad.length < 5) bad.push(r.join(','));
      prevU = uid;
      prevM = mid;
      perUser.set(uid, (perUser.get(uid) ?? 0) + 1);
    }
    expect(bad).toEqual([]);
    const spec = SCALES[scale as 'tiny' | 'small'];
    expect(perUser.size).toBe(spec.users);
    expect([...perUser.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: spec.users }, (_, i) => i + 1));
    expect(Math.min(...perUser.values())).toBeGreaterThanOrEqual(20);
  });

  it('links and tags are well formed', () => {
    const movieIds = new Set(
      rows(small.dir, 'movies.csv')
        .slice(1)
        .map((r) => r[0]),
    );
    const links = rows(small.dir, 'links.csv').slice(1);
    expect(links).toHaveLength(movieIds.size);
    expect(links.filter(([m, imdb, tmdb]) => !movieIds.has(m) || !/^\d{7,8}$/.test(imdb) || !/^(\d+)?$/.test(tmdb))).toEqual([]);
    expect(links.some((l) => l[2] === '')).toBe(true);
    const rated = new Set(
      rows(small.dir, 'ratings.csv')
        .slice(1)
        .map((r) => `${r[0]},${r[1]}`),
    );
    const tags = rows(small.dir, 'tags.csv').slice(1);
    expect(tags.length).toBe(small.counts.tags);
    expect(tags.length).toBeGreaterThan(1000);
    // A user tags what they rated.
    expect(tags.filter(([u, m, tag, ts]) => !rated.has(`${u},${m}`) || tag.length === 0 || !/^\d+$/.test(ts))).toEqual([]);
    expect(tags.some((t) => t[2].includes(','))).toBe(true);
  });
});

describe('shape of small (like ml-latest-small)', () => {
  let ratings: string[][];
  beforeAll(() => {
    ratings = rows(small.dir, 'ratings.csv').slice(1);
  });

  it('has counts near 100,836 ratings, 9,742 movies, 610 users', () => {
    expect(small.counts.movies).toBe(9742);
    expect(small.counts.users).toBe(610);
    expect(Math.abs(small.counts.ratings - 100_836) / 100_836).toBeLessThan(0.02);
    expect(ratings).toHaveLength(small.counts.ratings);
  });

  it('has power-law ratings per movie and per user', () => {
    const perMovie = new Map<string, number>(),
      perUser = new Map<string, number>();
    for (const r of ratings) {
      perMovie.set(r[1], (perMovie.get(r[1]) ?? 0) + 1);
      perUser.set(r[0], (perUser.get(r[0]) ?? 0) + 1);
    }
    const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const mv = [...perMovie.values()],
      uv = [...perUser.values()];
    expect(Math.max(...mv)).toBeGreaterThan(50 * median(mv));
    expect(Math.max(...uv)).toBeGreaterThan(20 * median(uv));
    expect(Math.max(...uv)).toBeGreaterThanOrEqual(2000);
    // Every film has a first rater, as MovieLens lists only rated films.
    expect(perMovie.size).toBe(small.counts.movies);
  });

  it.each([42, 7])(
    "matches ml-latest-small's figures (histogram, popularity, long tail, activity, spread of means) with seed %d",
    async (seed) => {
      const dir =
        seed === 42 ? small.dir : (await generateSyntheticDump({ out: join(tmpRoot, `small-${seed}`), scale: 'small', seed })).dir;
      expect(shapeDeviations(dumpStats(await readRatingsForStats(dir)))).toEqual([]);
    },
  );

  it("the shape check fails on a planted mistake: the old generator's figures", () => {
    // Measured on the version-1 `small` (seed 42): few low ratings, hardly any 1-rating films, similar users.
    const v1: DumpStats = {
      ...dumpStatsOfRealSmall(),
      histogram: {
        '0.5': 0.001,
        '1.0': 0.014,
        '1.5': 0.013,
        '2.0': 0.084,
        '2.5': 0.055,
        '3.0': 0.227,
        '3.5': 0.096,
        '4.0': 0.304,
        '4.5': 0.088,
        '5.0': 0.118,
      },
      sd: 0.94,
      top10PctFilmsShare: 0.542,
      filmsWith1Rating: 0.091,
      filmsUnder5Ratings: 0.483,
      sdMovieMeans20: 0.36,
      sdUserMeans: 0.34,
    };
    const d = shapeDeviations(v1);
    expect(d.join('\n')).toMatch(/share of 0\.5 0\.0010/);
    expect(d.join('\n')).toMatch(/films with 1 rating 0\.0910/);
    expect(d.join('\n')).toMatch(/sd of user means 0\.3400/);
    expect(shapeDeviations(dumpStatsOfRealSmall())).toEqual([]);
  });

  it('rates in half stars with the mode at 4.0, whole stars only before half stars existed', () => {
    const hist = new Map<string, number>();
    for (const r of ratings) hist.set(r[2], (hist.get(r[2]) ?? 0) + 1);
    const early = ratings.filter((r) => Number(r[3]) < HALF_STARS_FROM_TS);
    expect(early.length).toBeGreaterThan(1000);
    expect(early.filter((r) => r[2].endsWith('.5'))).toEqual([]);
    const sorted = [...hist.entries()].sort((a, b) => b[1] - a[1]);
    expect(sorted[0][0]).toBe('4.0');
    expect(hist.size).toBe(10);
    const halves = ratings.filter((r) => r[2].endsWith('.5')).length / ratings.length;
    expect(halves).toBeGreaterThan(0.1);
    expect(halves).toBeLessThan(0.5);
  });

  it('grows over time: more ratings in 2015-2023 than in 1996-2004', () => {
    const year = (r: string[]): number => new Date(Number(r[3]) * 1000).getUTCFullYear();
    const early = ratings.filter((r) => year(r) >= 1996 && year(r) <= 2004).length;
    const late = ratings.filter((r) => year(r) >= 2015).length;
    expect(early).toBeGreaterThan(1000);
    expect(late).toBeGreaterThan(3 * early);
  });
});

describe('planted truth', () => {
  it.each(['tiny', 'small'])('%s: truth.json agrees with movies.csv', (scale) => {
    const dir = scale === 'tiny' ? tiny.dir : small.dir;
    const truth = truthOf(dir);
    const titleOf = new Map(
      rows(dir, 'movies.csv')
        .slice(1)
        .map((r) => [Number(r[0]), r[1]]),
    );
    expect(truth.format).toBe('cinemap-synthetic-truth/2');
    expect(truth.generatorVersion).toBe(GENERATOR_VERSION);
    expect(truth.model).toMatchObject({ latentDim: LATENT_DIM, halfStarsFrom: HALF_STARS_FROM_TS });
    expect(truth.model.fandomSd).toBeGreaterThan(0);
    expect(truth.scale).toBe(scale);
    expect(truth.seed).toBe(42);
    expect(truth.counts).toEqual((scale === 'tiny' ? tiny : small).counts);
    expect(truth.franchises.length).toBe(SCALES[scale as 'tiny'].franchises + 1); // + the Matrix trilogy
    truth.franchises.forEach((f, k) => {
      expect(f.length).toBeGreaterThanOrEqual(3);
      expect(f.length).toBeLessThanOrEqual(6);
      f.forEach((id, j) => expect(titleOf.get(id)).toBe(truth.franchiseTitles[k][j]));
    });
    // Sequels are numbered like MovieLens: "Silent Harbor 2, The (1992)".
    const sequels = truth.franchiseTitles.flatMap((f) => f.slice(1));
    expect(sequels.filter((t) => /\s[2-6](, (The|A|An))? \(\d{4}\)$/.test(t)).length).toBe(sequels.length - 2);
    expect(truth.franchiseTitles[0]).toEqual(['Matrix, The (1999)', 'Matrix Reloaded, The (2003)', 'Matrix Revolutions, The (2003)']);
    // Within a franchise, ids and years grow with the sequel number.
    const year = (t: string): number => Number(/\((\d{4})\)$/.exec(t)![1]);
    for (const [k, f] of truth.franchises.entries()) {
      expect([...f].sort((a, b) => a - b)).toEqual(f);
      const ys = truth.franchiseTitles[k].map(year);
      expect([...ys].sort((a, b) => a - b)).toEqual(ys);
    }
    for (const a of truth.anchors) expect(titleOf.get(a.movieId)).toBe(a.title);
    expect(truth.anchors.map((a) => a.title)).toEqual(
      expect.arrayContaining([
        'Matrix, The (1999)',
        'Mary Poppins (1964)',
        'Mary Poppins Returns (2018)',
        'Hamlet (1990)',
        'Hamlet (1996)',
        'Shawshank Redemption, The (1994)',
        'Impossible, The (Imposible, Lo) (2012)',
        '"Quoted" Title, A (2004)',
        'City of Lost Children, The (Cité des enfants perdus, La) (1995)',
      ]),
    );
    expect(Object.keys(truth.genreFactors)).toHaveLength(19);
    for (const v of Object.values(truth.genreFactors)) {
      expect(v).toHaveLength(LATENT_DIM);
      expect(Math.hypot(...v)).toBeCloseTo(1, 4);
    }
  });

  it('anchors are rated as their notes promise', () => {
    const truth = truthOf(small.dir);
    const count = new Map<number, number>();
    for (const r of rows(small.dir, 'ratings.csv').slice(1)) count.set(Number(r[1]), (count.get(Number(r[1])) ?? 0) + 1);
    const n = (title: string): number => count.get(truth.anchors.find((a) => a.title === title)!.movieId) ?? 0;
    expect(n('Mary Poppins (1964)')).toBeGreaterThan(5 * n('Mary Poppins Returns (2018)'));
    expect(n('Hamlet (1996)')).toBeGreaterThan(2 * n('Hamlet (1990)'));
    expect(n('Shawshank Redemption, The (1994)')).toBe(Math.max(...count.values()));
  });

  it('tiny: every movie has >= 30 ratings (unit tests can use any of them)', () => {
    const count = new Map<string, number>();
    for (const r of rows(tiny.dir, 'ratings.csv').slice(1)) count.set(r[1], (count.get(r[1]) ?? 0) + 1);
    expect(count.size).toBe(tiny.counts.movies);
    expect(Math.min(...count.values())).toBeGreaterThanOrEqual(30);
  });

  it('sequels are rated less often and less well than the first film; some franchises change genre', () => {
    const t = plantTruth(SCALES.small, 42);
    const count = new Map<number, number>(),
      sum = new Map<number, number>();
    for (const r of rows(small.dir, 'ratings.csv').slice(1)) {
      count.set(Number(r[1]), (count.get(Number(r[1])) ?? 0) + 1);
      sum.set(Number(r[1]), (sum.get(Number(r[1])) ?? 0) + Number(r[2]));
    }
    const n = (i: number): number => count.get(t.movies.ids[i]) ?? 0;
    const mean = (i: number): number => (sum.get(t.movies.ids[i]) ?? 0) / Math.max(1, n(i));
    const firstMoreRated = t.franchises.filter((f) => n(f[0]) > n(f[f.length - 1])).length;
    const firstLiked = t.franchises.filter((f) => mean(f[0]) > mean(f[f.length - 1])).length;
    expect(firstMoreRated).toBeGreaterThanOrEqual(0.9 * t.franchises.length);
    expect(firstLiked).toBeGreaterThanOrEqual(0.7 * t.franchises.length);
    const mixed = t.franchises.filter((f) => new Set(f.map((i) => t.movies.genres[i].join('|'))).size > 1).length;
    expect(mixed).toBeGreaterThan(0.1 * t.franchises.length);
    expect(mixed).toBeLessThan(0.6 * t.franchises.length);
  });

  it.each([
    ['tiny', 30],
    ['small', 20],
  ] as const)('%s: the TRUE vectors make franchise members neighbours, but only partly (films with >= %d ratings)', (scale, minRatings) => {
    const dir = scale === 'tiny' ? tiny.dir : small.dir;
    const t = plantTruth(SCALES[scale], 42);
    const count = new Map<number, number>();
    for (const r of rows(dir, 'ratings.csv').slice(1)) count.set(Number(r[1]), (count.get(Number(r[1])) ?? 0) + 1);
    const pool = [...t.movies.ids]
      .map((id, i) => ({ id, i }))
      .filter(({ id }) => (count.get(id) ?? 0) >= minRatings)
      .map((x) => x.i);
    const inPool = new Set(pool);

    const D = LATENT_DIM,
      F = t.movies.factors;
    const cos = (a: number, b: number): number => {
      let s = 0,
        na = 0,
        nb = 0;
      for (let d = 0; d < D; d++) {
        s += F[a * D + d] * F[b * D + d];
        na += F[a * D + d] ** 2;
        nb += F[b * D + d] ** 2;
      }
      return s / Math.sqrt(na * nb);
    };
    const recall = (groups: number[][]): number => {
      let hit = 0,
        total = 0;
      for (const g0 of groups) {
        const g = g0.filter((i) => inPool.has(i));
        for (const a of g) {
          const sims = pool.filter((b) => b !== a).map((b) => [b, cos(a, b)] as const);
          const top = sims
            .sort((x, y) => y[1] - x[1])
            .slice(0, 10)
            .map((x) => x[0]);
          for (const b of g)
            if (b !== a) {
              total++;
              if (top.includes(b)) hit++;
            }
        }
      }
      return hit / total;
    };
    // Members share 50-85% of one vector (plus a fandom no vector holds): found often, not always.
    // Measured (seed 42): tiny 0.73, small 0.58; the old generator's shared vectors gave 1.0.
    const r = recall(t.franchises);
    expect(r).toBeGreaterThan(0.35);
    expect(r).toBeLessThan(0.9);
    // Control: groups of the same sizes drawn from non-members are not neighbours.
    const members = new Set(t.franchises.flat());
    const others = pool.filter((i) => !members.has(i));
    let k = 0;
    const fake = t.franchises.map((f) => f.map(() => others[(k += 7) % others.length]));
    expect(recall(fake)).toBeLessThan(0.2);
  });
});

describe('interruption', () => {
  it('an aborted run leaves no partial files and no truth.json', async () => {
    const out = join(tmpRoot, 'aborted');
    const ac = new AbortController();
    await expect(
      generateSyntheticDump({
        out,
        scale: 'small',
        seed: 1,
        signal: ac.signal,
        onProgress: (p) => {
          if (p.phase === 'ratings' && p.usersDone > 100) ac.abort(new Error('stop'));
        },
      }),
    ).rejects.toThrow('stop');
    expect(readdirSync(out).filter((f) => f.endsWith('.partial') || f === 'truth.json')).toEqual([]);
    expect(isCompleteDump(out)).toBe(false);
    expect(isCompleteDump(small.dir)).toBe(true);
    expect(existsSync(join(small.dir, 'truth.json'))).toBe(true);
  });
});
