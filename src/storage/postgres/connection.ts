/**
 * The one PostgreSQL connection of a tuner process (a plain `pg.Client`, not a Pool: every Storage call is one
 * transaction run one at a time on the main thread, so a second connection would only add a server process).
 *
 * Outages: once connected, a dropped connection (server restart, network) is reopened with exponential backoff
 * for up to `reconnectForMs`, and the interrupted transaction is run again. A transaction that broke before its
 * COMMIT was sent was rolled back by the server, so running it again is safe. One that broke during COMMIT (or a
 * single autocommitted statement that broke after it was sent) has an unknown outcome: writes that must not happen
 * twice (create, claim, finish, promote, requeue) record a client-chosen token in the same transaction, and after
 * reconnecting the token says whether it committed (`settled`: a check that waits for the old transaction, so it
 * can't be fooled by one still running on a half-open connection).
 * The rest (report upserts, heartbeats, definitions) are idempotent and simply run again.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { errorMessage, StorageError, TuneError } from '../../core/errors.js';
import { passwordFor, type PostgresTarget } from './url.js';

/** The server can't be used as given: bad URL, wrong password, unreachable host, missing database. Exit 2. */
export class PostgresConnectError extends StorageError {
  override readonly exitCode = 2;
}

export interface ConnectionSettings {
  /** How long one connection attempt may take before the host counts as unreachable (ms). */
  readonly connectTimeoutMs: number;
  /** How long to keep reconnecting after an established connection broke, before failing the call (ms). */
  readonly reconnectForMs: number;
  /** Every transaction is read-only (the server refuses writes too). */
  readonly readonly: boolean;
  /** Run once, on the first connection only: migrations or the schema check. */
  readonly onFirstConnect: (client: pg.Client) => Promise<void>;
  /** Told about each reconnection (for a warning); optional. */
  readonly onReconnect?: (attempt: number, error: string) => void;
}

/**
 * How a Storage call runs: 'read' in one REPEATABLE READ snapshot; 'write' as BEGIN … COMMIT, its write token (if any)
 * inserted by the connection before COMMIT; 'call' as ONE autocommitted statement that is given the token and records
 * it itself (a server-side function, in the same round trip as its work: its locks are released inside the server,
 * never held across a client round trip); 'one-read' and 'one-write' as one statement.
 */
export type TransactionMode = 'read' | 'write' | 'call' | 'one-read' | 'one-write';

/** How a write whose COMMIT outcome is unknown is told apart: its result as text, and how to rebuild it. */
export interface Idempotence<T> {
  readonly encode: (value: T) => string;
  /** Runs inside the transaction queue: read with `client`, never through the Storage methods. */
  readonly decode: (text: string, client: pg.Client) => Promise<T>;
}

// node-postgres returns int8 (counts, bigint columns) as strings; every int8 tune stores fits a double exactly.
const INT8 = 20;
// timestamptz (trials.lease_until, write_tokens.created_at) stays text: tune compares them in SQL only, and every
// trial row read carries lease_until, which node-postgres would otherwise parse into a Date nobody reads.
const TIMESTAMPTZ = 1184;
const asNumber = (v: string): number => Number(v);
const asText = (v: string): string => v;
export const typeParsers = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8 ? asNumber : oid === TIMESTAMPTZ && format !== 'binary' ? asText : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN', 'ENOTFOUND',
  '57P01', '57P02', '57P03', // admin_shutdown, crash_shutdown, cannot_connect_now (starting up or shutting down)
]);

/** An error that says the connection, not the statement, failed (so the transaction can be run again). */
export function isConnectionError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  return /Connection terminated|not queryable|timeout expired|Connection ended/i.test(e.message);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Whether the write that recorded `token` committed: its result, or undefined if it didn't and never will. The check
 * inserts the token itself (ON CONFLICT DO NOTHING), which waits for a transaction still holding an uncommitted
 * insert of it (the old connection may be half-open, its transaction still running), and once inserted makes any
 * later insert of it fail, so a write that hadn't got that far can no longer commit. A plain SELECT could miss a
 * write still in flight and let it commit after the retry: a trial created twice.
 */
async function settled(client: pg.Client, token: string): Promise<string | undefined> {
  const burnt = await client.query('INSERT INTO write_tokens (token, result) VALUES ($1, $2) ON CONFLICT (token) DO NOTHING', [token, '']);
  if (burnt.rowCount === 1) return undefined;
  const done = await client.query<{ result: string }>('SELECT result FROM write_tokens WHERE token = $1', [token]);
  return done.rows[0]?.result;
}

export class PgConnection {
  private client: pg.Client | null = null;
  private firstDone = false;
  private closed = false;
  private tail: Promise<unknown> = Promise.resolve();
  /** Transactions run again after a reconnection, for tests and `tune doctor`. */
  reconnections = 0;

  constructor(private readonly target: PostgresTarget, private readonly settings: ConnectionSettings) {}

  /**
   * Runs `fn` as one transaction, after every transaction queued before it. Reads run in one snapshot
   * (REPEATABLE READ, read only); writes in READ COMMITTED with row and advisory locks taken by `fn`.
   */
  transaction<T>(
    what: string, mode: TransactionMode, fn: (c: pg.Client, token: string | undefined) => Promise<T>, idem?: Idempotence<T>,
  ): Promise<T> {
    // 'one-read' and 'one-write': a single statement is its own snapshot and its own transaction; BEGIN and COMMIT
    // would only add two round trips. A 'one-write' must be idempotent (it may run again after a lost answer).
    const begin = mode === 'read' ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : mode === 'write' ? 'BEGIN' : null;
    const run = this.tail.then(() => this.runWithRetry(what, begin, fn, idem, mode === 'call'));
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private async runWithRetry<T>(
    what: string, begin: string | null, fn: (c: pg.Client, token: string | undefined) => Promise<T>, idem: Idempotence<T> | undefined,
    tokenInFn: boolean,
  ): Promise<T> {
    if (this.closed) throw new StorageError(`${what}: the database ${this.target.display} is closed`);
    let brokeAt = 0;
    /** The token of an earlier try whose outcome is unknown (it broke during its commit), until it is settled. */
    let unsettled: string | undefined;
    let attempt = 0;
    for (;;) {
      let token: string | undefined;
      let committing = false;
      let client: pg.Client | undefined;
      try {
        client = await this.connected(what);
        if (unsettled !== undefined && idem) {
          // The last try broke during its COMMIT (or its one statement): did it commit?
          const result = await settled(client, unsettled);
          if (result !== undefined) return await idem.decode(result, client);
          unsettled = undefined;
        }
        if (tokenInFn && idem) {
          // One autocommitted statement that records the token itself: it commits as it runs, so once it is sent
          // its outcome is unknown until the answer comes.
          token = randomUUID();
          committing = true;
          return await fn(client, token);
        }
        if (begin === null) return await fn(client, undefined);
        await client.query(begin);
        const value = await fn(client, undefined);
        if (idem) {
          token = randomUUID();
          await client.query('INSERT INTO write_tokens (token, result) VALUES ($1, $2)', [token, idem.encode(value)]);
        }
        committing = true;
        await client.query('COMMIT');
        return value;
      } catch (e) {
        if (!isConnectionError(e) || !this.firstDone) {
          // Only a BEGIN leaves a transaction open; a statement on its own has already ended its own.
          if (begin !== null && client && this.client === client && !isConnectionError(e)) await client.query('ROLLBACK').catch(() => undefined);
          throw this.wrap(what, e);
        }
        this.drop(client);
        // Broken before its COMMIT was sent: rolled back, nothing to look up. (A break while settling keeps the old token.)
        if (committing && token !== undefined) unsettled = token;
        if (brokeAt === 0) brokeAt = Date.now();
        if (Date.now() - brokeAt > this.settings.reconnectForMs) {
          throw new StorageError(
            `${what}: lost the connection to PostgreSQL at ${this.where()} and couldn't reconnect for ` +
              `${Math.round(this.settings.reconnectForMs / 1000)} s: ${errorMessage(e)}`,
            { cause: e },
          );
        }
        attempt++;
        this.settings.onReconnect?.(attempt, errorMessage(e));
        this.reconnections++;
        await sleep(Math.min(2000, 50 * 2 ** Math.min(attempt, 6)));
      }
    }
  }

  private where(): string {
    return `${this.target.host}:${this.target.port}`;
  }

  private drop(client: pg.Client | undefined): void {
    if (client && this.client === client) this.client = null;
    client?.end().catch(() => undefined);
  }

  private wrap(what: string, e: unknown): TuneError {
    if (e instanceof TuneError) return e;
    return new StorageError(`${what} failed on ${this.target.display}: ${errorMessage(e)}`, { cause: e });
  }

  /** The open client, connecting first if needed. The first connection's failures are bad input (exit 2). */
  private async connected(what: string): Promise<pg.Client> {
    if (this.client) return this.client;
    const t = this.target;
    const client = new pg.Client({
      host: t.host, port: t.port, user: t.user, database: t.database,
      password: async () => passwordFor(t) ?? '',
      application_name: t.applicationName,
      ...(t.options !== undefined ? { options: t.options } : {}),
      connectionTimeoutMillis: this.settings.connectTimeoutMs,
      keepAlive: true,
      types: typeParsers,
    });
    // An idle connection that the server ends emits 'error'; without a listener it would crash the process.
    client.on('error', () => this.drop(client));
    try {
      await client.connect();
      if (this.settings.readonly) await client.query('SET default_transaction_read_only = on');
      if (!this.firstDone) await this.settings.onFirstConnect(client);
    } catch (e) {
      client.end().catch(() => undefined);
      if (this.firstDone && isConnectionError(e)) throw e;
      throw this.firstDone ? this.wrap(what, e) : this.connectFailure(e);
    }
    this.firstDone = true;
    this.client = client;
    return client;
  }

  /** Why the first connection failed, naming the server (never the password) and what to do. */
  private connectFailure(e: unknown): TuneError {
    if (e instanceof TuneError) return e;
    const t = this.target;
    const code = (e as { code?: unknown }).code;
    const msg = errorMessage(e);
    const at = `PostgreSQL at ${this.where()} (${t.display})`;
    const fail = (why: string) => new PostgresConnectError(`cannot connect to ${at}: ${why}`, { cause: e });
    switch (code) {
      case '28P01':
        return fail(`${msg}. Give the password in the URL, in PGPASSWORD or in ~/.pgpass`);
      case '3D000':
        return fail(
          `database "${t.database}" does not exist. Create it first: createdb -h ${t.host} -p ${t.port} -U ${t.user} ` +
            `${t.database} (or CREATE DATABASE "${t.database}"; in psql)`,
        );
      case '28000':
        return fail(`${msg} (the server's pg_hba.conf doesn't let this user in from here)`);
      case 'ECONNREFUSED':
        return fail('connection refused (is the server running, and listening on that host and port?)');
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return fail(`unknown host "${t.host}"`);
      default:
        if (/timeout/i.test(msg)) {
          return fail(`no answer within ${Math.round(this.settings.connectTimeoutMs / 1000)} s (unreachable host, or a firewall?)`);
        }
        if (/SASL|password/i.test(msg)) return fail(`${msg}. Give the password in the URL, in PGPASSWORD or in ~/.pgpass`);
        return fail(msg);
    }
  }
}
