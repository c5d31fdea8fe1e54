/** The dashboard's front page: every study in the file, linking to its live report. */
import { TRIAL_STATES } from '../core/types.js';
import type { StudySummary } from '../storage/types.js';
import { escapeHtml } from './respond.js';

export const studyPath = (name: string): string => `/study/${encodeURIComponent(name)}`;

export function renderStudyList(file: string, studies: readonly StudySummary[]): string {
  const rows = studies.map(({ study, counts, best }) => {
    const total = TRIAL_STATES.reduce((n, s) => n + counts[s], 0);
    return `<tr data-study="${escapeHtml(study.name)}"><td><a href="${escapeHtml(studyPath(study.name))}">${escapeHtml(study.name)}</a></td>` +
      `<td>${escapeHtml(study.strategy)}</td><td>${escapeHtml(`${study.direction} ${study.metric}`)}</td>` +
      `<td class="num">${total}</td><td class="num">${counts.running}</td><td class="num">${counts.complete}</td>` +
      `<td class="num">${best === null ? '-' : escapeHtml(String(best))}</td></tr>`;
  });
  const body = studies.length === 0
    ? `<p class="empty">No studies in ${escapeHtml(file)} yet: run a sweep, then reload.</p>`
    : `<table><thead><tr><th>study</th><th>strategy</th><th>objective</th><th>trials</th><th>running</th><th>complete</th><th>best</th></tr></thead>` +
      `<tbody>${rows.join('')}</tbody></table>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>tune dashboard</title>` +
    `<link rel="stylesheet" href="/static/dashboard.css"></head><body class="tune-dashboard">` +
    `<h1>tune dashboard</h1><p>${escapeHtml(file)} (read-only)</p>${body}</body></html>`;
}
