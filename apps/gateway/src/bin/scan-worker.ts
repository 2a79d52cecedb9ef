// The gateway's scan thread (bundled to dist/apps/gateway/scan-worker.js; tests load this
// source through tsx): given the compiled scan kernel once, then indices to attach (lane 1
// of the snapshot's shared memory, nothing copied) and scans to run, each answered with
// its top k (transferred) on the reply port it was given. See ../model/scan-thread.ts.
import { parentPort, type MessagePort } from 'node:worker_threads';
import { DotScanKernel, type DotScanIndex } from '@cinemap/math';
import type { ScanMessage, ScanReply } from '../model/scan-thread';

let kernel: DotScanKernel | null = null;
let replies: MessagePort | null = null;
const indices = new Map<number, DotScanIndex>();

function reply(m: ScanReply, transfer: ArrayBuffer[] = []): void {
  replies?.postMessage(m, transfer);
}

parentPort?.on('message', (m: ScanMessage) => {
  switch (m.type) {
    case 'init':
      kernel = new DotScanKernel(m.scan, m.relaxed);
      replies = m.replies;
      reply({ type: 'ready' });
      return;
    case 'attach':
      indices.set(m.id, kernel!.attach(m.shared, 1));
      return;
    case 'forget':
      indices.delete(m.id);
      return;
    case 'scan': {
      const index = indices.get(m.id);
      if (!index) return reply({ type: 'unknown', seq: m.seq });
      try {
        const found = index.topKOfRowsScreened(m.query, m.k, m.rows, { exclude: new Set(m.exclude) });
        reply({ type: 'found', seq: m.seq, indices: found.indices, scores: found.scores }, [
          found.indices.buffer as ArrayBuffer,
          found.scores.buffer as ArrayBuffer,
        ]);
      } catch (e) {
        reply({ type: 'failed', seq: m.seq, message: (e as Error).message });
      }
    }
  }
});
