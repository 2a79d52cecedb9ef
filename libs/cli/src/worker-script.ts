// Where a worker thread's script is, for every app that starts one (the trainer's engine
// and neighbour lists, the gateway's scan thread): the bundle of <project>/src/bin/<name>.ts
// (tools/build.mjs writes dist/<project>/<name>.js) or, where tests run sources, that
// TypeScript file through tsx.
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

/**
 * The script of worker `name` of `project` (e.g. 'apps/gateway'): the bundle beside the
 * running bundle, or in the project's sibling folder (another app's bundle importing this
 * one), else the TypeScript source through tsx, else dist/<project> under the working
 * directory. Throws, saying what to run, when none is there.
 */
export function resolveWorkerScript(project: string, name: string): { file: string; execArgv: string[] } {
  const candidates = [join(__dirname, `${name}.js`), join(__dirname, '..', basename(project), `${name}.js`)];
  if (__filename.endsWith('.js')) for (const c of candidates) if (existsSync(c)) return { file: c, execArgv: [] };
  // Sources: this file is libs/cli/src/worker-script.ts, three folders below the repository.
  const src = resolve(__dirname, '..', '..', '..', project, 'src', 'bin', `${name}.ts`);
  if (existsSync(src)) return { file: src, execArgv: ['--require', require.resolve('tsx/cjs')] };
  const built = resolve('dist', project, `${name}.js`);
  if (existsSync(built)) return { file: built, execArgv: [] };
  throw new Error(
    `${name}: worker script not found (looked for ${[...candidates, src, built].join(', ')}). Run "node tools/build.mjs" first.`,
  );
}
