// @cinemap/model: fast.ai's EmbeddingDotBias as data: the learned weights, the
// prediction, and the model's ONNX graphs (scorer, similarity, neighbour-list screen) with the
// metadata contract the gateway reads. Pure (no I/O). The only public door.
export { allocateWeights, initWeights, predict, meanSquaredError, weightsFinite } from './embedding-dot-bias';
export type { ModelWeights, RatingSet } from './embedding-dot-bias';
export { buildNeighbourScreenOnnx, buildScorerOnnx, buildSimilarityOnnx, ONNX_METADATA } from './onnx';
export type { ScorerMetadata } from './onnx';
