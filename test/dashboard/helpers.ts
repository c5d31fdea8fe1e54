/** A real dashboard on a free loopback port over a real SQLite file, and raw HTTP requests to it (any Host header). */
import http from 'node:http';
import net from 'node:net';
import { startDashboard, type Dashboard } from '../../src/dashboard/index.js';
import { renderPage } from '../../src/report/index.js';
import { liveReportData } from '../../src/dashboard/live-data.js';
import { openStorage, type Storage } from '../../src/storage/index.js';

export interface Served {
  readonly dashboard: Dashboard;
  readonly storage: Storage;
  readonly port: number;
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves `file` read-only, as `tune dashboard` does, on 127.0.0.1 and (by default) a port the OS picks. */
export async function serve(file: string, host = '127.0.0.1', port = 0): Promise<Served> {
  const storage = openStorage(file, { readonly: true });
  const dashboard = await startDashboard({
    storage, file, host, port,
    renderPage: async (dataSource, study) => renderPage({ dataSource, title: `${study.name} · tune dashboard` }),
    buildData: liveReportData(),
  });
  return {
    dashboard, storage, port: dashboard.port, origin: `http://127.0.0.1:${dashboard.port}`,
    close: async () => {
      await dashboard.close();
      await storage.close();
    },
  };
}

export interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One request with node:http, path sent exactly as given (nothing normalised), Host header as given. */
export function request(
  port: number,
  path: string,
  options: { readonly method?: string; readonly host?: string; readonly headers?: Record<string, string>; readonly body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', agent: false,
        headers: { host: options.host ?? `127.0.0.1:${port}`, ...options.headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A request written byte for byte on a socket (e.g. HTTP/1.0 without a Host header); returns the status line. */
export function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (out += d));
    socket.on('end', () => resolve(out.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}
