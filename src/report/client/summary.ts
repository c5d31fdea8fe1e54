/** The summary view as an HTML string: strategy, backend, trials by state, the best trial and its params, epochs, wall time, failures. */
import { STATE_NAMES } from '../data.js';
import { formatDuration, formatNumber, paramValue, type Model } from './model.js';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface SummaryFacts {
  readonly byState: Readonly<Record<string, number>>;
  readonly failures: Readonly<Record<string, number>>;
  readonly totalEpochs: number;
  readonly wallMs: number;
}

export function summaryFacts(model: Model): SummaryFacts {
  const t = model.data.trials;
  const byState: Record<string, number> = Object.fromEntries(STATE_NAMES.map((s) => [s, 0]));
  const failures: Record<string, number> = {};
  let totalEpochs = 0;
  let end = 0;
  for (let i = 0; i < model.n; i++) {
    const s = model.states[i]!;
    byState[s] = (byState[s] ?? 0) + 1;
    totalEpochs += t.epochs[i]!;
    const e = t.error[i];
    if (s === 'failed' && e !== null && e !== undefined) failures[e] = (failures[e] ?? 0) + 1;
    end = Math.max(end, t.finished[i] ?? t.started[i] ?? t.created[i]!);
  }
  return { byState, failures, totalEpochs, wallMs: end };
}

export function summaryHtml(model: Model): string {
  const d = model.data;
  const f = summaryFacts(model);
  const row = (k: string, v: string) => `<tr><th>${escapeHtml(k)}</th><td>${v}</td></tr>`;
  const states = STATE_NAMES.filter((s) => (f.byState[s] ?? 0) > 0).map((s) => `<span class="state state-${s}">${s} ${(f.byState[s] ?? 0).toLocaleString('en')}</span>`).join(' ');
  const failures = Object.entries(f.failures).map(([k, n]) => `${escapeHtml(k)} ${n}`).join(', ');
  let best = '<p class="empty">No trial has finished with a value yet.</p>';
  if (model.best >= 0) {
    const i = model.best;
    const params = d.params.map((p) => row(p.name, escapeHtml(String(paramValue(p, i) ?? '–')))).join('');
    best = `<h3>Best trial: #${d.trials.number[i]} (${model.states[i]}), ${escapeHtml(d.study.metric)} = ${escapeHtml(formatNumber(d.trials.value[i], 6))}, ${d.trials.epochs[i]} epochs</h3><table class="kv best-params">${params}</table>`;
  }
  return `<table class="kv">${[
    row('study', escapeHtml(d.study.name)),
    row('strategy', escapeHtml(d.study.strategy)),
    row('objective', `${escapeHtml(d.study.direction)} ${escapeHtml(d.study.metric)}`),
    row('backend', escapeHtml(d.study.backend ?? '–')),
    row('trials', `${model.n.toLocaleString('en')} ${states}`),
    row('total epochs', f.totalEpochs.toLocaleString('en')),
    row('wall time', formatDuration(f.wallMs)),
    row('failures', failures === '' ? 'none' : failures),
  ].join('')}</table>${best}`;
}
