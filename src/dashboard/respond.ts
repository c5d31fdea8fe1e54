/** Response helpers: every answer carries the same security headers, and none carries a CORS header. */
import type http from 'node:http';

// Scripts and styles are inline in the report page; everything else, fetches and the event stream included, may only
// come from this server, so the page can't make an outside request even if a study's text tried to inject one.
const CSP = [
  "default-src 'none'", "script-src 'self' 'unsafe-inline'", "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:", "font-src 'self' data:", "connect-src 'self'", "base-uri 'none'",
  "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

export function send(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  extra: Readonly<Record<string, string>> = {},
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(bytes.length), ...extra });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

export const sendText = (req: http.IncomingMessage, res: http.ServerResponse, status: number, text: string, extra?: Record<string, string>) =>
  send(req, res, status, 'text/plain; charset=utf-8', `${text}\n`, extra);

export const sendJson = (req: http.IncomingMessage, res: http.ServerResponse, value: unknown) =>
  send(req, res, 200, 'application/json; charset=utf-8', JSON.stringify(value));

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
