/**
 * Splitting a request target into decoded path segments without ever resolving `.` or `..`: a segment that is, or
 * decodes to, `.` or `..`, or holds a slash, backslash or NUL once decoded, makes the whole path unroutable (404),
 * so no spelling of `../` (`%2e%2e`, `..%2f`, `..\`) can reach outside the bundle or another route.
 */
export interface Target {
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
}

export function parseTarget(raw: string | undefined): Target | null {
  if (raw === undefined || !raw.startsWith('/')) return null; // absolute-form and `*` targets are not served
  const q = raw.indexOf('?');
  const pathPart = q === -1 ? raw : raw.slice(0, q);
  const segments: string[] = [];
  for (const encoded of pathPart.split('/').slice(1)) {
    let s: string;
    try {
      s = decodeURIComponent(encoded);
    } catch {
      return null;
    }
    if (s === '.' || s === '..' || /[/\\\0]/.test(s)) return null;
    segments.push(s);
  }
  if (segments.length > 0 && segments[segments.length - 1] === '') segments.pop(); // trailing slash
  if (segments.includes('')) return null; // `//` inside the path
  return { segments, query: new URLSearchParams(q === -1 ? '' : raw.slice(q + 1)) };
}
