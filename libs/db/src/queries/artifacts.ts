// model_artifacts: a run's files (the ONNX scorer and similarity graphs), by kind.
import type { Queryable } from '../db';

export async function saveModelArtifact(q: Queryable, runId: number, kind: string, bytes: Uint8Array): Promise<void> {
  await q.query(
    'INSERT INTO model_artifacts (run_id, kind, bytes) VALUES ($1, $2, $3) ON CONFLICT (run_id, kind) DO UPDATE SET bytes = EXCLUDED.bytes',
    [runId, kind, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)],
  );
}

/** A run's stored artifact (e.g. 'onnx-scorer'), or null. */
export async function loadModelArtifact(q: Queryable, runId: number, kind: string): Promise<Uint8Array | null> {
  const rows = await q.query<{ bytes: Uint8Array }>('SELECT bytes FROM model_artifacts WHERE run_id = $1 AND kind = $2', [runId, kind]);
  return rows[0] ? new Uint8Array(rows[0].bytes) : null;
}
