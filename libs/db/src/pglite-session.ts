// The embedded store has ONE database session (PGlite is a single Postgres backend), shared
// by the process that opened it (the app: gateway, CLIs) and the psql clients it serves on
// its SQL port (serve.ts). This arbiter takes turns on that session so that nothing a
// client does changes what the app's queries see:
//  - one party at a time; the app never runs a statement inside a client's transaction:
//    a client keeps its turn until its transaction ends, and if the app has waited
//    longer than the bound meanwhile, the client's transaction is rolled back and its
//    connection closed with a message saying why;
//  - each party's session state travels with its turn: leaving a turn saves the party's
//    settings (SET, set_config), role and session user; the next party's are restored
//    onto a reset session (SET SESSION AUTHORIZATION DEFAULT, RESET ROLE, RESET ALL), and
//    the app's LISTENs are renewed (a client's UNLISTEN * cannot silence the app);
//  - the app's search_path names pg_temp last, so a client's temporary table never
//    shadows a table the app reads; a fresh client's is the analysts' (public, cinemap);
//  - when a client leaves, its transaction is rolled back and DISCARD ALL drops its
//    temporary tables, prepared statements, cursors, listens and advisory locks.
// Known limit: PGlite runs a statement synchronously in the app's process and has no
// working statement_timeout, so a long client statement delays the app (never changes
// its answers); use PostgreSQL (DATABASE_URL) for concurrent analysis.
import type { PGlite } from '@electric-sql/pglite';
import { ANALYST_SEARCH_PATH, APP_SEARCH_PATH } from './migrations/analysts';

/** A party's session state, as saved when its turn ends. */
interface SessionState {
  settings: [name: string, value: string][];
  sessionUser: string | null;
  role: string | null;
}

export interface ClientParty {
  readonly label: string;
  /** Saved state while another party has the session (null: fresh: starts as `startRole`). */
  state: SessionState | null;
  /** The role a fresh client session starts as (cinemap_analyst unless asked otherwise). */
  readonly startRole: string;
  /** Called when the app has waited too long for this client's transaction: end the connection. */
  evict(reason: string): void;
}

type Party = 'app' | ClientParty;

interface Waiter {
  party: Party;
  since: number;
  grant: () => void;
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

export class SessionArbiter {
  /** Whose session state the backend holds now. */
  private owner: Party = 'app';
  /** Who has the turn (null: free). */
  private holder: Party | null = null;
  /** A client keeps its turn between messages while its transaction is open. */
  private clientHoldsOpenTransaction = false;
  private clientBusy = false;
  private readonly queue: Waiter[] = [];
  private appState: SessionState = { settings: [], sessionUser: null, role: null };
  private readonly appChannels = new Map<string, Set<(payload: string) => void>>();
  private evictTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly pg: PGlite,
    /** How long the app waits for a client's open transaction before it is rolled back. */
    public transactionWaitMs = Number(process.env.CINEMAP_SQL_TRANSACTION_WAIT_MS ?? 2000),
  ) {}

  /** Sets the app's session defaults (search_path with pg_temp last). Call once after open. */
  async init(): Promise<void> {
    await this.app(() => this.pg.query(`SELECT set_config('search_path', $1, false)`, [APP_SEARCH_PATH]));
  }

  /** Runs `fn` (PGlite calls) in the app's turn, with the app's session state loaded. */
  async app<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire('app');
    try {
      if (this.owner !== 'app') await this.switchTo('app');
      return await fn();
    } finally {
      this.release('app');
    }
  }

  /** The app's LISTEN registry, renewed after every client turn (a client may UNLISTEN *). */
  addAppListener(channel: string, cb: (payload: string) => void): void {
    let set = this.appChannels.get(channel);
    if (!set) this.appChannels.set(channel, (set = new Set()));
    set.add(cb);
  }

  removeAppListener(channel: string, cb: (payload: string) => void): void {
    const set = this.appChannels.get(channel);
    set?.delete(cb);
    if (set && !set.size) this.appChannels.delete(channel);
  }

  /** A NOTIFY that reached a client's connection but is for the app (e.g. an activation run from psql). */
  notifyApp(channel: string, payload: string): void {
    for (const cb of this.appChannels.get(channel) ?? []) queueMicrotask(() => cb(payload));
  }

  /**
   * Runs one client message. `fn` reports whether the backend is ready and idle afterwards
   * (ReadyForQuery with status I); otherwise the client keeps its turn (open transaction,
   * or an extended-protocol exchange not yet synced).
   */
  async client(c: ClientParty, fn: () => Promise<{ idle: boolean }>): Promise<void> {
    if (this.holder !== c) await this.acquire(c);
    this.clientBusy = true;
    let idle = false;
    try {
      if (this.owner !== c) await this.switchTo(c);
      idle = (await fn()).idle;
    } finally {
      this.clientBusy = false;
      this.clientHoldsOpenTransaction = !idle;
      if (idle) this.release(c);
      else this.armEviction(c);
    }
  }

  /** The client left (or was evicted): roll back what it left open, drop its session state, give the session back to the app. */
  async endClient(c: ClientParty): Promise<void> {
    if (this.holder !== c) await this.acquire(c);
    try {
      if (this.owner === c) {
        // ROLLBACK outside a transaction only warns; DISCARD ALL resets everything the
        // client set (and UNLISTEN *, whose effect on the app is undone by switchTo).
        await this.pg.exec('ROLLBACK').catch(() => {});
        await this.pg.exec('DISCARD ALL').catch(() => {});
        await this.switchTo('app', false);
      }
    } finally {
      this.clientHoldsOpenTransaction = false;
      this.release(c);
    }
  }

  /** Whether `c` has the session now (mid-transaction). */
  holds(c: ClientParty): boolean {
    return this.holder === c;
  }

  private acquire(party: Party): Promise<void> {
    if (this.holder === null && this.queue.length === 0) {
      this.holder = party;
      return Promise.resolve();
    }
    return new Promise<void>((grant) => {
      this.queue.push({ party, since: Date.now(), grant });
      if (party === 'app' && this.holder !== null && this.holder !== 'app' && this.clientHoldsOpenTransaction)
        this.armEviction(this.holder);
    });
  }

  private release(party: Party): void {
    if (this.holder !== party) return;
    if (this.evictTimer) {
      clearTimeout(this.evictTimer);
      this.evictTimer = null;
    }
    const next = this.queue.shift();
    this.holder = next ? next.party : null;
    next?.grant();
  }

  /** While the app waits on `c`'s open transaction, end it after the bound. */
  private armEviction(c: Party): void {
    if (c === 'app' || this.evictTimer || !this.queue.some((w) => w.party === 'app')) return;
    const waitingSince = Math.min(...this.queue.filter((w) => w.party === 'app').map((w) => w.since));
    const delay = Math.max(0, waitingSince + this.transactionWaitMs - Date.now());
    this.evictTimer = setTimeout(() => {
      this.evictTimer = null;
      if (this.holder !== c) return;
      if (this.clientBusy) return this.armEviction(c); // between messages only
      c.evict(
        `its transaction was open for more than ${this.transactionWaitMs} ms while the API waited for the database (the embedded store has one session, shared with the API); the transaction was rolled back. Keep transactions short, or use PostgreSQL (DATABASE_URL) for long ones.`,
      );
    }, delay);
    this.evictTimer.unref?.();
  }

  private async saveState(): Promise<SessionState> {
    const res = await this.pg.query<{ name: string; value: string }>(
      `SELECT name, current_setting(name) AS value FROM pg_settings WHERE source = 'session' AND name NOT IN ('session_authorization', 'role')`,
    );
    const [who] = (await this.pg.query<{ su: string; role: string }>(`SELECT session_user::text AS su, current_setting('role') AS role`))
      .rows;
    return { settings: res.rows.map((r) => [r.name, r.value]), sessionUser: who.su, role: who.role };
  }

  private async loadState(s: SessionState, startRole: string | null): Promise<void> {
    const sql: string[] = [];
    const user = s.sessionUser ?? startRole;
    if (user) sql.push(`SET SESSION AUTHORIZATION ${quoteIdent(user)}`);
    if (s.role && s.role !== 'none') sql.push(`SET ROLE ${quoteIdent(s.role)}`);
    if (sql.length) await this.pg.exec(sql.join('; '));
    for (const [name, value] of s.settings) {
      // A setting the restored role may not set any more is skipped, not fatal.
      await this.pg.query('SELECT set_config($1, $2, false)', [name, value]).catch(() => {});
    }
  }

  private async switchTo(target: Party, saveOutgoing = true): Promise<void> {
    if (this.owner === target) return;
    const from = this.owner;
    if (saveOutgoing) {
      if (from === 'app') this.appState = await this.saveState();
      else from.state = await this.saveState();
    }
    await this.pg.exec('SET SESSION AUTHORIZATION DEFAULT; RESET ROLE; RESET ALL');
    if (target === 'app') {
      await this.loadState(this.appState, null);
      for (const channel of this.appChannels.keys()) await this.pg.exec(`LISTEN ${quoteIdent(channel)}`);
    } else {
      // A fresh client finds cinemap's functions unqualified, as on a server (where the
      // database's own search_path does it; PGlite does not apply database settings).
      await this.loadState(
        target.state ?? { settings: [['search_path', ANALYST_SEARCH_PATH]], sessionUser: null, role: null },
        target.startRole,
      );
    }
    this.owner = target;
  }
}
