// The model card: one line for fans (what cinemap learned from, and when), and behind
// "model details" the facts and the validation RMSE per epoch (../model-card.ts reads them).
import { ApiError, graphql } from '../api/client';
import { MODEL_QUERY } from '../api/queries';
import type { Elements } from '../elements';
import { panelFailed } from '../messages';
import { modelCard } from '../model-card';
import { fill, h } from '../ui/dom';
import { drawLossChart } from '../ui/loss-chart';

export async function loadModelCard(els: Elements): Promise<void> {
  try {
    const d = await graphql<{ activeModel: Record<string, unknown> | null }>(MODEL_QUERY);
    const card = modelCard(d.activeModel);
    els.modelSummary.textContent = card.summary;
    els.modelLine.textContent = card.summary;
    fill(els.modelFacts, ...card.facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
    if (card.epochs.length > 0) drawLossChart(els.lossChart, card.epochs);
    els.modelStatus.textContent = '';
  } catch (err) {
    console.warn('cinemap: model card:', err);
    els.modelSummary.textContent = '';
    els.modelLine.textContent = panelFailed('What cinemap learned from', err instanceof ApiError ? err.code : 'UNKNOWN');
  }
}
