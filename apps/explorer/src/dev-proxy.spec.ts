// `npx vite --config apps/explorer/vite.config.ts` (the page's development server)
// forwards /graphql to the gateway on PORT, the gateway's own variable. Run for real: a
// Vite dev server in a child process with PORT set to a stand-in gateway (a node:http
// server that says which request reached it), asked through the proxy.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => ok(port));
    });
  });
}

async function until(what: string, ms: number, probe: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} within ${ms} ms`);
}

describe('the explorer dev server', () => {
  let gateway: Server;
  let vite: ChildProcess | undefined;
  afterAll(async () => {
    vite?.kill('SIGTERM');
    await new Promise<void>((ok) => gateway.close(() => ok()));
  });

  it('proxies /graphql to the gateway on PORT', async () => {
    gateway = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ reached: 'gateway', method: req.method, url: req.url, body }));
      });
    });
    await new Promise<void>((ok) => gateway.listen(0, '127.0.0.1', () => ok()));
    const gatewayPort = (gateway.address() as AddressInfo).port;
    const vitePort = await freePort();
    let output = '';
    vite = spawn(
      process.execPath,
      [
        join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
        '--config',
        'apps/explorer/vite.config.ts',
        '--port',
        String(vitePort),
        '--strictPort',
        '--host',
        '127.0.0.1',
      ],
      { cwd: root, env: { ...process.env, PORT: String(gatewayPort) }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    vite.stdout!.on('data', (d) => (output += d));
    vite.stderr!.on('data', (d) => (output += d));
    const url = `http://127.0.0.1:${vitePort}`;
    await until(`vite answering on ${url} (output: ${output})`, 30_000, async () => (await fetch(`${url}/`)).ok);
    const r = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
    });
    expect(await r.json()).toEqual({ reached: 'gateway', method: 'POST', url: '/graphql', body: '{"query":"{ __typename }"}' });
    // and the page itself comes from Vite, not from the gateway
    expect(await (await fetch(`${url}/`)).text()).toContain('<html');
  }, 60_000);
});
