// endTogether (./responses.ts), on a real node:http server: a response ends at the end of
// the event loop's turn, with every other one ended so in that turn, each with its own
// body; one that something else ended first, or whose client went away, is left alone
// without an error.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { endTogether } from './responses';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; errors: Error[]; close(): Promise<void> }> {
  const errors: Error[] = [];
  const server: Server = createServer((req, res) => {
    res.on('error', (e) => errors.push(e));
    handler(req, res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    errors,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

const turn = () => new Promise((ok) => setImmediate(ok));

describe('endTogether', () => {
  it('ends the response after this turn of the event loop, not during it', async () => {
    const seen: { sync: boolean; later: boolean }[] = [];
    const s = await serve((_req, res) => {
      res.setHeader('content-type', 'text/plain');
      endTogether(res, 'après');
      const sync = res.writableEnded;
      void turn().then(() => seen.push({ sync, later: res.writableEnded }));
    });
    try {
      const r = await fetch(s.url);
      expect(await r.text()).toBe('après');
      expect(r.headers.get('content-length')).toBe(String(Buffer.byteLength('après')));
      await turn();
      expect(seen).toEqual([{ sync: false, later: true }]);
    } finally {
      await s.close();
    }
  });

  it('writes the responses of one turn together, each with its own body', async () => {
    // Held until three requests are in, then all three ended in the same turn.
    const held: [ServerResponse, string][] = [];
    const s = await serve((req, res) => {
      held.push([res, `answer to ${req.url}`]);
      if (held.length === 3) for (const [r, text] of held) endTogether(r, text);
    });
    try {
      const bodies = await Promise.all(['/a', '/b', '/c'].map(async (p) => (await fetch(s.url + p.slice(1))).text()));
      expect(bodies).toEqual(['answer to /a', 'answer to /b', 'answer to /c']);
      expect(s.errors).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('leaves alone a response that something else ended first, without an error', async () => {
    const s = await serve((_req, res) => {
      endTogether(res, 'late');
      res.end('first');
    });
    try {
      expect(await (await fetch(s.url)).text()).toBe('first');
      await turn();
      expect(s.errors).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('leaves alone a response whose client went away, and goes on serving', async () => {
    let n = 0;
    const s = await serve((_req, res) => {
      endTogether(res, `reply ${++n}`);
      if (n === 1) res.socket!.destroy();
    });
    try {
      const gone = new Promise<string>((ok) => {
        const r = request(s.url, { agent: false });
        r.on('error', (e) => ok((e as NodeJS.ErrnoException).code ?? e.message));
        r.on('response', (m) => (m.resume(), ok('answered')));
        r.end();
      });
      expect(await gone).toBe('ECONNRESET');
      await turn();
      expect(await (await fetch(s.url)).text()).toBe('reply 2');
      expect(s.errors).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
