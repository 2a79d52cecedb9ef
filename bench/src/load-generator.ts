// An open-loop HTTP/1.1 load generator: requests are *scheduled* at a fixed rate (request
// i at start + i / rate) whatever the server does, over a pool of keep-alive connections
// with one request in flight each; a request whose time has come while every connection
// is busy waits in a queue, and its latency counts from its scheduled time, not from when
// it was sent. That is what "p99 at N req/s" means to someone running the service, and
// what a closed loop cannot say: there, a slow answer holds its connection's next request
// back and the wait is never measured (coordinated omission), while at saturation the mean
// latency is only connections / throughput (Little's law). autocannon's fixed-rate mode
// sends each tick's requests in one burst per connection and measures from the send
// (docs/BENCHMARKS.md, issue 19's fifth round), so the serving bench uses this instead.
//
// Free connections are used oldest first, so all of them stay in use; one the server closes
// while idle is opened again. Runs in its own process (./bin/load.ts) so that its work is not the server's event loop.
// Responses are parsed as far as HTTP/1.1 needs: status line, Content-Length or chunked.
import { connect, type Socket } from 'node:net';

export interface OpenLoopOptions {
  /** http://host:port/path — every request is a POST of one of `bodies` there. */
  url: string;
  /** JSON bodies, cycled in order. */
  bodies: readonly string[];
  /** A label per body (same length), reported separately (e.g. list / filtered / mood); optional. */
  kinds?: readonly string[];
  /** Scheduled requests per second. */
  rate: number;
  seconds: number;
  /** Keep-alive connections, one request in flight on each (default 64). */
  connections?: number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface OpenLoopResult extends LatencySummary {
  /** Scheduled per second. */
  offered: number;
  /** Completed per second (below `offered` when the server fell behind). */
  achieved: number;
  /** Responses other than 200, and connection errors. */
  errors: number;
  /** The longest queue of requests waiting for a free connection. */
  maxQueued: number;
  /** Requests still waiting or in flight GRACE_MS after the last was due (counted at their wait so far). */
  unfinished: number;
  /** Connections the server closed, opened again: idle ones, and reused ones it closed as a request went out (that request sent again once). */
  reconnects: number;
  /** Per label, when `kinds` was given. */
  byKind: Record<string, LatencySummary>;
  /** This process's CPU over the run, in cores (user + system). */
  loaderCores: number;
  /**
   * How late this process itself noticed that requests were due (ms; p99 and max over all
   * requests): a stall of the generator (its own GC, or no core for it) counts in every
   * latency above as if the server were slow, and shows here too.
   */
  loaderLag: { p99: number; max: number };
}

/** Latencies in 10 µs buckets up to 60 s (the last bucket holds everything longer). */
export class LatencyHistogram {
  private readonly counts = new Uint32Array(6_000_001);
  private n = 0;
  private top = 0;

  record(ms: number): void {
    const b = Math.min(this.counts.length - 1, Math.max(0, Math.round(ms * 100)));
    this.counts[b]++;
    this.n++;
    if (ms > this.top) this.top = ms;
  }

  get count(): number {
    return this.n;
  }

  /** The longest latency recorded (exact, not bucketed); NaN when empty. */
  get max(): number {
    return this.n ? this.top : NaN;
  }

  /** The smallest latency (ms, to 0.01) at or below which a fraction `q` of them lie; NaN when empty. */
  quantile(q: number): number {
    if (this.n === 0) return NaN;
    const target = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let b = 0; b < this.counts.length; b++) {
      seen += this.counts[b];
      if (seen >= target) return b / 100;
    }
    return this.top;
  }

  summary(): LatencySummary {
    const q = (x: number) => this.quantile(x);
    return { count: this.n, p50: q(0.5), p90: q(0.9), p99: q(0.99), p999: q(0.999), max: this.max };
  }
}

/** How long after the last scheduled time the run waits for answers before giving up. */
export const GRACE_MS = 10_000;

const HEAD_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');

/**
 * Reads back-to-back HTTP/1.1 responses from a byte stream: `push` each chunk; `onResponse`
 * is called with the status of every complete response, in order.
 */
export class ResponseReader {
  private buf: Buffer | null = null;
  /** Bytes of the current response (head + body), once its head is read; -1 before. */
  private total = -1;
  private chunked = false;
  private status = 0;
  private headLength = 0;

  constructor(private readonly onResponse: (status: number) => void) {}

  push(chunk: Buffer): void {
    let buf = this.buf === null ? chunk : Buffer.concat([this.buf, chunk]);
    this.buf = buf;
    for (;;) {
      if (this.total < 0) {
        const end = buf.indexOf(HEAD_END);
        if (end < 0) return;
        const head = buf.toString('latin1', 0, end);
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
        if (!status) throw new Error(`not an HTTP/1.1 response: ${JSON.stringify(head.slice(0, 40))}`);
        this.status = Number(status[1]);
        this.headLength = end + 4;
        const length = /\r\ncontent-length: *(\d+)/i.exec(head);
        this.chunked = !length && /\r\ntransfer-encoding: *chunked/i.test(head);
        if (!length && !this.chunked) throw new Error('a response with neither Content-Length nor chunked encoding');
        this.total = length ? this.headLength + Number(length[1]) : 0;
      }
      if (this.chunked) {
        const end = buf.indexOf(CHUNKED_END, this.headLength);
        if (end < 0) return;
        this.total = end + CHUNKED_END.length;
      } else if (buf.length < this.total) return;
      const rest = buf.length > this.total ? buf.subarray(this.total) : null;
      this.total = -1;
      this.chunked = false;
      this.buf = rest;
      this.onResponse(this.status);
      if (rest === null) return;
      buf = rest;
    }
  }
}

interface Conn {
  socket: Socket;
  /** Scheduled time of the request in flight (performance.now() ms), or -1 when free. */
  due: number;
  kind: number;
  /** The body in flight (index into the requests). */
  body: number;
  /** Responses this socket has read: a reused keep-alive connection when > 0. */
  served: number;
  /** Whether any byte of the response in flight has arrived. */
  got: boolean;
  /** Whether the request in flight was already sent again once (see lost()). */
  resent: boolean;
}

/** Runs the load and resolves with its figures (see OpenLoopOptions). */
export function runOpenLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  if (!(o.rate > 0) || !(o.seconds > 0)) throw new Error(`rate and seconds must be positive (got ${o.rate}, ${o.seconds})`);
  if (o.bodies.length === 0) throw new Error('no request bodies');
  if (o.kinds && o.kinds.length !== o.bodies.length) throw new Error(`kinds: ${o.kinds.length} labels for ${o.bodies.length} bodies`);
  return new Promise<OpenLoopResult>((resolve, reject) => new OpenLoopRun(o, resolve, reject).open());
}

/** One run of runOpenLoop: the connections, the schedule, the queue and the histograms. */
class OpenLoopRun {
  private readonly url: URL;
  private readonly requests: Buffer[];
  private readonly labels: string[];
  private readonly kindOf: number[] | null;
  private readonly all = new LatencyHistogram();
  private readonly perKind: LatencyHistogram[];
  /** Per request, how late pump() queued it after its scheduled time. */
  private readonly lag = new LatencyHistogram();
  private readonly total: number;
  private readonly interval: number;
  private readonly conns: Conn[] = [];
  private readonly free: Conn[] = [];
  /** Scheduled times of the requests waiting for a connection, oldest first. */
  private readonly queue: number[] = [];
  private readonly cpu0 = process.cpuUsage();
  private scheduled = 0;
  private sent = 0;
  private done = 0;
  private errors = 0;
  private maxQueued = 0;
  private unfinished = 0;
  private start = 0;
  private opened = 0;
  private reconnects = 0;
  private timer: NodeJS.Timeout | null = null;
  private finished = false;

  constructor(
    private readonly o: OpenLoopOptions,
    private readonly resolve: (r: OpenLoopResult) => void,
    private readonly reject: (e: Error) => void,
  ) {
    this.url = new URL(o.url);
    this.requests = o.bodies.map((b) => {
      const body = Buffer.from(b);
      const head = `POST ${this.url.pathname}${this.url.search} HTTP/1.1\r\nhost: ${this.url.host}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`;
      return Buffer.concat([Buffer.from(head, 'latin1'), body]);
    });
    this.labels = o.kinds ? [...new Set(o.kinds)] : [];
    this.kindOf = o.kinds ? o.kinds.map((k) => this.labels.indexOf(k)) : null;
    this.perKind = this.labels.map(() => new LatencyHistogram());
    this.total = Math.floor(o.rate * o.seconds);
    this.interval = 1000 / o.rate;
  }

  /** Opens every connection; the schedule starts once all are up. */
  open(): void {
    const n = this.o.connections ?? 64;
    for (let i = 0; i < n; i++) {
      const c: Conn = { socket: null as unknown as Socket, due: -1, kind: -1, body: 0, served: 0, got: false, resent: false };
      this.conns.push(c);
      this.connect(i, c, () => {
        this.free.push(c);
        if (++this.opened < n) return;
        this.start = performance.now();
        this.timer = setInterval(() => this.pump(), 1);
        this.pump();
      });
    }
  }

  /**
   * Connects `c` (connection `i`), then calls `up`. A server may close a keep-alive
   * connection that sat idle (node:http after 5 s): an idle one is opened again, as any
   * client would; so is one the server closed just as a request went out on it (see
   * lost()); any other close or error with a request in flight ends the run with it.
   */
  private connect(i: number, c: Conn, up: () => void): void {
    const socket = connect(Number(this.url.port || 80), this.url.hostname);
    socket.setNoDelay(true);
    c.socket = socket;
    c.served = 0;
    const reader = new ResponseReader((status) => this.answered(c, status));
    socket.on('data', (chunk) => {
      c.got = true;
      try {
        reader.push(chunk);
      } catch (e) {
        this.finish(e as Error);
      }
    });
    socket.on('error', (e) => {
      if (this.finished || socket !== c.socket) return;
      if (!this.lost(i, c)) this.finish(new Error(`connection ${i} to ${this.url.host}: ${e.message}`));
    });
    socket.on('close', () => {
      if (this.finished || socket !== c.socket) return;
      if (this.lost(i, c)) return;
      if (c.due >= 0 || this.opened < this.conns.length)
        return this.finish(new Error(`connection ${i} to ${this.url.host} closed by the server`));
      const at = this.free.indexOf(c);
      if (at >= 0) this.free.splice(at, 1);
      this.reconnects++;
      this.connect(i, c, () => {
        this.free.push(c);
        this.pump();
      });
    });
    socket.on('connect', up);
  }

  /**
   * The server closed a reused keep-alive connection as the request went out on it (its
   * idle timeout and the request crossed: a reset or close before any byte of the answer,
   * which every HTTP client retries): reopens it and sends the same request again, once,
   * keeping its scheduled time. False (the caller fails the run) for anything else.
   */
  private lost(i: number, c: Conn): boolean {
    if (c.due < 0 || c.served === 0 || c.got || c.resent) return false;
    c.resent = true;
    this.reconnects++;
    this.connect(i, c, () => this.write(c));
    return true;
  }

  private answered(c: Conn, status: number): void {
    const ms = performance.now() - c.due;
    this.all.record(ms);
    if (c.kind >= 0) this.perKind[c.kind].record(ms);
    if (status === 200) this.done++;
    else this.errors++;
    c.due = -1;
    c.served++;
    c.resent = false;
    this.free.push(c);
    this.pump();
  }

  /** Queues every request whose time has come and sends them on free connections; the rest wait. */
  private pump(): void {
    const now = performance.now();
    if (now > this.start + 1000 * this.o.seconds + GRACE_MS) return this.giveUp(now);
    while (this.scheduled < this.total && this.start + this.scheduled * this.interval <= now) {
      const due = this.start + this.scheduled++ * this.interval;
      this.lag.record(now - due);
      this.queue.push(due);
    }
    while (this.queue.length > 0 && this.free.length > 0) this.send(this.free.shift()!, this.queue.shift()!);
    if (this.queue.length > this.maxQueued) this.maxQueued = this.queue.length;
    if (this.scheduled >= this.total && this.queue.length === 0 && this.free.length === this.conns.length) this.finish();
  }

  private send(c: Conn, due: number): void {
    const i = this.sent++ % this.requests.length;
    c.due = due;
    c.kind = this.kindOf ? this.kindOf[i] : -1;
    c.body = i;
    this.write(c);
  }

  private write(c: Conn): void {
    c.got = false;
    c.socket.write(this.requests[c.body]);
  }

  /** Past the grace time: what still waits or is in flight counts at its wait so far (a lower bound), and as unfinished. */
  private giveUp(now: number): void {
    for (const due of [...this.queue, ...this.conns.filter((c) => c.due >= 0).map((c) => c.due)]) {
      this.all.record(now - due);
      this.unfinished++;
    }
    this.queue.length = 0;
    this.finish();
  }

  private finish(error?: Error): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer) clearInterval(this.timer);
    for (const c of this.conns) c.socket.destroy();
    if (error) return this.reject(error);
    const cpu = process.cpuUsage(this.cpu0);
    const wall = (performance.now() - this.start) / 1000;
    const byKind: Record<string, LatencySummary> = {};
    this.labels.forEach((l, i) => (byKind[l] = this.perKind[i].summary()));
    this.resolve({
      ...this.all.summary(),
      offered: this.o.rate,
      achieved: this.done / wall,
      errors: this.errors,
      maxQueued: this.maxQueued,
      unfinished: this.unfinished,
      reconnects: this.reconnects,
      byKind,
      loaderCores: (cpu.user + cpu.system) / 1e6 / wall,
      loaderLag: { p99: this.lag.quantile(0.99), max: this.lag.max },
    });
  }
}
