/**
 * `tune dashboard`'s HTTP server (node:http): read-only, loopback by default. Every request is checked in this
 * order: its `Host` header must name the bound address (403 otherwise: DNS rebinding), its method must be GET or
 * HEAD (405), and its path must be a route or a bundle file (404). Live pages get server-sent events: the server
 * polls each watched study's change sequence and pushes the patch to the new data.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import type { StudyRecord } from '../core/types.js';
import type { Storage } from '../storage/types.js';
import { BUNDLE, LIVE_JS } from './bundle.js';
import { StudyFeed, type BuildData, type FeedUpdate } from './feed.js';
import { allowedHosts, hostAllowed, hostPort } from './hosts.js';
import { parseTarget } from './paths.js';
import { send, sendJson, sendText, SECURITY_HEADERS } from './respond.js';
import { renderStudyList } from './studies-page.js';

/** The HTML of a study's live page: it loads its data from `dataUrl` (the report's `renderPage({ dataSource })`). */
export type RenderPage = (dataUrl: string, study: StudyRecord) => Promise<string>;

export interface DashboardOptions {
  /** Opened read-only by the caller; never written. */
  readonly storage: Storage;
  /** Shown on the study list (its base name only). */
  readonly file: string;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly renderPage: RenderPage;
  readonly buildData: BuildData;
  /** How often watched studies are checked for changes (ms). */
  readonly pollMs?: number;
}

export interface Dashboard {
  readonly url: string;
  readonly port: number;
  /** Resolves once the page data of the WARM_STUDIES most recently updated studies is built (pages load at once then). */
  readonly prepared: Promise<void>;
  /** Stops listening, ends open event streams, and resolves when the server is closed. */
  close(): Promise<void>;
}

interface Subscriber {
  readonly res: http.ServerResponse;
  seq: number;
}

const KEEPALIVE_MS = 15_000;
/**
 * How many studies (the most recently updated) get their page data built as soon as the server listens, so the
 * first page load finds it ready: at 100,000 trials the first build reads every trial and curve and takes seconds.
 */
export const WARM_STUDIES = 3;
/** The least time between two polls, however often the database is written. */
const MIN_GAP_MS = 50;

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const { storage } = options;
  const feeds = new Map<number, StudyFeed>();
  const subscribers = new Map<number, Set<Subscriber>>();
  let allowed: ReadonlySet<string> = new Set();

  const feedFor = (study: StudyRecord): StudyFeed => {
    let feed = feeds.get(study.id);
    if (!feed) feeds.set(study.id, (feed = new StudyFeed(storage, study, options.buildData)));
    return feed;
  };

  const studyNamed = async (name: string): Promise<StudyRecord | null> => storage.getStudy(name);

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host, allowed)) {
      sendText(req, res, 403, 'Forbidden: this dashboard only answers requests addressed to the host it listens on');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(req, res, 405, 'Method Not Allowed: the dashboard is read-only', { Allow: 'GET, HEAD' });
      return;
    }
    const target = parseTarget(req.url);
    const notFound = () => sendText(req, res, 404, 'Not Found');
    if (!target) return notFound();
    const [first, second, third, ...rest] = target.segments;

    if (first === undefined) {
      send(req, res, 200, 'text/html; charset=utf-8', renderStudyList(path.basename(options.file), await storage.studies()));
      return;
    }
    if (first === 'static' && second !== undefined && third === undefined) {
      const asset = BUNDLE.get(second);
      return asset ? send(req, res, 200, asset.type, asset.body) : notFound();
    }
    if (first === 'study' && second !== undefined && third === undefined) {
      const study = await studyNamed(second);
      if (!study) return notFound();
      const page = await options.renderPage(`/api/study/${encodeURIComponent(study.name)}/report`, study);
      send(req, res, 200, 'text/html; charset=utf-8', injectLiveClient(page));
      return;
    }
    if (first === 'api' && second === 'studies' && third === undefined) {
      sendJson(req, res, await storage.studies());
      return;
    }
    if (first === 'api' && second === 'study' && third !== undefined && rest.length === 1) {
      const study = await studyNamed(third);
      if (!study) return notFound();
      const what = rest[0];
      if (what === 'report') {
        const feed = feedFor(study);
        await refresh(feed); // a feed nobody watched may be behind
        return sendJson(req, res, await feed.current());
      }
      if (what === 'changes') {
        const since = seqParam(target.query.get('since'));
        if (since === null) return sendText(req, res, 400, 'Bad Request: since must be an integer >= 0');
        return sendJson(req, res, await storage.changesSince(study.id, since));
      }
      if (what === 'events') {
        const seq = seqParam(target.query.get('seq'));
        if (seq === null) return sendText(req, res, 400, 'Bad Request: seq must be an integer >= 0');
        return openStream(req, res, feedFor(study), seq);
      }
    }
    notFound();
  }

  async function openStream(req: http.IncomingMessage, res: http.ServerResponse, feed: StudyFeed, seq: number): Promise<void> {
    await refresh(feed);
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.write('retry: 1000\n\n');
    const id = feed.study.id;
    let set = subscribers.get(id);
    if (!set) subscribers.set(id, (set = new Set()));
    const sub: Subscriber = { res, seq };
    set.add(sub);
    res.on('close', () => set.delete(sub));
    if (seq !== feed.seq) event(sub, 'reload', { seq: feed.seq });
  }

  function event(sub: Subscriber, name: string, data: unknown): void {
    sub.res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Brings a feed up to date and sends the patch to its subscribers, whoever asked for the refresh. */
  async function refresh(feed: StudyFeed): Promise<void> {
    const update = await feed.refresh();
    if (update) publish(feed, update);
  }

  function publish(feed: StudyFeed, update: FeedUpdate): void {
    for (const sub of subscribers.get(feed.study.id) ?? []) {
      if (sub.seq === update.to) continue; // two callers shared one refresh: already sent
      if (sub.seq === update.from) event(sub, 'patch', update);
      else event(sub, 'reload', { seq: update.to });
      sub.seq = update.to;
    }
  }

  // One poll at a time over the studies someone watches. A write to the database (its -wal file changes) wakes it
  // early; the timer is the fallback where file events are missed (network file systems). After a poll the next one
  // waits at least as long as that one took, so rebuilding a huge study while a sweep writes takes at most half a core.
  let polling = true;
  let running = false;
  let woken = false;
  let lastEnd = 0;
  let lastTook = 0;
  let timer: NodeJS.Timeout | undefined;
  const poll = async () => {
    clearTimeout(timer);
    running = true;
    woken = false;
    const started = Date.now();
    for (const [id, set] of subscribers) {
      const feed = feeds.get(id);
      if (!feed || set.size === 0) continue;
      try {
        await refresh(feed);
      } catch (e) {
        process.stderr.write(`tune dashboard: reading study ${feed.study.name} failed: ${e instanceof Error ? e.message : String(e)}\n`);
      }
    }
    running = false;
    lastEnd = Date.now();
    lastTook = lastEnd - started;
    if (woken) wake();
    else if (polling) timer = setTimeout(() => void poll(), options.pollMs ?? 250);
  };
  const wake = () => {
    if (!polling) return;
    if (running) {
      woken = true;
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(() => void poll(), Math.max(0, lastEnd + Math.max(MIN_GAP_MS, lastTook) - Date.now()));
  };
  const watcher = watchDatabase(options.file, wake);

  const server = http.createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      process.stderr.write(`tune dashboard: ${req.method} ${req.url}: ${e instanceof Error ? e.message : String(e)}\n`);
      if (!res.headersSent) sendText(req, res, 500, 'Internal Server Error');
      else res.end();
    });
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new UsageError(`port ${options.port} is in use on ${options.host}: stop what uses it, or pass another --port`));
      else if (e.code === 'EACCES') reject(new UsageError(`port ${options.port} on ${options.host} needs privileges: pass a --port above 1023`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') reject(new UsageError(`--host ${options.host}: not an address of this machine (${e.code})`));
      else reject(e);
    };
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  allowed = hostsFor(options.host, port);
  // Timers only once listening: a failed start must leave nothing that keeps the process alive.
  void poll();
  const warm = async () => {
    const recent = [...(await storage.studies())].sort((a, b) => b.study.updatedAt.localeCompare(a.study.updatedAt)).slice(0, WARM_STUDIES);
    for (const { study } of recent) {
      if (!polling) return;
      await feedFor(study).current(); // a page that asks meanwhile waits for this same build
    }
  };
  const prepared = warm().catch((e: unknown) => {
    if (polling) process.stderr.write(`tune dashboard: preparing the page data failed: ${e instanceof Error ? e.message : String(e)}\n`);
  });
  const keepalive = setInterval(() => {
    for (const set of subscribers.values()) for (const sub of set) sub.res.write(': keepalive\n\n');
  }, KEEPALIVE_MS);

  return {
    url: `http://${hostPort(displayHost(options.host), port)}/`,
    port,
    prepared,
    close: async () => {
      polling = false;
      watcher?.close();
      clearTimeout(timer);
      clearInterval(keepalive);
      for (const set of subscribers.values()) for (const sub of set) sub.res.end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Calls `onWrite` when the database file or its -wal changes; null where the folder can't be watched. */
function watchDatabase(file: string, onWrite: () => void): fs.FSWatcher | null {
  if (file === ':memory:') return null;
  const names = new Set([path.basename(file), `${path.basename(file)}-wal`]);
  try {
    const watcher = fs.watch(path.dirname(path.resolve(file)), { persistent: false }, (_event, name) => {
      if (name !== null && names.has(name)) onWrite();
    });
    watcher.on('error', () => watcher.close());
    return watcher;
  } catch {
    return null;
  }
}

/** A wildcard bind (0.0.0.0, ::) answers to every address of the machine and its host name. */
function hostsFor(host: string, port: number): ReadonlySet<string> {
  if (host !== '0.0.0.0' && host !== '::') return allowedHosts(host, port);
  const names = new Set<string>([...allowedHosts('127.0.0.1', port), ...allowedHosts(os.hostname(), port)]);
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) for (const h of allowedHosts(a.address, port)) names.add(h);
  }
  return names;
}

const displayHost = (host: string): string => (host === '0.0.0.0' || host === '::' ? os.hostname() : host);

function seqParam(raw: string | null): number | null {
  if (raw === null || !/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}

/** Adds the live client to a report page, inline: the page's own CSP allows inline scripts only. */
function injectLiveClient(page: string): string {
  const tag = `<script>${LIVE_JS.replace(/<\/(script)/gi, '<\\/$1')}</script>`;
  const at = page.lastIndexOf('</body>');
  return at === -1 ? page + tag : page.slice(0, at) + tag + page.slice(at);
}
