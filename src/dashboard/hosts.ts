/**
 * Which `Host` headers the dashboard answers: only the name or address it is bound to, with its port. A page on
 * another site that rebinds its own DNS name to 127.0.0.1 (DNS rebinding) still sends its own name as `Host`, so
 * it is refused, and it can't read the studies through the user's browser.
 */
import net from 'node:net';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase()) || /^127(\.\d{1,3}){3}$/.test(host);
}

/** `host:port` as it appears in a URL (IPv6 in brackets). */
export function hostPort(host: string, port: number): string {
  return `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
}

/**
 * The `Host` values (lower case) to accept for a server bound to `host`:`port`: that name with the port, and for a
 * loopback bind also `localhost`, `127.0.0.1` and `[::1]`. Without the port only when it is 80 (browsers leave the
 * default port out).
 */
export function allowedHosts(host: string, port: number): ReadonlySet<string> {
  const names = isLoopback(host) ? [host, 'localhost', '127.0.0.1', '::1'] : [host];
  const allowed = new Set<string>();
  for (const name of names) {
    allowed.add(hostPort(name, port).toLowerCase());
    if (port === 80) allowed.add((net.isIPv6(name) ? `[${name}]` : name).toLowerCase());
  }
  return allowed;
}

/** Whether a request's `Host` header (absent: refused; HTTP/1.1 requires it) is one of `allowed`. */
export function hostAllowed(header: string | undefined, allowed: ReadonlySet<string>): boolean {
  return header !== undefined && allowed.has(header.trim().toLowerCase());
}
