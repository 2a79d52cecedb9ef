// Packs a generated dump the way GroupLens ships theirs: one zip whose entries
// sit in a top folder named after the dataset (`ml-latest-small/movies.csv`),
// with a README.txt. Timestamps and modes are fixed so the same dump always
// gives the same zip bytes.
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';

/** Every entry's mtime: the day ml-latest was last published, so nothing depends on the clock. */
const FIXED_MTIME = new Date(Date.UTC(2023, 6, 20, 12, 0, 0));

export async function zipDump(
  dir: string,
  files: readonly string[],
  folder: string,
  zipPath: string,
  readme: string,
  signal?: AbortSignal,
): Promise<void> {
  const zip = new ZipFile();
  zip.addEmptyDirectory(`${folder}/`, { mtime: FIXED_MTIME, mode: 0o40755 });
  zip.addBuffer(Buffer.from(readme, 'utf8'), `${folder}/README.txt`, { mtime: FIXED_MTIME, mode: 0o100644 });
  for (const f of files) zip.addFile(join(dir, f), `${folder}/${f}`, { mtime: FIXED_MTIME, mode: 0o100644 });
  zip.end();
  const tmp = `${zipPath}.partial`;
  try {
    await pipeline(zip.outputStream, createWriteStream(tmp), { signal });
    renameSync(tmp, zipPath);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
