// model_artifacts: a run's files (the ONNX scorer and similarity graphs), by kind.
import type { Queryable } from '../db';

export async function saveModelArtifact(q: Queryable, runId: number, kind: string, bytes: Uint8Array): Promise<void> {
  await q.query(
    'INSERT INTO model_artifacts (run_id, kind, bytes) VALUES ($1, $2, $3) ON CONFLICT (run_id, kind) DO UPDATE SET bytes = EXCLUDED.bytes',
    [runId, kind, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)],
  );
}

/** The size in bytes of a run's stored artifact, or null when it has none (reads no bytes). */
export async function modelArtifactSize(q: Queryable, runId: number, kind: string): Promise<number | null> {
  const rows = await q.query<{ n: number }>('SELECT octet_length(bytes) AS n FROM model_artifacts WHERE run_id = $1 AND kind = $2', [
    runId,
    kind,
  ]);
  return rows.length ? Number(rows[0].n) : null;
}

/** Bytes of an artifact per row read (its hex text fits the driver's 64 KiB socket reads), and rows per query. */
const ARTIFACT_SLICE = 16 * 1024;
const ARTIFACT_SLICES_PER_QUERY = 64;

/**
 * A run's stored artifact (e.g. 'onnx-scorer'), or null. Read as hex text in slices of
 * ARTIFACT_SLICE bytes, decoded straight into one array of its size: read whole as one
 * bytea, an 18 MB scorer cost its hex text (36 MB), the driver's receive buffer doubled up
 * to 64 MB and two copies — ~100 MB that the allocator kept after the load (gateway RSS).
 */
export async function loadModelArtifact(q: Queryable, runId: number, kind: string): Promise<Uint8Array | null> {
  // xmin: the row version, so that slices read by different statements are known to be of one version.
  const head = await q.query<{ n: number; v: string }>(
    'SELECT octet_length(bytes) AS n, xmin::text AS v FROM model_artifacts WHERE run_id = $1 AND kind = $2',
    [runId, kind],
  );
  if (!head.length) return null;
  const { n, v } = head[0];
  const out = new Uint8Array(n);
  const step = ARTIFACT_SLICE * ARTIFACT_SLICES_PER_QUERY;
  for (let at = 0; at < n; at += step) {
    const end = Math.min(at + step, n);
    const rows = await q.query<{ at: number; part: string; v: string }>(
      `SELECT s - 1 AS at, encode(substring(bytes FROM s FOR $3), 'hex') AS part, xmin::text AS v
       FROM model_artifacts, generate_series($4::integer, $5::integer, $3::integer) AS s
       WHERE run_id = $1 AND kind = $2 ORDER BY s`,
      [runId, kind, ARTIFACT_SLICE, at + 1, end],
    );
    let next = at;
    for (const r of rows) {
      if (r.v !== v || r.at !== next || r.part.length !== 2 * Math.min(ARTIFACT_SLICE, n - next)) break;
      next += hexInto(r.part, out, next);
    }
    // Replaced meanwhile (saveModelArtifact rewrites a kind): no mixed bytes; the caller retries.
    if (next !== end) throw new Error(`run ${runId}'s ${kind} artifact changed while it was read`);
  }
  return out;
}

/** Nibble of an ASCII hex digit (-1: not one). */
const NIBBLE = Int8Array.from({ length: 128 }, (_, c) =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1,
);

/** Decodes `hex` (an even number of hex digits) into `out` at `at`; returns the bytes written. */
function hexInto(hex: string, out: Uint8Array, at: number): number {
  const bytes = hex.length >> 1;
  for (let i = 0; i < bytes; i++) {
    const hi = NIBBLE[hex.charCodeAt(2 * i) & 127],
      lo = NIBBLE[hex.charCodeAt(2 * i + 1) & 127];
    if (hi < 0 || lo < 0) throw new Error(`artifact: not hex at character ${2 * i}`);
    out[at + i] = (hi << 4) | lo;
  }
  return bytes;
}
