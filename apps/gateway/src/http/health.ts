// /health/live (the process answers) and /health/ready: ready when the database answers
// within 2 s and a model run is served; 503 with the reasons otherwise. A served run
// whose dataset is no longer the active one is still ready (a consistent pair is
// served), but "stale", with a warning naming both, never "ok".
import type { ServerResponse } from 'node:http';
import { pingDatabase, type Db } from '@cinemap/db';
import type { ModelStore } from '../model/model-store';
import { sendJson, withTimeout } from './responses';

export function live(res: ServerResponse): string {
  return sendJson(res, 200, { status: 'ok' }, 'live');
}

export async function ready(res: ServerResponse, db: Db, store: ModelStore): Promise<string> {
  const reasons: string[] = [];
  const dbOk = await withTimeout(pingDatabase(db), 2000).catch(() => false);
  if (!dbOk) reasons.push(`database ${db.location} is not reachable`);
  if (!store.current)
    reasons.push(
      store.lastError ? `the active model run cannot be served: ${store.lastError}` : 'no model run is active (train one: npm run train)',
    );
  const run = store.current?.run ?? null;
  // Ready either way (a consistent pair is served), but never "ok" while a newer dataset waits for its model.
  const stale = run !== null && !store.upToDate;
  const warnings = stale
    ? [
        `dataset ${store.activeDatasetId ?? 'none'} is active, but the model served (run ${run.id}) was trained on dataset ${run.datasetId}: answers come from run ${run.id} and its own catalogue until a run on the new dataset is activated (npm run train)`,
      ]
    : [];
  // Ready (the previous run answers), but never "ok" while the activated run cannot be loaded.
  const notLoaded = run !== null && !store.servingActive;
  if (notLoaded)
    warnings.push(
      store.lastError
        ? `run ${store.activeRunId} is active, but it could not be loaded (${store.lastError}): answers come from run ${run.id} until it loads (retrying with backoff; CINEMAP_MODEL_LOAD_TIMEOUT_MS bounds the load's reads)`
        : `run ${store.activeRunId} is active and loading: answers come from run ${run.id} until it is loaded`,
    );
  const status = reasons.length ? 'unavailable' : stale || notLoaded ? 'stale' : 'ok';
  return sendJson(
    res,
    reasons.length ? 503 : 200,
    {
      status,
      reasons,
      warnings,
      runId: run?.id ?? null,
      activeRunId: store.activeRunId,
      runDatasetId: run?.datasetId ?? null,
      activeDatasetId: store.activeDatasetId,
    },
    'ready',
  );
}
