// Where GroupLens publishes each MovieLens dataset: the names `npm run ingest -- --source`
// accepts and `npm start` downloads (ml-latest-small), with whether a .md5 is published.

export const GROUPLENS_BASE = 'https://files.grouplens.org/datasets/movielens';

export interface MovieLensDataset {
  /** The zip GroupLens serves. */
  url: string;
  /**
   * Whether GroupLens publishes `<zip>.md5` beside it. The fixed benchmark datasets
   * have one; ml-latest and ml-latest-small are "development" datasets regenerated in
   * place and have none, so no checksum is asked for (the zip's CRCs are still checked).
   */
  md5: boolean;
  /** The layout inside (./layouts.ts), for --help and the docs. */
  layout: 'CSV' | 'ml-1m/ml-10m (::)' | 'ml-100k';
}

const ds = (name: string, md5: boolean, layout: MovieLensDataset['layout']): [string, MovieLensDataset] => [
  name,
  { url: `${GROUPLENS_BASE}/${name}.zip`, md5, layout },
];

/** Every MovieLens dataset GroupLens publishes, by the name --source accepts. */
export const MOVIELENS_DATASETS: Readonly<Record<string, MovieLensDataset>> = Object.fromEntries([
  ds('ml-100k', true, 'ml-100k'),
  ds('ml-1m', true, 'ml-1m/ml-10m (::)'),
  ds('ml-10m', true, 'ml-1m/ml-10m (::)'),
  ds('ml-20m', true, 'CSV'),
  ds('ml-25m', true, 'CSV'),
  ds('ml-32m', true, 'CSV'),
  ds('ml-latest', false, 'CSV'),
  ds('ml-latest-small', false, 'CSV'),
]);
