// The serving bench's request streams (issue 19), as request bodies for the gateway
// (GraphQL) and for the bare node:http endpoint (the same lookups as plain JSON):
//   mix      — titles drawn Zipf(s = 1) over the catalogue ranked by rating count (a few
//              films asked for very often, most rarely); 30% of requests carry a filter,
//              10% are a mood (similarToMany of 2-3 titles), the rest plain similarMovies
//   distinct — every title once, in a shuffled order: unfiltered, or all with one genre
// Seeded: the same bodies every run.
import { Rng } from '@cinemap/math';
import type { MovieFilter } from '@cinemap/domain';

export const SIMILAR =
  'query Similar($t: String!, $k: Int, $f: MovieFilter) { similarMovies(title: $t, k: $k, filter: $f) { similarity movie { id title year genres ratingCount averageRating bias imdbUrl tmdbUrl } } }';
export const MOOD =
  'query Mood($ts: [String!]!, $k: Int, $f: MovieFilter) { similarToMany(titles: $ts, k: $k, filter: $f) { similarity movie { id title year genres ratingCount averageRating bias imdbUrl tmdbUrl } } }';

/** What the bare endpoint is asked: the same lookup as one GraphQL request. */
export interface BareRequest {
  titles: string[];
  mood: boolean;
  k: number;
  filter: MovieFilter | null;
}

export interface Streams {
  gateway: string[];
  bare: string[];
}

export interface WorkloadFilm {
  title: string;
  ratingCount: number;
}

function body(r: BareRequest): [gateway: string, bare: string] {
  const variables = r.mood ? { ts: r.titles, k: r.k, f: r.filter } : { t: r.titles[0], k: r.k, f: r.filter };
  return [JSON.stringify({ query: r.mood ? MOOD : SIMILAR, variables }), JSON.stringify(r)];
}

function streams(requests: BareRequest[]): Streams {
  const out: Streams = { gateway: [], bare: [] };
  for (const r of requests) {
    const [g, b] = body(r);
    out.gateway.push(g);
    out.bare.push(b);
  }
  return out;
}

/** Draws ranks 0..n-1 with P(rank i) proportional to 1 / (i + 1)^s (inverse CDF, binary search). */
export function zipfSampler(n: number, s: number, rng: Rng): () => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) cdf[i] = total += 1 / Math.pow(i + 1, s);
  return () => {
    const u = rng.next() * total;
    let lo = 0,
      hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** The filters a visitor might set: a genre, a decade, "only the good ones", a genre left out. */
function randomFilter(rng: Rng, genres: readonly string[]): MovieFilter {
  const g = genres[rng.int(genres.length)];
  const decade = 1950 + 10 * rng.int(7);
  return [
    { genres: [g] },
    { yearFrom: decade, yearTo: decade + 9 },
    { minAverageRating: 3.5 },
    { genres: [g], minAverageRating: 3 },
    { excludeGenres: [g] },
  ][rng.int(5)];
}

/** What one request of the mix is: a plain similarMovies, one with a filter, or a mood. */
export type MixKind = 'list' | 'filtered' | 'mood';

/** `count` requests of the realistic mix (see the file's header), seeded; `kinds[i]` says what request i is. */
export function mixStream(
  films: readonly WorkloadFilm[],
  genres: readonly string[],
  count: number,
  seed = 19,
): Streams & { moods: number; filtered: number; kinds: MixKind[] } {
  const ranked = [...films].sort((a, b) => b.ratingCount - a.ratingCount);
  const rng = new Rng(seed);
  const zipf = zipfSampler(ranked.length, 1, rng);
  const requests: BareRequest[] = [];
  const kinds: MixKind[] = [];
  let moods = 0,
    filtered = 0;
  for (let i = 0; i < count; i++) {
    const u = rng.next();
    if (u < 0.1) {
      const titles = new Set<string>();
      const want = 2 + rng.int(2);
      while (titles.size < want) titles.add(ranked[zipf()].title);
      requests.push({ titles: [...titles], mood: true, k: 10, filter: null });
      kinds.push('mood');
      moods++;
    } else {
      const filter = u < 0.4 ? randomFilter(rng, genres) : null;
      if (filter) filtered++;
      requests.push({ titles: [ranked[zipf()].title], mood: false, k: 10, filter });
      kinds.push(filter ? 'filtered' : 'list');
    }
  }
  return { ...streams(requests), moods, filtered, kinds };
}

/** Every title once, shuffled (seeded), each with `filter`. */
export function distinctStream(films: readonly WorkloadFilm[], filter: MovieFilter | null, seed = 7): Streams {
  const titles = films.map((f) => f.title);
  const rng = new Rng(seed);
  for (let i = titles.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [titles[i], titles[j]] = [titles[j], titles[i]];
  }
  return streams(titles.map((t) => ({ titles: [t], mood: false, k: 10, filter })));
}
