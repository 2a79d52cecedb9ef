// 0500-0599: what the public API says about a catalogue movie (issue 15): why a movie
// has no vector in a run (movies.excluded_by, recorded by the ingest as the curation
// step that removed its last rating; copied into run_movies with the run), so the API
// can answer inModel/excludedBy and word MOVIE_NOT_IN_MODEL with the real reason.
import { MOVIE_EXCLUSIONS } from '@cinemap/domain';
import type { Migration } from './types';

const REASONS = MOVIE_EXCLUSIONS.map((r) => `'${r}'`).join(', ');

export const apiCatalogueMigrations: Migration[] = [
  {
    version: 500,
    name: 'movie exclusion reasons',
    sql: `
-- NULL: curation kept some of the movie's ratings (it is trained on).
ALTER TABLE movies ADD COLUMN excluded_by text CHECK (excluded_by IN (${REASONS}));
ALTER TABLE run_movies ADD COLUMN excluded_by text CHECK (excluded_by IN (${REASONS}));

-- Existing runs: the reasons their dataset's parameters prove (steps 1 and 2, on the
-- dump's totals); any other movie without a vector is NOT_TRAINED until a new ingest
-- records the step.
UPDATE run_movies m SET excluded_by = CASE
    WHEN m.rating_count = 0 THEN 'NO_RATINGS'
    WHEN jsonb_typeof(d.params->'minAvgRating') = 'number' AND m.average_rating < (d.params->>'minAvgRating')::real THEN 'MIN_AVG_RATING'
    WHEN jsonb_typeof(d.params->'minMovieRatings') = 'number' AND m.rating_count < (d.params->>'minMovieRatings')::integer THEN 'MIN_MOVIE_RATINGS'
    ELSE 'NOT_TRAINED' END
FROM model_runs r JOIN datasets d ON d.id = r.dataset_id
WHERE r.id = m.run_id
  AND NOT EXISTS (SELECT 1 FROM movie_embeddings e WHERE e.run_id = m.run_id AND e.movie_id = m.movie_id);
`,
  },
];
