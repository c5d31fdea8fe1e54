/**
 * What `--storage` names: a SQLite file (any plain path) or a PostgreSQL server (`postgres://` / `postgresql://`).
 * Any other `scheme://` is refused rather than taken as a folder name. Passwords never leave this module unredacted.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';

export const POSTGRES_SCHEMES = ['postgres', 'postgresql'] as const;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** True for any `scheme://…`: a URL, never to be normalised as a path. */
export function hasUrlScheme(target: string): boolean {
  return SCHEME.test(target);
}

/** True for `postgres://…` and `postgresql://…`. */
export function isPostgresUrl(target: string): boolean {
  const m = SCHEME.exec(target);
  return m !== null && (POSTGRES_SCHEMES as readonly string[]).includes(m[1]!.toLowerCase());
}

/** Throws UsageError (exit 2) for a `scheme://` tune doesn't support; a plain path or a PostgreSQL URL passes. */
export function checkStorageScheme(target: string): void {
  const m = SCHEME.exec(target);
  if (m === null || isPostgresUrl(target)) return;
  throw new UsageError(
    `--storage ${redactUrl(target)}: unsupported storage scheme "${m[1]}://"; tune supports ` +
      `${POSTGRES_SCHEMES.map((s) => `${s}://`).join(' and ')} (PostgreSQL), or a file path (SQLite)`,
  );
}

/** The URL with its password (if any) replaced by `***`, for every message that shows it. */
export function redactUrl(url: string): string {
  // By hand, not with URL: a URL too broken for the parser must still be shown without its password.
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/@:?#]*):[^@/]*@/, '$1:***@')
    .replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/** Every `scheme://user:password@` in free text (an error message, a stack) with the password as `***`. */
export function redactSecrets(text: string): string {
  return text.replace(/\b([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/@:\s?#]*):[^@/\s]*@/g, '$1:***@')
    .replace(/([?&]password=)[^&#\s]*/gi, '$1***');
}

/** The connection settings a URL gives; the password is read when connecting (`passwordFor`). */
export interface PostgresTarget {
  /** The URL without its password, to name the server in messages. */
  readonly display: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** From the URL itself; `undefined` leaves it to PGPASSWORD, then ~/.pgpass. */
  readonly password: string | undefined;
  /** The `options` query parameter (e.g. `-c search_path=lab`), passed to the server as is. */
  readonly options: string | undefined;
  readonly applicationName: string;
  /** `?connect_timeout=` or PGCONNECT_TIMEOUT (seconds, as libpq), in ms; undefined for tune's default. */
  readonly connectTimeoutMs: number | undefined;
}

/** Parses a PostgreSQL URL; a malformed one is a UsageError (exit 2) that shows it without its password. */
export function parsePostgresUrl(url: string, env: NodeJS.ProcessEnv = process.env): PostgresTarget {
  const display = redactUrl(url);
  let u: URL;
  // WHATWG URL refuses credentials without a host (postgres://tune@/db?host=/run/postgresql), which libpq allows.
  const NO_HOST = 'tune-no-host.invalid';
  try {
    u = new URL(url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*@)(?=[/?#]|$)/, `$1${NO_HOST}`));
  } catch {
    throw new UsageError(`--storage ${display}: not a valid PostgreSQL URL (expected postgres://user[:password]@host[:port]/database)`);
  }
  const bad = (why: string): never => {
    throw new UsageError(`--storage ${display}: ${why} (expected postgres://user[:password]@host[:port]/database)`);
  };
  const decode = (s: string, what: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      return bad(`its ${what} is not valid percent-encoding`);
    }
  };
  const q = u.searchParams;
  // A unix-socket folder goes in ?host=/var/run/postgresql or percent-encoded as the host.
  const host = q.get('host') ?? (u.hostname === '' || u.hostname === NO_HOST ? env.PGHOST ?? 'localhost' : decode(u.hostname, 'host'));
  const portText = q.get('port') ?? (u.port === '' ? env.PGPORT ?? '5432' : u.port);
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) bad(`port "${portText}" is not a port number`);
  const pathname = decode(u.pathname.replace(/^\//, ''), 'database name');
  if (pathname.includes('/')) bad(`"${pathname}" is not a database name`);
  const user = u.username !== '' ? decode(u.username, 'user name') : q.get('user') ?? env.PGUSER ?? os.userInfo().username;
  const database = pathname !== '' ? pathname : env.PGDATABASE ?? user;
  const password = u.password !== '' ? decode(u.password, 'password') : q.get('password') ?? undefined;
  const known = new Set(['host', 'port', 'user', 'password', 'options', 'application_name', 'connect_timeout']);
  const timeoutText = q.get('connect_timeout') ?? env.PGCONNECT_TIMEOUT;
  const timeout = timeoutText === undefined ? undefined : Number(timeoutText);
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) bad(`connect_timeout "${timeoutText}" is not a number of seconds > 0`);
  for (const key of q.keys()) if (!known.has(key)) bad(`unknown parameter "${key}" (tune reads ${[...known].join(', ')})`);
  return {
    display, host, port, user, database, password,
    options: q.get('options') ?? undefined,
    applicationName: q.get('application_name') ?? 'tune',
    connectTimeoutMs: timeout === undefined ? undefined : timeout * 1000,
  };
}

/** The password to send: the URL's, else PGPASSWORD, else the first matching ~/.pgpass line (libpq's order). */
export function passwordFor(target: PostgresTarget, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (target.password !== undefined) return target.password;
  if (env.PGPASSWORD !== undefined && env.PGPASSWORD !== '') return env.PGPASSWORD;
  return fromPgpass(target, env.PGPASSFILE ?? path.join(os.homedir(), '.pgpass'));
}

/**
 * libpq's password file: `host:port:database:user:password` lines, `*` matching anything, `\` escaping `:` and `\`.
 * Like libpq it is ignored unless only its owner can read it (mode 0600 or stricter).
 */
export function fromPgpass(target: PostgresTarget, file: string): string | undefined {
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile() || (process.platform !== 'win32' && (stat.mode & 0o077) !== 0)) return undefined;
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  // libpq matches a unix-socket host as "localhost".
  const host = target.host.startsWith('/') ? 'localhost' : target.host;
  const wanted = [host, String(target.port), target.database, target.user];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const fields = splitPgpassLine(line);
    if (fields.length < 5) continue;
    if (wanted.every((w, i) => fields[i] === '*' || fields[i] === w)) return fields.slice(4).join(':');
  }
  return undefined;
}

function splitPgpassLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) field += line[++i];
    else if (c === ':') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}
