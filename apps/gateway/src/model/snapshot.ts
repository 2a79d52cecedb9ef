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
import { blendRows, normalizeRows, scanDot, topKByDot, type DotScanIndex, type DotScanKernel, type TopKResult } from '@cinemap/math';
import type { NeighbourBasis, ServedModelRun, RunMovieRow } from '@cinemap/db';
import { IdIndex } from './id-index';
import { toMovieView, type MovieView } from '../graphql/types/movie.type';
import type { SimilarMovie } from '../graphql/types/similar-movie.type';
import type { ScorerSlot } from './scorer';
import { ScanThread } from './scan-thread';

const CACHE_LIMIT = 20_000;
/** Bytes of passing-row lists kept per snapshot (about 70 lists that keep every film of 86k; most filters keep far fewer). */
const PASSING_ROWS_BUDGET = 24 * 2 ** 20;

/** Bits of a cache's doorkeeper (2^20: 128 KB; a key's mark is one bit chosen by its hash). */
const DOOR_BITS = 20;

/**
 * A Map that forgets everything when it grows past `limit` (cheap, bounded), and that keeps
 * a value only the second time it is offered under its key (admission by a doorkeeper, as
 * TinyLFU's): the first `set` of a key marks one bit chosen by the key's hash and stores
 * nothing. Most keys of a long tail are asked once; kept, each would survive V8's young
 * generation and be copied, then promoted, for nothing — with every title different, that
 * retention made each scavenge copy ~6 MB and pause ~13 ms, every 150 ms (the p99). A hash
 * collision admits a key on its first `set` (harmless: it is only kept). The marks are
 * forgotten after 4 × limit of them, so a key needs its two requests within that window.
 */
export class BoundedCache<V> {
  private map = new Map<string, V>();
  private readonly seen = new Uint32Array(2 ** (DOOR_BITS - 5));
  private marks = 0;
  constructor(private readonly limit = CACHE_LIMIT) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, value: V): void {
    const h = fnv1a(key) >>> (32 - DOOR_BITS);
    const word = h >>> 5,
      bit = 1 << (h & 31);
    if (!(this.seen[word] & bit)) {
      this.seen[word] |= bit;
      if (++this.marks > 4 * this.limit) {
        this.seen.fill(0);
        this.marks = 0;
      }
      return;
    }
    if (this.map.size >= this.limit) this.map.clear();
    this.map.set(key, value);
  }
  /** Forgets every value and every mark. */
  clear(): void {
    this.map.clear();
    this.seen.fill(0);
    this.marks = 0;
  }
  get size(): number {
    return this.map.size;
  }
}

/** 32-bit FNV-1a of a string's UTF-16 code units. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A whole GraphQL response that depends only on the run and the request body. */
export interface CachedResponse {
  text: string;
  contentType: string;
  operation: string;
}

/**
 * One basis's lists in row terms: `row(r, i)` is row r's i-th neighbour row (best first),
 * `len[r]` how many it holds. A row number takes 3 bytes (catalogues under 2^24 films;
 * 4 beyond): 86k films x 100 neighbours hold 26 MB per basis instead of 34.
 */
export class RowLists {
  readonly len: Int32Array;
  private readonly packed: Uint8Array | null;
  private readonly wide: Int32Array | null;
  constructor(
    readonly n: number,
    films: number,
    /** 3 bytes a row number (default: whenever every row fits). */
    narrow = films <= 2 ** 24,
  ) {
    this.len = new Int32Array(films);
    this.packed = narrow ? new Uint8Array(films * n * 3) : null;
    this.wide = narrow ? null : new Int32Array(films * n);
  }
  row(r: number, i: number): number {
    const p = this.packed;
    if (p === null) return this.wide![r * this.n + i];
    const o = (r * this.n + i) * 3;
    return p[o] | (p[o + 1] << 8) | (p[o + 2] << 16);
  }
  set(r: number, i: number, row: number): void {
    const p = this.packed;
    if (p === null) {
      this.wide![r * this.n + i] = row;
      return;
    }
    const o = (r * this.n + i) * 3;
    p[o] = row & 255;
    p[o + 1] = (row >> 8) & 255;
    p[o + 2] = row >> 16;
  }
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
    /** Threads that scan it at once (2 with a scan thread: the event loop's lane and the thread's). */
    lanes = 1,
  ) {
    this.scan = kernel ? kernel.index(size, dim, { lanes }) : null;
    this.matrix = this.scan ? this.scan.matrix : new Float32Array(size * dim);
  }
  /** Unit rows, and the scan's int8 copy of them (the screened scan's first pass). */
  normalize(): this {
    normalizeRows(this.matrix, this.size, this.dim);
    this.scan?.prepareScreen();
    return this;
  }
}

/** Rows of the blend computed at a time (blendRows over a block: the same values as over the whole matrix, without a whole-matrix temporary). */
const BLEND_BLOCK = 4096;

/**
 * What a snapshot is built from, read a page at a time (the store's load): the run's movies
 * in movie id order (`addMovie`, exactly `size` of them), then its audience vectors
 * (`addAudience`, any order; none for a run trained before them), then `finish`. Each
 * movie goes straight into the matrices and the catalogue, so no row read from the
 * database outlives its page: with 86k rows held whole (vectors, title keys) until the
 * snapshot was built, the heap stood at ~250 MB after the load, ~100 MB of it live.
 */
export class SnapshotBuilder {
  private taste: BasisMatrix | null = null;
  private audience: BasisMatrix | null = null;
  /** Rows that have an audience vector (only while one is being added). */
  private audienceSeen: Uint8Array | null = null;
  private audienceRows = 0;
  private readonly ids: Int32Array;
  private rowIndex: IdIndex | null = null;
  private readonly movies: MovieView[];
  private readonly norms: Float64Array;
  private readonly biases: Float32Array;
  private readonly avgF32: Float32Array;
  /** One genres array per distinct list (a few hundred in a catalogue), shared by the films that have it. */
  private readonly genreLists = new Map<string, string[]>();
  private filled = 0;
  private bases: Map<SimilarityBasis, BasisMatrix> | null = null;
  /** The scan thread (with the kernel only), and so how many lanes each basis's scan memory has. */
  private readonly scanThread: ScanThread | null;
  private readonly lanes: number;
  /** Taste's weight in the blend (the run's params.blendWeight). */
  private readonly weight: number;

  constructor(
    readonly run: ServedModelRun,
    /** How many movies will be added. */
    readonly size: number,
    /** The WASM scan kernel (null: the TypeScript scan, ~5x slower, same answers). */
    private readonly kernel: DotScanKernel | null = null,
    /** Where the snapshot's moods scan (null: on the event loop). Used only with `kernel`. */
    scanThread: ScanThread | null = null,
  ) {
    this.scanThread = kernel ? scanThread : null;
    this.lanes = this.scanThread ? ScanThread.LANES : 1;
    this.ids = new Int32Array(size);
    this.movies = new Array<MovieView>(size);
    this.norms = new Float64Array(size);
    this.biases = new Float32Array(size);
    this.avgF32 = new Float32Array(size);
    this.weight = Number(run.params.blendWeight ?? DEFAULT_BLEND_WEIGHT);
  }

  /** The next movie (ascending movie id); `r.embedding` is read now, not kept, and `r.genres` may be replaced by an equal shared list. */
  addMovie(r: RunMovieRow): void {
    const i = this.filled;
    if (i === this.size) throw new Error(`run ${this.run.id}: more than the ${this.size} movies announced`);
    if (i > 0 && !(r.movieId > this.ids[i - 1]))
      throw new Error(`run ${this.run.id}: movie ${r.movieId} after ${this.ids[i - 1]} (movies come in ascending id order)`);
    const dim = r.embedding.length;
    const taste = (this.taste ??= new BasisMatrix(this.size, dim, this.kernel, this.lanes));
    if (dim !== taste.dim) throw new Error(`run ${this.run.id}: movie ${r.movieId} has a ${dim}-d embedding, others ${taste.dim}-d`);
    taste.matrix.set(r.embedding, i * dim);
    let sq = 0;
    for (let j = 0; j < dim; j++) sq += r.embedding[j] * r.embedding[j];
    this.norms[i] = Math.sqrt(sq);
    this.biases[i] = r.bias;
    this.ids[i] = r.movieId;
    this.avgF32[i] = r.averageRating;
    const key = JSON.stringify(r.genres);
    const genres = this.genreLists.get(key);
    if (genres) r.genres = genres;
    else this.genreLists.set(key, r.genres);
    this.movies[i] = toMovieView(r);
    this.filled++;
  }

  /** A movie's audience vector (read now, not kept); one of a movie not in the run is ignored, as a lookup by id never reaches it. */
  addAudience(movieId: number, v: ArrayLike<number>): void {
    this.checkFilled();
    if (this.bases) throw new Error(`run ${this.run.id}: an audience vector after the bases were built`);
    const aud = (this.audience ??= new BasisMatrix(this.size, v.length, this.kernel, this.lanes));
    const seen = (this.audienceSeen ??= new Uint8Array(this.size));
    const r = this.rows().get(movieId);
    if (r === undefined) return;
    if (v.length !== aud.dim)
      throw new Error(`run ${this.run.id}: movie ${movieId} has a ${v.length}-d audience vector, others ${aud.dim}-d`);
    if (!seen[r]) this.audienceRows++;
    seen[r] = 1;
    aud.matrix.set(v, r * aud.dim);
  }

  /**
   * Each basis's unit rows (and int8 copies), the blend of the raw taste rows with the
   * audience ones by the run's recorded weight (blendRows, the trainer's own): after the
   * last `addAudience`, before `finish` (which calls it when not done). The store calls it
   * before it reads the title keys: the allocator then still returns the blend's scratch blocks.
   */
  buildBases(): void {
    if (this.bases) return;
    this.checkFilled();
    const taste = this.taste ?? new BasisMatrix(this.size, 0, this.kernel, this.lanes);
    const bases = new Map<SimilarityBasis, BasisMatrix>();
    const aud = this.audience;
    if (aud) {
      if (this.audienceRows < this.size) {
        const r = this.audienceSeen!.indexOf(0);
        throw new Error(`run ${this.run.id}: movie ${this.ids[r]} has no audience vector, others ${aud.dim}-d`);
      }
      this.audienceSeen = null;
      const dim = taste.dim,
        da = aud.dim;
      const blend = new BasisMatrix(this.size, dim + da, this.kernel, this.lanes);
      for (let r0 = 0; r0 < this.size; r0 += BLEND_BLOCK) {
        const r1 = Math.min(this.size, r0 + BLEND_BLOCK);
        const rows = blendRows(
          taste.matrix.subarray(r0 * dim, r1 * dim),
          dim,
          aud.matrix.subarray(r0 * da, r1 * da),
          da,
          r1 - r0,
          this.weight,
        );
        blend.matrix.set(rows, r0 * (dim + da));
      }
      bases.set('audience', aud.normalize());
      bases.set('blend', blend.normalize());
    }
    bases.set('taste', taste.normalize());
    // A run trained before audience vectors existed: the blend of taste with an absent
    // (zero) audience part is the taste cosine, as blendRows and SQL similar_movies() define it.
    if (!bases.has('blend')) bases.set('blend', taste);
    this.bases = bases;
  }

  /** The snapshot (see `buildBases`). */
  finish(scorer: ScorerSlot | null, titles: TitleIndex | null = null, loadedAt = new Date()): ModelSnapshot {
    this.buildBases();
    const genres = new Set<string>();
    for (const list of this.genreLists.values()) for (const g of list) genres.add(g);
    return new ModelSnapshot({
      run: this.run,
      scorer,
      titles,
      loadedAt,
      bases: this.bases!,
      blendWeight: this.audience ? this.weight : null,
      movies: this.movies,
      rowOf: this.rows(),
      norms: this.norms,
      biases: this.biases,
      genres: [...genres].sort(),
      columns: new FilterColumns(this.movies, this.avgF32),
      scanThread: this.scanThread,
    });
  }

  private checkFilled(): void {
    if (this.filled !== this.size) throw new Error(`run ${this.run.id}: ${this.filled} movies added of the ${this.size} announced`);
  }

  private rows(): IdIndex {
    return (this.rowIndex ??= new IdIndex(this.ids));
  }
}

/** What a ModelSnapshot is made of (SnapshotBuilder.finish). */
interface SnapshotParts {
  run: ServedModelRun;
  scorer: ScorerSlot | null;
  titles: TitleIndex | null;
  loadedAt: Date;
  bases: Map<SimilarityBasis, BasisMatrix>;
  blendWeight: number | null;
  movies: MovieView[];
  rowOf: IdIndex;
  norms: Float64Array;
  biases: Float32Array;
  genres: string[];
  columns: FilterColumns;
  scanThread: ScanThread | null;
}

export class ModelSnapshot {
  readonly run: ServedModelRun;
  /** The run's ONNX scorer, loaded on first use (null: the run has none). */
  readonly scorer: ScorerSlot | null;
  /** The catalogue's titles as of this snapshot's load (null: resolve in SQL). */
  readonly titles: TitleIndex | null;
  readonly loadedAt: Date;
  /** The taste basis's width (the run's --factors). */
  readonly dim: number;
  readonly size: number;
  /** The taste basis: row-major, unit-length rows, in movie id order (inside the scan kernel's memory when there is one). */
  readonly matrix: Float32Array;
  private readonly bases: Map<SimilarityBasis, BasisMatrix>;
  /** Taste's weight in the blend (the run's params.blendWeight), null without audience vectors. */
  readonly blendWeight: number | null;
  readonly movies: MovieView[];
  /** Movie id → row. */
  private readonly rowOf: IdIndex;
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
  /** Where `scanNeighbours` runs its scans (null: here). */
  private readonly scanThread: ScanThread | null;

  /** A snapshot of `rows` (movie id order) and the run's audience vectors by movie id (null: a run trained before them). */
  static fromRows(
    run: ServedModelRun,
    rows: readonly RunMovieRow[],
    scorer: ScorerSlot | null,
    titles: TitleIndex | null = null,
    kernel: DotScanKernel | null = null,
    loadedAt = new Date(),
    audience: ReadonlyMap<number, ArrayLike<number>> | null = null,
  ): ModelSnapshot {
    const b = new SnapshotBuilder(run, rows.length, kernel);
    for (const r of rows) b.addMovie(r);
    if (audience) for (const [id, v] of audience) b.addAudience(id, v);
    return b.finish(scorer, titles, loadedAt);
  }

  constructor(parts: SnapshotParts) {
    this.run = parts.run;
    this.scorer = parts.scorer;
    this.titles = parts.titles;
    this.loadedAt = parts.loadedAt;
    this.bases = parts.bases;
    const taste = parts.bases.get('taste')!;
    this.dim = taste.dim;
    this.size = taste.size;
    this.matrix = taste.matrix;
    this.blendWeight = parts.blendWeight;
    this.movies = parts.movies;
    this.rowOf = parts.rowOf;
    this.norms = parts.norms;
    this.biases = parts.biases;
    this.genres = parts.genres;
    this.columns = parts.columns;
    this.scanThread = parts.scanThread;
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
    return this.rowsAsMovies(
      b.scan
        ? b.scan.topKOfRowsScreened(query, k, this.passingRows(filter), { exclude: this.excludedRows(exclude) })
        : topKByDot(b.matrix, this.size, b.dim, query, k, { exclude: this.rejection(filter, exclude) }),
    );
  }

  /** A scan's rows and scores as the answer's neighbours. */
  private rowsAsMovies({ indices, scores }: TopKResult): SimilarMovie[] {
    const out: SimilarMovie[] = new Array(indices.length);
    for (let i = 0; i < indices.length; i++) out[i] = { movie: this.movies[indices[i]], similarity: scores[i] };
    return out;
  }

  /**
   * `neighbours`, the same answer bit for bit, with the scan on the scan thread when the
   * snapshot has one that is up (moods: a whole-basis scan each, which would hold up every
   * other request on the event loop meanwhile); else here.
   */
  async scanNeighbours(
    query: Float64Array,
    k: number,
    filter: MovieFilter,
    exclude: readonly number[],
    basis: SimilarityBasis = 'taste',
  ): Promise<SimilarMovie[]> {
    const scan = this.basis(basis).scan;
    if (!this.scanThread || !scan) return this.neighbours(query, k, filter, exclude, basis);
    return this.rowsAsMovies(await this.scanThread.topK(scan, query, k, this.passingRows(filter), this.excludedRows(exclude)));
  }

  /** Tells the scan thread this snapshot is no longer served (the store, after a swap): its scans, if any still come, run here. */
  forgetScans(): void {
    if (this.scanThread) for (const b of new Set(this.bases.values())) if (b.scan) this.scanThread.forget(b.scan);
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
      // In shared memory where a scan thread reads them: posted to it without a copy.
      if (this.scanThread) {
        const shared = new Int32Array(new SharedArrayBuffer(rows.byteLength));
        shared.set(rows);
        rows = shared;
      }
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
    for (let i = 0; i < len && out.length < k; i++) {
      const c = lists.row(r, i);
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
          lists = new RowLists(length, this.size);
          want = Math.min(length, this.size - 1);
        }
        const r = this.rowOf.get(movieId);
        if (r === undefined) throw bad(`film ${movieId} is not in the run`);
        if (length !== want) throw bad(`film ${movieId} has ${length} neighbours, expected ${want}`);
        if (lists.len[r] !== 0) throw bad(`film ${movieId} has two lists`);
        for (let i = 0; i < length; i++) {
          const c = this.rowOf.get(ids[i]);
          if (c === undefined || c === r) throw bad(`film ${movieId}'s neighbour ${ids[i]} is ${c === r ? 'itself' : 'not in the run'}`);
          lists.set(r, i, c);
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
