// One immutable view of the active model run: its movies' normalised embeddings as a
// row-major matrix (exact cosine top-k by a dot-product scan, the served fast path:
// the WASM SIMD kernel of @cinemap/math when the store passes one, else topKByDot;
// both give the same answer bit for bit),
// the movies ready to return, the ONNX scorer, and per-run answer caches. A request
// takes the current snapshot once and uses only it, so a hot swap never mixes runs:
// in-flight requests finish on the old snapshot while new ones see the new one.
import { minRatingCountOf, movieMatchesFilter, type MovieFilter, type TitleIndex } from '@cinemap/domain';
import { normalizeRows, topKByDot, type DotScanIndex, type DotScanKernel } from '@cinemap/math';
import type { ServedModelRun, RunMovieRow } from '@cinemap/db';
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
  /** The trained (not normalised) movie factors, row-major in the matrix's row order, and the movie biases: what a visitor is folded in against. */
  readonly factors: Float32Array;
  readonly biases: Float32Array;

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
    this.factors = new Float32Array(this.size * this.dim);
    this.biases = new Float32Array(this.size);
    this.movies = new Array(this.size);
    const genres = new Set<string>();
    rows.forEach((r, i) => {
      if (r.embedding.length !== this.dim)
        throw new Error(`run ${run.id}: movie ${r.movieId} has a ${r.embedding.length}-d embedding, others ${this.dim}-d`);
      this.matrix.set(r.embedding, i * this.dim);
      this.factors.set(r.embedding, i * this.dim);
      this.biases[i] = r.bias;
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

  /** The matrix row of a movie of this run (undefined: not in it). */
  rowOfMovie(movieId: number): number | undefined {
    return this.rowOf.get(movieId);
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
    const rejected = this.rejection(filter, exclude);
    const { indices, scores } = this.scan
      ? this.scan.topK(query, k, { exclude: rejected })
      : topKByDot(this.matrix, this.size, this.dim, query, k, { exclude: rejected });
    const out: SimilarMovie[] = new Array(indices.length);
    for (let i = 0; i < indices.length; i++) out[i] = { movie: this.movies[indices[i]], similarity: scores[i] };
    return out;
  }

  /**
   * Which rows a list leaves out: those failing `filter` (the domain's rule, floor
   * explicit) and the movies `exclude` names. Shared by every list served from the
   * matrix (neighbours, visitor recommendations), so they filter alike.
   */
  rejection(filter: MovieFilter, exclude: readonly number[]): (row: number) => boolean {
    const excludedRows = new Set<number>();
    for (const id of exclude) {
      const r = this.rowOf.get(id);
      if (r !== undefined) excludedRows.add(r);
    }
    // The domain's filter rule, with the floor made explicit and averages compared as
    // the float32 SQL stores (average_rating is real), so both paths keep the same films.
    const f: MovieFilter = {
      ...filter,
      minAverageRating:
        filter.minAverageRating === null || filter.minAverageRating === undefined ? null : Math.fround(filter.minAverageRating),
      minRatingCount: minRatingCountOf(filter),
    };
    const movies = this.movies,
      avg = this.avgF32;
    // Only rows that would enter the top k are checked, so the object per check is cheap.
    const rejected = (r: number): boolean => {
      if (excludedRows.has(r)) return true;
      const m = movies[r];
      return !movieMatchesFilter({ genres: m.genres, year: m.year, ratingCount: m.ratingCount, averageRating: avg[r] }, f);
    };
    return rejected;
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
