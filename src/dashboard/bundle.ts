/**
 * The dashboard's static files, held in memory: the only files it serves. Nothing on disk is reachable through
 * `/static/`, whatever the path says; an unknown name is 404.
 */
import { applyPatch } from './patch.js';

export interface Asset {
  readonly type: string;
  readonly body: string;
}

/**
 * The live client: after the report page's first render it opens the study's event stream at the page's `seq`,
 * and at the next frame hands the patches' ops to `window.tuneReport.patch`, which applies them to the page's data in
 * place; ops it doesn't track go to a patched copy of the data and `window.tuneReport.update`. Patches that come in
 * meanwhile join the same render, so a slow render of a huge study never builds a backlog. A patch from another `seq`
 * (a missed event, a restarted server) makes it fetch the full data once and reconnect.
 */
export const LIVE_JS = `'use strict';
(() => {
  const applyPatch = ${applyPatch.toString()};
  const root = document.documentElement;
  const source = document.body.dataset.source;
  if (!source) return;
  const eventsUrl = source.replace(/\\/report$/, '/events');
  let stream = null;
  let pending = null;
  let scheduled = false;
  // A small badge so the user sees the page is live (and when it is reconnecting).
  const badge = document.createElement('div');
  badge.id = 'tune-live';
  badge.setAttribute('role', 'status');
  badge.style.cssText = 'position:fixed;right:12px;bottom:12px;padding:4px 10px;border-radius:12px;font:12px system-ui,sans-serif;' +
    'background:#1f2937;color:#fff;opacity:.85;z-index:10';
  badge.textContent = 'connecting…';
  document.body.appendChild(badge);
  const show = (state) => {
    root.dataset.live = state;
    badge.textContent = state === 'live' ? '● live' : 'reconnecting…';
    badge.style.background = state === 'live' ? '#166534' : '#92400e';
  };
  const render = (data) => {
    window.tuneReport.update(data);
    root.dataset.liveSeq = String(data.seq);
  };
  // The report page patches its data in place where it knows the ops (tuneReport.patch); else a patched copy.
  const renderOps = (ops) => {
    const report = window.tuneReport;
    if (report.patch && report.patch(ops)) root.dataset.liveSeq = String(report.data().seq);
    else render(applyPatch(structuredClone(report.data()), ops));
  };
  const reload = async () => {
    const res = await fetch(source, { cache: 'no-store' });
    if (!res.ok) throw new Error('dashboard: ' + source + ' answered ' + res.status);
    const data = await res.json();
    render(data);
    connect(data.seq);
  };
  const connect = (seq) => {
    if (stream) stream.close();
    stream = new EventSource(eventsUrl + '?seq=' + encodeURIComponent(String(seq)));
    stream.onopen = () => show('live');
    stream.onerror = () => show('reconnecting');
    stream.addEventListener('patch', (event) => {
      const patch = JSON.parse(event.data);
      // Patches that arrive while the page is still drawing the last one are folded into one render.
      const at = pending ? pending.to : window.tuneReport.data().seq;
      if (at !== patch.from) { pending = null; reload().catch((e) => console.warn(String(e))); return; }
      if (!pending) pending = { ops: [], to: patch.to };
      for (const op of patch.ops) pending.ops.push(op);
      pending.to = patch.to;
      if (!scheduled) {
        scheduled = true;
        requestAnimationFrame(() => {
          scheduled = false;
          const next = pending;
          pending = null;
          if (next) renderOps(next.ops);
        });
      }
    });
    stream.addEventListener('reload', () => { pending = null; reload().catch((e) => console.warn(String(e))); });
  };
  // The report client sets window.tuneReport as it boots; wait for it if this script ran first.
  const whenReport = () => new Promise((resolve) => {
    const check = () => (window.tuneReport ? resolve(window.tuneReport.ready) : setTimeout(check, 20));
    check();
  });
  whenReport().then(() => {
    const data = window.tuneReport.data();
    root.dataset.liveSeq = String(data.seq);
    connect(data.seq);
  });
})();
`;

const STYLE_CSS = `
body.tune-dashboard { font: 14px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #222; }
.tune-dashboard table { border-collapse: collapse; width: 100%; }
.tune-dashboard th, .tune-dashboard td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #ddd; }
.tune-dashboard td.num { text-align: right; font-variant-numeric: tabular-nums; }
.tune-dashboard .empty { color: #777; }
`;

export const BUNDLE: ReadonlyMap<string, Asset> = new Map([
  ['live.js', { type: 'text/javascript; charset=utf-8', body: LIVE_JS }],
  ['dashboard.css', { type: 'text/css; charset=utf-8', body: STYLE_CSS }],
]);
