import type { RankedTrial, StudyRecord } from '../../core/types.js';
import { renderTable } from './table.js';
import { formatNumber, formatParam } from './values.js';

/** The ranked table `tune top` prints and a finished sweep ends with. */
export function renderLeaderboard(study: StudyRecord, ranked: readonly RankedTrial[]): string {
  if (ranked.length === 0) return `study ${study.name}: no trials yet`;
  const names = paramNames(ranked);
  const rungs = ranked.some(({ trial }) => trial.rung !== null);
  const header = ['rank', 'trial', 'state', study.metric, 'epochs', ...(rungs ? ['rung'] : []), ...names];
  const rows = ranked.map(({ rank, trial }) => [
    String(rank),
    `#${trial.number}`,
    trial.state,
    formatNumber(trial.value),
    String(trial.epochs),
    ...(rungs ? [trial.rung === null ? '-' : String(trial.rung)] : []),
    ...names.map((n) => (trial.params[n] === undefined ? '' : formatParam(trial.params[n]))),
  ]);
  const arrow = study.direction === 'maximize' ? 'higher is better' : 'lower is better';
  return `study ${study.name} · ${study.metric} (${arrow})\n${renderTable(header, rows)}`;
}

/** Param names in first-seen order across the given trials. */
export function paramNames(ranked: readonly RankedTrial[]): string[] {
  const names = new Set<string>();
  for (const { trial } of ranked) for (const k of Object.keys(trial.params)) names.add(k);
  return [...names];
}
