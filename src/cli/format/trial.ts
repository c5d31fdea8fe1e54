import type { EpochReport, StudyRecord, TrialRecord } from '../../core/types.js';
import { renderTable } from './table.js';
import { formatNumber, formatParam } from './values.js';

/** `tune show`: a trial's params, state (with the reason when it failed) and learning curve. */
export function renderTrial(study: StudyRecord, trial: TrialRecord, reports: readonly EpochReport[]): string {
  const lines = [
    `study ${study.name} · trial #${trial.number}`,
    `state    ${trial.state}${trial.error ? ` (${trial.error.kind}): ${trial.error.message}` : ''}`,
    `${study.metric.padEnd(8)} ${formatNumber(trial.value)} after ${trial.epochs} of ${trial.budget} epochs` +
      (trial.rung === null ? '' : ` · rung ${trial.rung}${trial.bracket === null ? '' : `, bracket ${trial.bracket}`}`),
    `seed     ${trial.seed}`,
    'params',
    ...Object.entries(trial.params).map(([k, v]) => `  ${k} = ${formatParam(v)}`),
  ];
  if (trial.checkpoint) lines.push(`checkpoint ${trial.checkpoint}`);
  if (reports.length === 0) return [...lines, 'no epochs reported'].join('\n');
  const metrics = ['val_loss', 'val_accuracy', 'loss', 'accuracy'].filter((m) => reports.some((r) => r.metrics[m] !== undefined));
  const rows = reports.map((r) => [String(r.epoch), ...metrics.map((m) => formatNumber(r.metrics[m] ?? null))]);
  return [...lines, '', renderTable(['epoch', ...metrics], rows)].join('\n');
}
