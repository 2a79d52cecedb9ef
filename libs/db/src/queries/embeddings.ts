// A run's movie and user embeddings (movie_embeddings, user_embeddings), bulk-loaded
// with COPY inside the trainer's write transaction. The per-run HNSW indexes on them
// are ./embedding-indexes.ts.
import { Queryable, csvChunks, csvField, vectorLiteral } from '../db';

export interface EmbeddingRow {
  id: number;
  embedding: ArrayLike<number>;
  bias: number;
  pcs?: readonly [number, number, number];
}

function embeddingCsv(runId: number, rows: Iterable<EmbeddingRow>, withPcs: boolean): Generator<string> {
  return csvChunks(rows, (r) => {
    let line = `${runId},${r.id},${csvField(vectorLiteral(r.embedding))},${csvField(r.bias)}`;
    if (withPcs) line += r.pcs ? `,${csvField(r.pcs[0])},${csvField(r.pcs[1])},${csvField(r.pcs[2])}` : ',,,';
    return line + '\n';
  });
}

/** Bulk-loads a run's movie embeddings (COPY). */
export async function copyMovieEmbeddings(q: Queryable, runId: number, rows: Iterable<EmbeddingRow>): Promise<number> {
  return q.copyFrom('movie_embeddings', ['run_id', 'movie_id', 'embedding', 'bias', 'pc1', 'pc2', 'pc3'], embeddingCsv(runId, rows, true));
}

/** Bulk-loads a run's user embeddings (COPY). */
export async function copyUserEmbeddings(q: Queryable, runId: number, rows: Iterable<EmbeddingRow>): Promise<number> {
  return q.copyFrom('user_embeddings', ['run_id', 'user_id', 'embedding', 'bias'], embeddingCsv(runId, rows, false));
}
