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
// Each similarity basis (issue 13) has its own matrix: taste (the run's movie factors),
// audience (loaded beside them) and blend, computed here from those two with the run's
// recorded weight by the trainer's own blendRows, so it equals the stored blend column.
import {
  DEFAULT_BLEND_WEIGHT,
  FilterColumns,
  minRatingCountOf,
  type MovieFilter,
  type SimilarityBasis,
  type TitleIndex,
} from '@cinemap/domain';
import { blendRows, normalizeRows, scanDot, topKByDot, type DotScanIndex, type DotScanKernel } from '@cinemap/math';
import type { NeighbourBasis, ServedModelRun, RunMovieRow } from '@cinemap/db';
import { toMovieView, type MovieView } from '../graphql/types/movie.type';
import type { SimilarMovie } from '../graphql/types/similar-movie.type';
import type { RatingScorer } from './scorer';

const CACHE_LIMIT = 20_000;
/** Bytes of passing-row lists kept per snapshot (about 70 lists that keep every film of 86k; most filters keep far fewer). */
const PASSING_ROWS_BUDGET = 24 * 2 ** 20;

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

/** One basis's vectors: row-major unit rows in movie id order, and the scan over them. */
class BasisMatrix {
  readonly scan: DotScanIndex | null;
  readonly matrix: Float32Array;
  constructor(
    readonly size: number,
    readonly dim: number,
    kernel: DotScanKernel | null,
  ) {
    this.scan = kernel ? kernel.index(size, dim) : null;
    this.matrix = this.scan ? this.scan.matrix : new Float32Array(size * dim);
  }
  /** Unit rows, and the scan's int8 copy of them (the screened scan's first pass). */
  normalize(): this {
    normalizeRows(this.matrix, this.size, this.dim);
    this.scan?.prepareScreen();
    return this;
  }
}

export class ModelSnapshot {
  /** The taste basis's width (the run's --factors). */
  readonly dim: number;
  readonly size: number;
  /** The taste basis: row-major, unit-length rows, in movie id order (inside the scan kernel's memory when there is one). */
  readonly matrix: Float32Array;
  private readonly bases = new Map<SimilarityBasis, BasisMatrix>();
  /** Taste's weight in the blend (the run's params.blendWeight), null without audience vectors. */
  readonly blendWeight: number | null;
  readonly movies: MovieView[];
  private readonly rowOf = new Map<number, number>();
  private readonly avgF32: Float32Array;
  /** The filterable fields by row: a filter check without an object per row. */
  private readonly columns: FilterColumns;
  /** Filter (floor explicit) → the rows that pass it, ascending: what a filtered scan reads. */
  private readonly passing = new Map<string, Int32Array>();
  private passingBytes = 0;
  /** Typed title → movie id (or null), per snapshot (the catalogue changes only with a new run). */
  readonly titleCache = new BoundedCache<number | null>();
  /** Normalised similarMovies/similarToMany arguments → answer. */
  readonly answerCache = new BoundedCache<SimilarMovie[]>();
  /** Request body → whole HTTP response of a neighbour query (the HTTP layer's replay). */
  readonly responseCache = new BoundedCache<CachedResponse>();
  /** Genre names present in this run, for validating filters. */
  readonly genres: string[];
  /**
   * Each row's length before normalising, and the movie biases: with the matrix they give
   * the trained factors (row × norm) a visitor is folded in against, without a second
   * copy of the matrix.
   */
  readonly norms: Float64Array;
  readonly biases: Float32Array;
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
    /** The run's audience vectors by movie id (null: a run trained before them). */
    audience: ReadonlyMap<number, Float32Array> | null = null,
  ) {
    this.size = rows.length;
    this.dim = rows[0]?.embedding.length ?? 0;
    const taste = new BasisMatrix(this.size, this.dim, kernel);
    this.matrix = taste.matrix;
    this.avgF32 = new Float32Array(this.size);
    this.norms = new Float64Array(this.size);
    this.biases = new Float32Array(this.size);
    this.movies = new Array(this.size);
    const genres = new Set<string>();
    rows.forEach((r, i) => {
      if (r.embedding.length !== this.dim)
        throw new Error(`run ${run.id}: movie ${r.movieId} has a ${r.embedding.length}-d embedding, others ${this.dim}-d`);
      this.matrix.set(r.embedding, i * this.dim);
      let sq = 0;
      for (let j = 0; j < this.dim; j++) sq += r.embedding[j] * r.embedding[j];
      this.norms[i] = Math.sqrt(sq);
      this.biases[i] = r.bias;
      this.rowOf.set(r.movieId, i);
      this.avgF32[i] = r.averageRating;
      this.movies[i] = toMovieView(r);
      for (const g of r.genres) genres.add(g);
    });
    this.genres = [...genres].sort();
    this.columns = new FilterColumns(
      this.movies.map((m, i) => ({ genres: m.genres, year: m.year, ratingCount: m.ratingCount, averageRating: this.avgF32[i] })),
    );
    const weight = Number(run.params.blendWeight ?? DEFAULT_BLEND_WEIGHT);
    this.blendWeight = audience?.size ? weight : null;
    if (audience?.size) this.addAudience(rows, audience, weight, kernel);
    this.bases.set('taste', taste.normalize());
    // A run trained before audience vectors existed: the blend of taste with an absent
    // (zero) audience part is the taste cosine, as blendRows and SQL similar_movies() define it.
    if (!this.bases.has('blend')) this.bases.set('blend', this.bases.get('taste')!);
  }

  /** The audience matrix from `audience`, and the blend of the raw taste rows (before normalising) with it. */
  private addAudience(
    rows: RunMovieRow[],
    audience: ReadonlyMap<number, Float32Array>,
    weight: number,
    kernel: DotScanKernel | null,
  ): void {
    const da = audience.values().next().value!.length;
    const aud = new BasisMatrix(this.size, da, kernel);
    rows.forEach((r, i) => {
      const v = audience.get(r.movieId);
      if (!v || v.length !== da)
        throw new Error(`run ${this.run.id}: movie ${r.movieId} has ${v ? `a ${v.length}-d` : 'no'} audience vector, others ${da}-d`);
      aud.matrix.set(v, i * da);
    });
    const blend = new BasisMatrix(this.size, this.dim + da, kernel);
    blend.matrix.set(blendRows(this.matrix, this.dim, aud.matrix, da, this.size, weight));
    this.bases.set('audience', aud.normalize());
    this.bases.set('blend', blend.normalize());
  }

  /** Whether this run can answer in `basis` (audience needs audience vectors; blend is taste without them). */
  hasBasis(basis: SimilarityBasis): boolean {
    return this.bases.has(basis);
  }

  private basis(basis: SimilarityBasis): BasisMatrix {
    const b = this.bases.get(basis);
    if (!b) throw new Error(`run ${this.run.id} has no ${basis} vectors`);
    return b;
  }

  /** Forgets every cached title, answer, response and passing-row list (the benchmark's cold start). */
  clearCaches(): void {
    this.passing.clear();
    this.passingBytes = 0;
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

  /** Unit-length vector of a movie of this run in `basis` (a view, do not modify). */
  vector(movieId: number, basis: SimilarityBasis = 'taste'): Float32Array {
    const r = this.rowOf.get(movieId)!;
    const b = this.basis(basis);
    return b.matrix.subarray(r * b.dim, (r + 1) * b.dim);
  }

  /**
   * Exact cosine neighbours of `query` (any vector; cosine is scale-free so it need
   * not be unit length for ranking, but similarity values assume it is), filter
   * applied (normalised: canonical genres; minRatingCount defaults to the floor),
   * `exclude` ids left out. Ties: lower movie id first, as the SQL path.
   */
  neighbours(
    query: ArrayLike<number>,
    k: number,
    filter: MovieFilter,
    exclude: readonly number[],
    basis: SimilarityBasis = 'taste',
  ): SimilarMovie[] {
    const b = this.basis(basis);
    // With the kernel, only the rows that pass the filter are scanned (a restrictive
    // filter, the usual reason to scan at all when lists are loaded, then costs little),
    // first in int8, then exactly for the few rows that can still be in the top k.
    const { indices, scores } = b.scan
      ? b.scan.topKOfRowsScreened(query, k, this.passingRows(filter), { exclude: this.excludedRows(exclude) })
      : topKByDot(b.matrix, this.size, b.dim, query, k, { exclude: this.rejection(filter, exclude) });
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
    const excludedRows = this.excludedRows(exclude);
    const passes = this.filterOf(filter);
    // Only rows that would enter the top k are checked.
    return (r: number): boolean => excludedRows.has(r) || !passes(r);
  }

  private excludedRows(exclude: readonly number[]): Set<number> {
    const rows = new Set<number>();
    for (const id of exclude) {
      const r = this.rowOf.get(id);
      if (r !== undefined) rows.add(r);
    }
    return rows;
  }

  /**
   * The rows passing `filter` (floor explicit), ascending, kept per filter within a byte
   * budget (all forgotten when it is reached: filters in use are few and come back).
   */
  private passingRows(filter: MovieFilter): Int32Array {
    const f = this.explicit(filter);
    const key = JSON.stringify([
      f.genres ? [...f.genres].sort() : null,
      f.excludeGenres ? [...f.excludeGenres].sort() : null,
      f.yearFrom ?? null,
      f.yearTo ?? null,
      f.minAverageRating ?? null,
      f.minRatingCount,
    ]);
    let rows = this.passing.get(key);
    if (!rows) {
      rows = this.columns.passingRows(f);
      if (this.passingBytes + rows.byteLength > PASSING_ROWS_BUDGET) {
        this.passing.clear();
        this.passingBytes = 0;
      }
      this.passing.set(key, rows);
      this.passingBytes += rows.byteLength;
    }
    return rows;
  }

  /**
   * similarMovies: the k films nearest `movieId` (itself excluded) that pass `filter`,
   * exactly `neighbours(vector(movieId), k, filter, [movieId])`. From the basis's list
   * when it holds k passing films (or every other film), else by the exact scan.
   * The list is the unfiltered order (score, then lower row), so its first k passing
   * entries are the filtered top k; similarities are re-scored as the scan scores them.
   */
  similarTo(movieId: number, k: number, filter: MovieFilter, basis: SimilarityBasis = 'taste'): SimilarMovie[] {
    // A run without audience vectors answers BLEND with the taste matrix, so with taste's lists.
    const lists = this.lists.get(this.basis(basis) === this.basis('taste') ? 'taste' : basis);
    const r = this.rowOf.get(movieId);
    if (!lists || r === undefined || k > lists.n) {
      this.listUse.scan++;
      return this.neighbours(this.vector(movieId, basis), k, filter, [movieId], basis);
    }
    const m = this.basis(basis);
    const passes = this.filterOf(filter);
    const out: SimilarMovie[] = [];
    const len = lists.len[r];
    for (let i = 0, o = r * lists.n; i < len && out.length < k; i++) {
      const c = lists.rows[o + i];
      if (passes(c)) out.push({ movie: this.movies[c], similarity: scanDot(m.matrix, m.dim, r, c) });
    }
    if (out.length === k || len === this.size - 1) {
      this.listUse.list++;
      return out;
    }
    this.listUse.fallback++;
    return this.neighbours(this.vector(movieId, basis), k, filter, [movieId], basis);
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
    return this.columns.predicate(this.explicit(filter));
  }

  private explicit(filter: MovieFilter): MovieFilter {
    return {
      ...filter,
      minAverageRating:
        filter.minAverageRating === null || filter.minAverageRating === undefined ? null : Math.fround(filter.minAverageRating),
      minRatingCount: minRatingCountOf(filter),
    };
  }

  /** Mean of the unit-length embeddings of `movieIds` (the "mood" query), made unit length. */
  meanVector(movieIds: readonly number[], basis: SimilarityBasis = 'taste'): Float64Array {
    const dim = this.basis(basis).dim;
    const q = new Float64Array(dim);
    for (const id of movieIds) {
      const v = this.vector(id, basis);
      for (let j = 0; j < dim; j++) q[j] += v[j];
    }
    let n = 0;
    for (let j = 0; j < dim; j++) n += q[j] * q[j];
    n = Math.sqrt(n);
    if (n > 0) for (let j = 0; j < dim; j++) q[j] /= n;
    return q;
  }
}
