/**
 * `renderPage`: the whole report as one HTML string, ECharts and the client inlined, so it works from file:// with
 * the network off. The dashboard calls it with `dataSource` instead of `data` (see README.md).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { clientBundle } from './bundle.js';
import type { ReportData } from './data.js';
import { PAGE_CSS } from './style.js';

export type PageOptions = { readonly title?: string } & ({ readonly data: ReportData } | { readonly dataSource: string });

export const VIEWS = [
  ['summary', 'Summary'],
  ['history', 'Optimisation history'],
  ['curves', 'Learning curves'],
  ['parallel', 'Parallel coordinates'],
  ['slices', 'Slice plots'],
  ['contour', 'Contour'],
  ['importance', 'Parameter importance'],
  ['fidelity', 'Multi-fidelity rungs'],
  ['timeline', 'Worker timeline'],
  ['table', 'Trials'],
] as const;

const HINTS: Readonly<Record<string, string>> = {
  history: 'Each trial’s value by trial number (left) and by wall time (right), coloured by state; the line is the best so far.',
  curves: 'Every trial’s objective per epoch; pruned and paused trials are faded, dashed lines are rung budgets. Click a curve for its params.',
  parallel: 'Drag along an axis to brush: the table and the other charts show only the trials inside every brush. Click an axis outside the brush to clear it.',
  slices: 'The objective against each param.',
  timeline: 'Each trial as a bar over wall time, one lane per concurrent slot of each tuner process; a multi-fidelity trial’s bar includes the time it sat paused between rungs.',
};

let echartsSource: string | null = null;

/** ECharts' minified browser build, read from its npm package (resolved, not a hard-coded path). */
export function echartsScript(): string {
  if (echartsSource === null) {
    const main = createRequire(import.meta.url).resolve('echarts'); // its "require" entry: echarts/dist/echarts.js
    echartsSource = readFileSync(join(dirname(main), 'echarts.min.js'), 'utf8');
  }
  return echartsSource;
}

const escapeText = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
/** Safe inside <script>: JSON with `<` escaped can't close the element or open a comment. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');
const scriptCode = (code: string) => code.replace(/<\/(script)/gi, '<\\/$1');

function sections(): string {
  return VIEWS.map(([id, title]) => {
    const hint = HINTS[id] ? `<p class="hint">${escapeText(HINTS[id])}</p>` : '';
    const body =
      id === 'summary' || id === 'table'
        ? '<div class="content"></div>'
        : `<p class="note"></p><p class="empty" hidden></p><div class="chart chart-${id}"></div>${id === 'curves' ? '<pre class="detail" hidden></pre>' : ''}`;
    return `<section id="view-${id}" data-view="${id}" data-state="loading"><h2>${escapeText(title)}</h2>${hint}${body}</section>`;
  }).join('\n');
}

export function renderPage(options: PageOptions): string {
  const title = options.title ?? ('data' in options ? `${options.data.study.name} · tune report` : 'tune');
  const source = 'dataSource' in options ? ` data-source="${escapeText(options.dataSource)}"` : '';
  const data =
    'data' in options
      ? `<script type="application/json" id="tune-report-data">${scriptJson(options.data)}</script>\n<script>window.__TUNE_REPORT__ = JSON.parse(document.getElementById('tune-report-data').textContent);</script>`
      : '';
  const nav = VIEWS.map(([id, t]) => `<a href="#view-${id}">${escapeText(t)}</a>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; connect-src 'self'">
<title>${escapeText(title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body${source}>
<header><h1>${escapeText(title)}</h1><nav>${nav}</nav></header>
<main>
${sections()}
</main>
${data}
<script>${scriptCode(echartsScript())}</script>
<script>${scriptCode(clientBundle())}</script>
</body>
</html>
`;
}
