// One immutable view of the active model run: its movies' normalised embeddings as a
// row-major matrix (exact cosine top-k by a dot-product scan, the served fast path:
// the WASM SIMD kernel of @cinemap/math when the store passes one, else topKByDot;
// both give the same answer bit for bit),
// the movies ready to return, the ONNX scorer, and per-run answer caches. When the run
// carries precomputed exact neighbour lists (movie_neighbours, issue 19), similarMovies
// walks the film's list instead of scanning: unfiltered, the first k that pass the floor;
// filtered, the first k that pass the filter, with the exact scan only when fewer than k
// of the N pass. Same answers as the scan, id for id and bit for bit. A request
// takes the current snapshot once and uses only it, so a hot swap never mixes runs:
// in-flight requests finish on the old snapshot while new ones see the new one.
import { minRatingCountOf, movieMatchesFilter, type MovieFilter, type TitleIndex } from '@cinemap/domain';
import { normalizeRows, scanDot, topKByDot, type DotScanIndex, type DotScanKernel } from '@cinemap/math';
import type { NeighbourBasis, ServedModelRun, RunMovieRow } from '@cinemap/db';
import { toMovieView, type MovieView } from '../graphql/types/movie.type';
import type { SimilarMovie } from '../graphql/types/similar-movie.type';
import type { RatingScorer } from './scorer';

const CACHE_LIMIT = 20_000;

/** A Map that forgets everything when it grows past `limit` (cheap, bounded). */
export class BoundedCache<V> {
  private map = new Map<string, V>();
  constructor(private readonly limit = CACHE_LIMIT) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, value: V): void {
    if (this.map.size >= this.limit) this.map.clear();
    this.map.set(key, value);
  }
  clear(): void {
    this.map.clear();
  }
  get size(): number {
    return this.map.size;
  }
}

/** A whole GraphQL response that depends only on the run and the request body. */
export interface CachedResponse {
  text: string;
  contentType: string;
  operation: string;
}

/** One basis's lists in row terms: `rows[r * n + i]` is row r's i-th neighbour row (best first), `len[r]` how many it holds. */
interface RowLists {
  n: number;
  rows: Int32Array;
  len: Int32Array;
}

/** How a similarMovies answer was found (counted for the bench and the docs' figures). */
export interface ListUse {
  /** answered from a precomputed list */
  list: number;
  /** a list was there but fewer than k of its N passed the filter: exact scan */
  fallback: number;
  /** no list (none loaded, or k > N): exact scan */
  scan: number;
}

export class ModelSnapshot {
  readonly dim: number;
  readonly size: number;
  /** Row-major, unit-length rows, in movie id order (inside the scan kernel's memory when there is one). */
  readonly matrix: Float32Array;
  private readonly scan: DotScanIndex | null;
  readonly movies: MovieView[];
  private readonly rowOf = new Map<number, number>();
  private readonly avgF32: Float32Array;
  /** Typed title → movie id (or null), per snapshot (the catalogue changes only with a new run). */
  readonly titleCache = new BoundedCache<number | null>();
  /** Normalised similarMovies/similarToMany arguments → answer. */
  readonly answerCache = new BoundedCache<SimilarMovie[]>();
  /** Request body → whole HTTP response of a neighbour query (the HTTP layer's replay). */
  readonly responseCache = new BoundedCache<CachedResponse>();
  /** Genre names present in this run, for validating filters. */
  readonly genres: string[];
  private readonly lists = new Map<NeighbourBasis, RowLists>();
  readonly listUse: ListUse = { list: 0, fallback: 0, scan: 0 };

  constructor(
    readonly run: ServedModelRun,
    rows: RunMovieRow[],
    readonly scorer: RatingScorer | null,
    /** The catalogue's titles as of this snapshot's load (null: resolve in SQL). */
    readonly titles: TitleIndex | null = null,
    /** The WASM scan kernel (null: the TypeScript scan, ~5x slower, same answers). */
    kernel: DotScanKernel | null = null,
    readonly loadedAt = new Date(),
  ) {
    this.size = rows.length;
    this.dim = rows[0]?.embedding.length ?? 0;
    this.scan = kernel ? kernel.index(this.size, this.dim) : null;
    this.matrix = this.scan ? this.scan.matrix : new Float32Array(this.size * this.dim);
    this.avgF32 = new Float32Array(this.size);
    this.movies = new Array(this.size);
    const genres = new Set<string>();
    rows.forEach((r, i) => {
      if (r.embedding.length !== this.dim)
        throw new Error(`run ${run.id}: movie ${r.movieId} has a ${r.embedding.length}-d embedding, others ${this.dim}-d`);
      this.matrix.set(r.embedding, i * this.dim);
      this.rowOf.set(r.movieId, i);
      this.avgF32[i] = r.averageRating;
      this.movies[i] = toMovieView(r);
      for (const g of r.genres) genres.add(g);
    });
    normalizeRows(this.matrix, this.size, this.dim);
    this.genres = [...genres].sort();
  }

  /** Forgets every cached title, answer and response (the benchmark's cold start). */
  clearCaches(): void {
    this.titleCache.clear();
    this.answerCache.clear();
    this.responseCache.clear();
  }

  get runId(): number {
    return this.run.id;
  }

  has(movieId: number): boolean {
    return this.rowOf.has(movieId);
  }

  movie(movieId: number): MovieView | undefined {
    const r = this.rowOf.get(movieId);
    return r === undefined ? undefined : this.movies[r];
  }

  /** Unit-length embedding of a movie of this run (a view, do not modify). */
  vector(movieId: number): Float32Array {
    const r = this.rowOf.get(movieId)!;
    return this.matrix.subarray(r * this.dim, (r + 1) * this.dim);
  }

  /**
   * Exact cosine neighbours of `query` (any vector; cosine is scale-free so it need
   * not be unit length for ranking, but similarity values assume it is), filter
   * applied (normalised: canonical genres; minRatingCount defaults to the floor),
   * `exclude` ids left out. Ties: lower movie id first, as the SQL path.
   */
  neighbours(query: ArrayLike<number>, k: number, filter: MovieFilter, exclude: readonly number[]): SimilarMovie[] {
    const excludedRows = new Set<number>();
    for (const id of exclude) {
      const r = this.rowOf.get(id);
      if (r !== undefined) excludedRows.add(r);
    }
    const passes = this.filterOf(filter);
    // Only rows that would enter the top k are checked, so the object per check is cheap.
    const rejected = (r: number): boolean => excludedRows.has(r) || !passes(r);
    const { indices, scores } = this.scan
      ? this.scan.topK(query, k, { exclude: rejected })
      : topKByDot(this.matrix, this.size, this.dim, query, k, { exclude: rejected });
    const out: SimilarMovie[] = new Array(indices.length);
    for (let i = 0; i < indices.length; i++) out[i] = { movie: this.movies[indices[i]], similarity: scores[i] };
    return out;
  }

  /**
   * similarMovies: the k films nearest `movieId` (itself excluded) that pass `filter`,
   * exactly `neighbours(vector(movieId), k, filter, [movieId])`. From the basis's list
   * when it holds k passing films (or every other film), else by the exact scan.
   * The list is the unfiltered order (score, then lower row), so its first k passing
   * entries are the filtered top k; similarities are re-scored as the scan scores them.
   */
  similarTo(movieId: number, k: number, filter: MovieFilter, basis: NeighbourBasis = 'taste'): SimilarMovie[] {
    const lists = this.lists.get(basis);
    const r = this.rowOf.get(movieId);
    if (!lists || r === undefined || k > lists.n) {
      this.listUse.scan++;
      return this.neighbours(this.vector(movieId), k, filter, [movieId]);
    }
    const passes = this.filterOf(filter);
    const out: SimilarMovie[] = [];
    const len = lists.len[r];
    for (let i = 0, o = r * lists.n; i < len && out.length < k; i++) {
      const c = lists.rows[o + i];
      if (passes(c)) out.push({ movie: this.movies[c], similarity: scanDot(this.matrix, this.dim, r, c) });
    }
    if (out.length === k || len === this.size - 1) {
      this.listUse.list++;
      return out;
    }
    this.listUse.fallback++;
    return this.neighbours(this.vector(movieId), k, filter, [movieId]);
  }

  /** Whether this snapshot answers `basis` from precomputed lists, and their length. */
  listLength(basis: NeighbourBasis = 'taste'): number | null {
    return this.lists.get(basis)?.n ?? null;
  }

  /**
   * Attaches a basis's precomputed lists (movie ids, best first) before the snapshot is
   * published: `add` each film's list, then `finish`. Refused, with what is wrong, unless
   * they cover exactly this run's films, each list as long as the run allows
   * (min(N, films - 1)), ids known, the film itself absent: lists that do not fit would
   * give wrong answers, so the store then keeps scanning. Kept as row indices
   * (N x 4 bytes per film), filled as they arrive so nothing else is held meanwhile.
   */
  neighbourListBuilder(basis: NeighbourBasis): { add(movieId: number, ids: ArrayLike<number>, length?: number): void; finish(): void } {
    const bad = (why: string) => new Error(`run ${this.runId}: ${basis} neighbour lists not used: ${why}`);
    let lists: RowLists | null = null,
      films = 0,
      want = 0;
    return {
      add: (movieId, ids, length = ids.length) => {
        if (!lists) {
          if (length < 1) throw bad('the lists are empty');
          lists = { n: length, rows: new Int32Array(this.size * length).fill(-1), len: new Int32Array(this.size) };
          want = Math.min(length, this.size - 1);
        }
        const r = this.rowOf.get(movieId);
        if (r === undefined) throw bad(`film ${movieId} is not in the run`);
        if (length !== want) throw bad(`film ${movieId} has ${length} neighbours, expected ${want}`);
        if (lists.len[r] !== 0) throw bad(`film ${movieId} has two lists`);
        for (let i = 0; i < length; i++) {
          const c = this.rowOf.get(ids[i]);
          if (c === undefined || c === r) throw bad(`film ${movieId}'s neighbour ${ids[i]} is ${c === r ? 'itself' : 'not in the run'}`);
          lists.rows[r * lists.n + i] = c;
        }
        lists.len[r] = length;
        films++;
      },
      finish: () => {
        if (!lists || films !== this.size) throw bad(`${films} lists for ${this.size} films`);
        this.lists.set(basis, lists);
      },
    };
  }

  /** `neighbourListBuilder` over whole lists (tests, small runs). */
  attachNeighbourLists(basis: NeighbourBasis, lists: readonly { movieId: number; neighbourIds: readonly number[] }[]): void {
    const b = this.neighbourListBuilder(basis);
    for (const l of lists) b.add(l.movieId, l.neighbourIds);
    b.finish();
  }

  /**
   * The domain's filter rule as a row predicate, with the floor made explicit and
   * averages compared as the float32 SQL stores (average_rating is real), so every path
   * keeps the same films.
   */
  private filterOf(filter: MovieFilter): (r: number) => boolean {
    const f: MovieFilter = {
      ...filter,
      minAverageRating:
        filter.minAverageRating === null || filter.minAverageRating === undefined ? null : Math.fround(filter.minAverageRating),
      minRatingCount: minRatingCountOf(filter),
    };
    const movies = this.movies,
      avg = this.avgF32;
    return (r) => {
      const m = movies[r];
      return movieMatchesFilter({ genres: m.genres, year: m.year, ratingCount: m.ratingCount, averageRating: avg[r] }, f);
    };
  }

  /** Mean of the unit-length embeddings of `movieIds` (the "mood" query), made unit length. */
  meanVector(movieIds: readonly number[]): Float64Array {
    const q = new Float64Array(this.dim);
    for (const id of movieIds) {
      const v = this.vector(id);
      for (let j = 0; j < this.dim; j++) q[j] += v[j];
    }
    let n = 0;
    for (let j = 0; j < this.dim; j++) n += q[j] * q[j];
    n = Math.sqrt(n);
    if (n > 0) for (let j = 0; j < this.dim; j++) q[j] /= n;
    return q;
  }
}
