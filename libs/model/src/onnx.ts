// ONNX exports of a trained model, built with onnx-proto (the ONNX protobuf schema):
// - the scorer: user_idx, movie_idx (int64[N]) → rating (float[N]), the model's exact
//   prediction, with the index → MovieLens id maps, y_range and run id in metadata;
// - the similarity graph: movie_idx (int64[N]) + k (int64[1]) → scores, indices of
//   the k most cosine-similar movies (Gather → MatMul → TopK over normalised rows;
//   a movie is its own best match, callers drop it);
// - the neighbour-list screen: a block of query rows against the whole matrix
//   (MatMul → TopK → Cast), the float32 screen the trainer's lists are re-scored from.
// Opset 13, IR version 8: what onnxruntime-node 1.30 loads. The one graph builder: the
// trainer exports runs with it and libs/db's test seed stores its scorer with it.
// The gateway's RatingScorer reads ONNX_METADATA back.
import { onnx } from 'onnx-proto';
import { normalizeRows, transposeRows } from '@cinemap/math';
import type { ModelWeights } from './embedding-dot-bias';

/** Metadata keys of an exported scorer (JSON values): the contract between exporter and gateway. */
export const ONNX_METADATA = {
  /** Index → MovieLens user id, a JSON array. */
  userIds: 'cinemap.user_ids',
  /** Index → MovieLens movie id, a JSON array. */
  movieIds: 'cinemap.movie_ids',
  /** [lo, hi] of sigmoid_range. */
  yRange: 'cinemap.y_range',
  runId: 'cinemap.run_id',
} as const;

const OPSET = 13;
const IR_VERSION = 8;
const { FLOAT, INT64 } = onnx.TensorProto.DataType;

function floatTensor(name: string, dims: number[], data: Float32Array): onnx.ITensorProto {
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) };
}
function int64Tensor(name: string, values: number[]): onnx.ITensorProto {
  const raw = new BigInt64Array(values.map((v) => BigInt(v)));
  return { name, dims: [values.length], dataType: INT64, rawData: new Uint8Array(raw.buffer) };
}
function valueInfo(name: string, elemType: number, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}
function node(opType: string, input: string[], output: string[], attribute: onnx.IAttributeProto[] = []): onnx.INodeProto {
  return { opType, input, output, name: `${opType}_${output[0]}`, attribute };
}
/** TopK of `input` along its last axis with the initializer or input `k`: the largest, sorted or not. */
function topKNode(input: string, output: [string, string], sorted: boolean): onnx.INodeProto {
  const int = (name: string, i: number) => ({ name, type: onnx.AttributeProto.AttributeType.INT, i });
  return node('TopK', [input, 'k'], output, [int('axis', -1), int('largest', 1), int('sorted', sorted ? 1 : 0)]);
}
function model(graph: onnx.IGraphProto, metadata: Record<string, string>): Uint8Array {
  const m = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'cinemap',
    producerVersion: '0.1.0',
    graph,
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(m).finish();
}

export interface ScorerMetadata {
  runId: number;
  userIds: ArrayLike<number>;
  movieIds: ArrayLike<number>;
}

/** The rating scorer, exactly pred = sigmoid(U[u]·M[m] + bu[u] + bm[m]) * (hi - lo) + lo. */
export function buildScorerOnnx(p: ModelWeights, meta: ScorerMetadata): Uint8Array {
  const [lo, hi] = p.yRange;
  const graph: onnx.IGraphProto = {
    name: 'cinemap_scorer',
    input: [valueInfo('user_idx', INT64, ['N']), valueInfo('movie_idx', INT64, ['N'])],
    output: [valueInfo('rating', FLOAT, ['N'])],
    initializer: [
      floatTensor('user_factors', [p.nUsers, p.factors], p.userFactors),
      floatTensor('movie_factors', [p.nMovies, p.factors], p.movieFactors),
      floatTensor('user_bias', [p.nUsers], p.userBias),
      floatTensor('movie_bias', [p.nMovies], p.movieBias),
      floatTensor('y_lo', [], new Float32Array([lo])),
      floatTensor('y_span', [], new Float32Array([hi - lo])),
      int64Tensor('axis1', [1]),
    ],
    node: [
      node('Gather', ['user_factors', 'user_idx'], ['u'], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }]),
      node('Gather', ['movie_factors', 'movie_idx'], ['m'], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }]),
      node('Mul', ['u', 'm'], ['um']),
      node('ReduceSum', ['um', 'axis1'], ['dot'], [{ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }]),
      node('Gather', ['user_bias', 'user_idx'], ['ub']),
      node('Gather', ['movie_bias', 'movie_idx'], ['mb']),
      node('Add', ['dot', 'ub'], ['x1']),
      node('Add', ['x1', 'mb'], ['x']),
      node('Sigmoid', ['x'], ['s']),
      node('Mul', ['s', 'y_span'], ['scaled']),
      node('Add', ['scaled', 'y_lo'], ['rating']),
    ],
  };
  return model(graph, {
    [ONNX_METADATA.userIds]: JSON.stringify(Array.from(meta.userIds)),
    [ONNX_METADATA.movieIds]: JSON.stringify(Array.from(meta.movieIds)),
    [ONNX_METADATA.yRange]: JSON.stringify([lo, hi]),
    [ONNX_METADATA.runId]: String(meta.runId),
  });
}

/** Nearest movies by cosine: scores/indices [N, k] for movie_idx [N] and k [1]. */
export function buildSimilarityOnnx(p: ModelWeights, meta: { runId: number; movieIds: ArrayLike<number> }): Uint8Array {
  const n = p.nMovies,
    d = p.factors;
  const normed = normalizeRows(p.movieFactors, n, d, { inPlace: false });
  const transposed = transposeRows(normed, n, d);
  const graph: onnx.IGraphProto = {
    name: 'cinemap_similarity',
    input: [valueInfo('movie_idx', INT64, ['N']), valueInfo('k', INT64, [1])],
    output: [valueInfo('scores', FLOAT, ['N', 'K']), valueInfo('indices', INT64, ['N', 'K'])],
    initializer: [floatTensor('movies_normed', [n, d], normed), floatTensor('movies_normed_t', [d, n], transposed)],
    node: [
      node('Gather', ['movies_normed', 'movie_idx'], ['q'], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }]),
      node('MatMul', ['q', 'movies_normed_t'], ['sim']),
      topKNode('sim', ['scores', 'indices'], true),
    ],
  };
  return model(graph, { [ONNX_METADATA.movieIds]: JSON.stringify(Array.from(meta.movieIds)), [ONNX_METADATA.runId]: String(meta.runId) });
}

/**
 * The float32 screen of the precomputed neighbour lists: `queries` [B, dim] times
 * `matrix_t` [dim, R] (the unit rows, transposed), and per query the `k` best scores
 * (unsorted) and their row numbers as int32 — MatMul → TopK → Cast. The matrix is an input
 * (not an initializer) so one session serves any run of this dim; the trainer re-scores the
 * candidates exactly (@cinemap/math `ScreenSelection`).
 */
export function buildNeighbourScreenOnnx(dim: number, k: number): Uint8Array {
  if (!Number.isInteger(dim) || dim < 1 || !Number.isInteger(k) || k < 1)
    throw new RangeError(`buildNeighbourScreenOnnx: dim and k must be positive integers, got dim=${dim}, k=${k}`);
  const { INT32 } = onnx.TensorProto.DataType;
  const graph: onnx.IGraphProto = {
    name: 'cinemap_neighbour_screen',
    input: [valueInfo('queries', FLOAT, ['B', dim]), valueInfo('matrix_t', FLOAT, [dim, 'R'])],
    output: [valueInfo('scores', FLOAT, ['B', k]), valueInfo('rows', INT32, ['B', k])],
    initializer: [int64Tensor('k', [k])],
    node: [
      node('MatMul', ['queries', 'matrix_t'], ['sim']),
      topKNode('sim', ['scores', 'rows64'], false),
      node('Cast', ['rows64'], ['rows'], [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: INT32 }]),
    ],
  };
  return model(graph, {});
}
