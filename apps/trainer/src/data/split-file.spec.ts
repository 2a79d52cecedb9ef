// Given a prepared split, when it is written with writeSplitFile, then the file holds
// every training and validation rating once, flagged by side, under the header the
// fast.ai reference (bench/reference/fastai_collab.py) checks, and nothing half-written.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareTrainingData } from './training-data';
import { SPLIT_HEADER, writeSplitFile } from './split-file';

const raw = {
  userIds: Int32Array.from([10, 10, 20, 20, 30, 30, 30, 40, 40, 50]),
  movieIds: Int32Array.from([1, 2, 1, 3, 2, 3, 4, 1, 4, 2]),
  ratings: Float32Array.from([4, 3.5, 5, 1, 2.5, 3, 4.5, 0.5, 4, 3]),
};

describe('the split file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cinemap-split-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists every rating once, with the side it is on, in dense indices', () => {
    const data = prepareTrainingData(raw, 0.2, 7);
    const file = join(dir, 'split.csv');
    expect(writeSplitFile(file, data, { seed: 7, datasetId: 3 })).toEqual({ rows: 10 });
    expect(existsSync(`${file}.tmp`)).toBe(false);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('# cinemap split users=5 movies=4 train=8 valid=2 seed=7 dataset=3');
    expect(lines[1]).toBe(SPLIT_HEADER);
    const rows = lines.slice(2).map((l) => l.split(',').map(Number));
    expect(rows).toHaveLength(10);
    expect(rows.filter((r) => r[3] === 1)).toHaveLength(2);
    // Back to MovieLens ids through the ascending id order: the multiset of ratings is the input's.
    const back = rows.map(([u, m, r]) => `${data.userIds[u]}/${data.movieIds[m]}/${r}`).sort();
    const want = [...raw.ratings].map((r, i) => `${raw.userIds[i]}/${raw.movieIds[i]}/${r}`).sort();
    expect(back).toEqual(want);
    // The validation rows are exactly the prepared validation set, in order.
    const valid = rows.filter((r) => r[3] === 1);
    valid.forEach(([u, m, r], i) => expect([u, m, r]).toEqual([data.valid.users[i], data.valid.movies[i], data.valid.ratings[i]]));
  });

  it('fails without leaving a partial file when the folder does not exist', () => {
    const data = prepareTrainingData(raw, 0.2, 7);
    const file = join(dir, 'missing', 'split.csv');
    expect(() => writeSplitFile(file, data, { seed: 7 })).toThrow(/ENOENT/);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });
});
