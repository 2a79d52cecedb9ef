// The train/valid split as a file other trainers can read (`--export-split FILE`):
// the fast.ai reference in bench/reference/fastai_collab.py trains on exactly the
// ratings cinemap trained on and is scored on exactly the ones it held out.
// Format (CSV, dense indices as the engines see them; index → MovieLens id is the
// ascending order of ids, listed nowhere else because the reference needs none):
//   # cinemap split users=<n> movies=<n> train=<n> valid=<n> seed=<n> dataset=<id>
//   user,movie,rating,valid
//   17,4021,4.5,0
// Written to FILE.tmp and renamed, so a reader never sees half a file.
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { TrainingData } from './training-data';

export const SPLIT_HEADER = 'user,movie,rating,valid';

export function writeSplitFile(path: string, data: TrainingData, meta: { seed: number; datasetId?: number }): { rows: number } {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    const head = `# cinemap split users=${data.userIds.length} movies=${data.movieIds.length} train=${data.train.ratings.length} valid=${data.valid.ratings.length} seed=${meta.seed}${meta.datasetId !== undefined ? ` dataset=${meta.datasetId}` : ''}\n${SPLIT_HEADER}\n`;
    writeSync(fd, head);
    let buf: string[] = [];
    const flush = () => {
      if (buf.length) writeSync(fd, buf.join(''));
      buf = [];
    };
    for (const [set, flag] of [
      [data.train, 0],
      [data.valid, 1],
    ] as const) {
      for (let i = 0; i < set.ratings.length; i++) {
        buf.push(`${set.users[i]},${set.movies[i]},${set.ratings[i]},${flag}\n`);
        if (buf.length === 65536) flush();
      }
    }
    flush();
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  return { rows: data.train.ratings.length + data.valid.ratings.length };
}
