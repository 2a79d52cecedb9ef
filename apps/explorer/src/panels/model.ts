// The model card: the active run's facts and its validation RMSE per epoch (../model-card.ts reads them).
import { graphql } from '../api/client';
import { MODEL_QUERY } from '../api/queries';
import type { Elements } from '../elements';
import { modelCard } from '../model-card';
import { fill, h } from '../ui/dom';
import { drawLossChart } from '../ui/loss-chart';

export async function loadModelCard(els: Elements): Promise<void> {
  try {
    const d = await graphql<{ activeModel: Record<string, unknown> | null }>(MODEL_QUERY);
    const card = modelCard(d.activeModel);
    els.modelSummary.textContent = card.summary;
    fill(els.modelFacts, ...card.facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
    if (card.epochs.length > 0) drawLossChart(els.lossChart, card.epochs);
    els.modelStatus.textContent = card.epochs.length > 0 ? '' : 'This run recorded no per-epoch metrics.';
  } catch (err) {
    els.modelSummary.textContent = 'Model unknown';
    els.modelStatus.textContent = `The model card could not be loaded: ${(err as Error).message}`;
  }
}
