// `node dist/bench/load.js`: the serving bench's open-loop load generator (../load-generator.ts)
// as a process of its own, so its work does not share the server's event loop. Prints one
// JSON object (OpenLoopResult) on stdout.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { runOpenLoop } from '../load-generator';

const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!(n > 0)) throw new Error(`${name} must be a positive number (got "${v}")`);
  return n;
};

const program = new Command()
  .name('load')
  .description(
    "Open-loop HTTP load: POSTs JSON bodies at a fixed rate over keep-alive connections; latency counts from each request's scheduled time (queueing for a connection included). Prints JSON: offered, achieved, p50/p90/p99/p999/max (ms), errors, per kind, and how late the generator itself noticed requests were due (loaderLag).",
  )
  .requiredOption('--url <url>', 'where to POST, e.g. http://127.0.0.1:4000/graphql')
  .requiredOption('--bodies <file>', 'a JSON array of request bodies (strings), cycled in order')
  .option('--kinds <file>', 'a JSON array of labels, one per body, reported separately')
  .requiredOption('--rate <n>', 'requests per second, scheduled', positive('--rate'))
  .option('--seconds <n>', 'how long requests are scheduled', positive('--seconds'), 10)
  .option('--connections <n>', 'keep-alive connections, one request in flight each', positive('--connections'), 64)
  .parse();

function readJsonArray(flag: string, file: string): string[] {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${flag} ${file}: ${(e as Error).message}`);
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Error(`${flag} ${file}: expected a JSON array of strings`);
  return v;
}

async function main(): Promise<void> {
  const o = program.opts<{ url: string; bodies: string; kinds?: string; rate: number; seconds: number; connections: number }>();
  const result = await runOpenLoop({
    url: o.url,
    bodies: readJsonArray('--bodies', o.bodies),
    ...(o.kinds ? { kinds: readJsonArray('--kinds', o.kinds) } : {}),
    rate: o.rate,
    seconds: o.seconds,
    connections: Math.round(o.connections),
  });
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((e) => {
  console.error(`load: ${(e as Error).message}`);
  process.exit(1);
});
