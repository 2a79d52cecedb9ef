// The page's elements the script drives (index.html holds the structure).
import { byId } from './ui/dom';

export function findElements() {
  return {
    search: byId<HTMLInputElement>('search'),
    searchOptions: byId<HTMLUListElement>('search-options'),
    results: byId('results'),
    resultsHeading: byId('results-heading'),
    resultsError: byId('results-error'),
    resultsStatus: byId('results-status'),
    resultsList: byId<HTMLOListElement>('results-list'),
    moodList: byId<HTMLUListElement>('mood-list'),
    moodAdd: byId<HTMLButtonElement>('mood-add'),
    moodRun: byId<HTMLButtonElement>('mood-run'),
    moodClear: byId<HTMLButtonElement>('mood-clear'),
    filters: byId<HTMLFormElement>('filters'),
    filterErrors: byId('filter-errors'),
    k: byId<HTMLInputElement>('k'),
    basis: byId<HTMLSelectElement>('basis'),
    map: byId<HTMLCanvasElement>('map'),
    mapStatus: byId('map-status'),
    most: byId<HTMLOListElement>('most-list'),
    least: byId<HTMLOListElement>('least-list'),
    modelFacts: byId('model-facts'),
    modelStatus: byId('model-status'),
    modelSummary: byId('model-summary'),
    lossChart: byId<HTMLCanvasElement>('loss-chart'),
  };
}

export type Elements = ReturnType<typeof findElements>;
