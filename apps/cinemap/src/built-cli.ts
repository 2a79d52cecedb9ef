// The other apps' command lines, as `npm start` composes them: each runs as its built
// CLI (dist/apps/<app>/<name>.js, the same public entry point `npm run ingest` and
// `npm run train` use) in a child process, one after another, because the embedded
// store admits one process at a time. Ctrl-C is forwarded; a failure names the step.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The built CLIs `npm start` runs. */
export const BUILT_CLIS = {
  ingest: 'apps/ingest/main.js',
  generate: 'apps/ingest/generate.js',
  train: 'apps/trainer/main.js',
} as const;

/** Runs one built CLI with `args`, its output on ours; resolves when it exits 0. */
export function runBuiltCli(cli: keyof typeof BUILT_CLIS, args: string[]): Promise<void> {
  const script = BUILT_CLIS[cli];
  const file = join('dist', script);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` (npm start builds first).`);
  console.log(`  $ node ${file} ${args.join(' ')}`);
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [file, ...args], { stdio: 'inherit', env: process.env });
    const forward = () => child.kill('SIGINT');
    process.once('SIGINT', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      if (code === 0) ok();
      else fail(new Error(`${script} ${signal ? `was stopped by ${signal}` : `exited with code ${code}`}; see its output above.`));
    });
  });
}
