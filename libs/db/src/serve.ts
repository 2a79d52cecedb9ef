// Exposes the embedded PGlite store over the Postgres wire protocol on 127.0.0.1 so psql
// and analysts' tools work without a server. The store has one database session, shared
// with the process serving it (the gateway), so this server:
//  - admits one connection at a time; a second one gets a FATAL "one connection at a
//    time" error (SQLSTATE 53300) instead of a dropped connection;
//  - starts every session as cinemap_analyst (read-only); `-U cinemap_writer` asks for the
//    writer role (rows, not schema). There is no password: 127.0.0.1 only, a single-user
//    developer tool (the roles guard against mistakes; the session user can still be
//    changed deliberately with SET SESSION AUTHORIZATION);
//  - takes turns with the app through the SessionArbiter (pglite-session.ts): the app
//    never runs inside the client's transaction, the client's settings never leak into
//    the app's statements, and everything the client set is reset when it leaves;
//  - answers SSL/GSS encryption requests with "no", so psql connects without PGSSLMODE.
import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { Db, DbError } from './db';
import type { ClientParty, SessionArbiter } from './pglite-session';

export interface SqlServer {
  port: number;
  host: string;
  close(): Promise<void>;
}

/** Roles a psql session may start as (the startup packet's user name picks; anything else is the analyst). */
export const SQL_PORT_ROLES = { reader: 'cinemap_analyst', writer: 'cinemap_writer' } as const;

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
const cstr = (s: string) => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);

/** An ErrorResponse with severity, SQLSTATE, message and hint. */
export function errorResponse(severity: 'FATAL' | 'ERROR', code: string, text: string, hint?: string): Buffer {
  const fields = [cstr(`S${severity}`), cstr(`V${severity}`), cstr(`C${code}`), cstr(`M${text}`)];
  if (hint) fields.push(cstr(`H${hint}`));
  fields.push(Buffer.from([0]));
  return message('E', Buffer.concat(fields));
}

function parameterStatus(name: string, value: string): Buffer {
  return message('S', Buffer.concat([cstr(name), cstr(value)]));
}

function startupParams(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  const parts = body.subarray(8).toString('utf8').split('\0');
  for (let i = 0; i + 1 < parts.length && parts[i]; i += 2) out[parts[i]] = parts[i + 1];
  return out;
}

/**
 * Watches a backend's output for message boundaries across chunks: the last
 * ReadyForQuery status (I idle, T in a transaction, E failed transaction) and any
 * NotificationResponse (channel, payload).
 */
class OutputWatcher {
  private pending = Buffer.alloc(0);
  ready: string | null = null;
  constructor(private readonly onNotify: (channel: string, payload: string) => void) {}
  reset(): void {
    this.ready = null;
  }
  feed(chunk: Uint8Array): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk);
    let off = 0;
    while (this.pending.length - off >= 5) {
      const type = String.fromCharCode(this.pending[off]);
      const len = this.pending.readInt32BE(off + 1);
      if (this.pending.length - off < 1 + len) break;
      const body = this.pending.subarray(off + 5, off + 1 + len);
      if (type === 'Z') this.ready = String.fromCharCode(body[0]);
      else {
        this.ready = null;
        if (type === 'A') {
          const [channel, payload] = body.subarray(4).toString('utf8').split('\0');
          this.onNotify(channel, payload ?? '');
        }
      }
      off += 1 + len;
    }
    this.pending = this.pending.subarray(off);
  }
}

// eslint-disable-next-line max-lines-per-function -- the embedded SQL port: one server and the wire protocol's message loop over its state
export async function serveSql(db: Db, opts: { port?: number; host?: string } = {}): Promise<SqlServer> {
  const { pglite, session } = db as Db & { pglite?: PGlite; session?: SessionArbiter };
  if (!pglite || !session) throw new DbError('serveSql is for the embedded database only; PostgreSQL already speaks the wire protocol.');
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? Number(process.env.CINEMAP_SQL_PORT ?? 5433);
  const [server_version] = await db.query<{ v: string }>(`SELECT current_setting('server_version') AS v`).then((r) => r.map((x) => x.v));
  let current: { party: ClientParty; since: Date; peer: string } | null = null;
  /** Open connections and how to wait for their last message (and their cleanup). */
  const open = new Map<Socket, () => Promise<void>>();

  // eslint-disable-next-line max-lines-per-function -- the wire protocol's message loop (one client's state)
  const handle = (sock: Socket) => {
    sock.setNoDelay(true);
    let buf = Buffer.alloc(0);
    let started = false;
    let ended = false;
    let party: ClientParty | null = null;
    let chain: Promise<void> = Promise.resolve();
    const watcher = new OutputWatcher((channel, payload) => session.notifyApp(channel, payload));
    const peer = `${sock.remoteAddress}:${sock.remotePort}`;

    const fatal = (code: string, text: string, hint?: string) => {
      if (!sock.destroyed) sock.end(errorResponse('FATAL', code, text, hint));
    };
    const finish = () => {
      if (ended) return;
      ended = true;
      if (!party) return;
      const p = party;
      chain = chain
        .then(() => session.endClient(p))
        .catch(() => {})
        .finally(() => {
          if (current?.party === p) current = null;
        });
    };

    const startSession = (params: Record<string, string>) => {
      if (current) {
        fatal(
          '53300',
          `the embedded database serves one psql connection at a time, and one is open (from ${current.peer} since ${current.since.toISOString()})`,
          'Close that connection and try again, or use PostgreSQL (DATABASE_URL) for several connections.',
        );
        return;
      }
      const role = params.user === SQL_PORT_ROLES.writer ? SQL_PORT_ROLES.writer : SQL_PORT_ROLES.reader;
      party = {
        label: `psql ${peer}`,
        state: null,
        startRole: role,
        evict: (reason) => {
          fatal('25P03', `terminating the connection: ${reason}`);
          // Give the turn back now (rollback, reset), whatever the client does with its socket.
          finish();
          setTimeout(() => sock.destroy(), 1000).unref();
        },
      };
      current = { party, since: new Date(), peer };
      started = true;
      const out = [
        message('R', Buffer.from([0, 0, 0, 0])), // AuthenticationOk
        parameterStatus('server_version', server_version),
        parameterStatus('server_encoding', 'UTF8'),
        parameterStatus('client_encoding', 'UTF8'),
        parameterStatus('DateStyle', 'ISO, MDY'),
        parameterStatus('IntervalStyle', 'postgres'),
        parameterStatus('TimeZone', 'UTC'),
        parameterStatus('integer_datetimes', 'on'),
        parameterStatus('standard_conforming_strings', 'on'),
        parameterStatus('is_superuser', 'off'),
        parameterStatus('session_authorization', role),
        parameterStatus('application_name', params.application_name ?? ''),
        message('K', Buffer.alloc(8)), // BackendKeyData (cancel requests are not supported)
        message('Z', Buffer.from('I', 'latin1')),
      ];
      sock.write(Buffer.concat(out));
    };

    open.set(sock, () => {
      finish();
      return chain;
    });

    const run = (msg: Buffer) => {
      const p = party!;
      chain = chain
        .then(async () => {
          if (ended) return;
          await session.client(p, async () => {
            watcher.reset();
            await pglite.runExclusive(() =>
              pglite.execProtocolRawStream(new Uint8Array(msg), {
                onRawData: (data) => {
                  watcher.feed(data);
                  if (!sock.destroyed) sock.write(Buffer.from(data));
                },
              }),
            );
            // Idle only once the backend said ReadyForQuery outside a transaction block.
            return { idle: watcher.ready === 'I' };
          });
        })
        .catch((e) => {
          fatal('XX000', `the embedded database failed on this connection: ${(e as Error).message ?? e}`);
          sock.destroy();
        });
    };

    sock.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        if (!started) {
          if (buf.length < 8) return;
          const len = buf.readInt32BE(0);
          if (len < 8 || len > 10_000) return void fatal('08P01', 'invalid startup packet');
          if (buf.length < len) return;
          const pkt = buf.subarray(0, len);
          buf = buf.subarray(len);
          const code = pkt.readInt32BE(4);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) sock.write('N');
          else if (code === CANCEL_REQUEST) return void sock.destroy();
          else if (code === PROTOCOL_3) {
            startSession(startupParams(pkt));
            if (!started) return;
          } else
            return void fatal(
              '08P01',
              `unsupported frontend protocol ${code >> 16}.${code & 0xffff}: the embedded database speaks protocol 3.0`,
            );
          continue;
        }
        if (buf.length < 5) return;
        const len = buf.readInt32BE(1);
        if (buf.length < 1 + len) return;
        const msg = buf.subarray(0, 1 + len);
        buf = buf.subarray(1 + len);
        if (msg[0] === 0x58 /* X: Terminate */) {
          finish();
          sock.end();
          return;
        }
        run(Buffer.from(msg));
      }
    });
    sock.on('error', () => finish());
    sock.on('close', () => {
      finish();
      void chain.finally(() => open.delete(sock));
    });
  };

  const server: Server = createServer(handle);
  await new Promise<void>((ok, fail) => {
    server.once('error', (e) =>
      fail(new DbError(`Cannot serve SQL on ${host}:${port}: ${e.message}`, 'Set CINEMAP_SQL_PORT to a free port (or 0 to pick one).')),
    );
    server.listen(port, host, () => ok());
  });
  const addr = server.address();
  return {
    port: addr && typeof addr === 'object' ? addr.port : port,
    host,
    async close() {
      const pending = [...open.entries()].map(([sock, done]) => {
        sock.destroy();
        return done();
      });
      await new Promise<void>((ok) => server.close(() => ok()));
      // Each connection's cleanup (rollback, DISCARD ALL) runs before the store closes.
      await Promise.all(pending.map((p) => p.catch(() => {})));
    },
  };
}
