import type { Params, RankedTrial, StudyRecord } from '../../core/types.js';
import { paramNames } from './leaderboard.js';
import { finiteOrNull, type Printable } from './output.js';
import { renderTable } from './table.js';
import { formatNumber, formatParam } from './values.js';

/** One exported config: the shape of `tune export --format json`. */
export interface ExportedConfig {
  readonly rank: number;
  readonly trial: number;
  readonly value: number | null;
  readonly metric: string;
  readonly params: Params;
  readonly epochs: number;
}

export function toExported(study: StudyRecord, ranked: readonly RankedTrial[]): ExportedConfig[] {
  return ranked.map(({ rank, trial }) => ({
    rank,
    trial: trial.number,
    value: finiteOrNull(trial.value),
    metric: study.metric,
    params: trial.params,
    epochs: trial.epochs,
  }));
}

/** `tune export`: the best configs, ready to paste into training code. */
export function exportPrintable(study: StudyRecord, ranked: readonly RankedTrial[]): Printable {
  const configs = toExported(study, ranked);
  const names = paramNames(ranked);
  return {
    data: configs,
    rows: () => ({
      header: ['rank', 'trial', 'value', 'metric', 'epochs', ...names],
      rows: configs.map((c) => [c.rank, c.trial, c.value, c.metric, c.epochs, ...names.map((n) => c.params[n] ?? null)]),
    }),
    table: () =>
      configs.length === 0
        ? `study ${study.name}: no complete trials`
        : renderTable(
            ['rank', 'trial', study.metric, 'epochs', ...names],
            configs.map((c) => [String(c.rank), `#${c.trial}`, formatNumber(c.value), String(c.epochs), ...names.map((n) => (c.params[n] === undefined ? '' : formatParam(c.params[n])))]),
          ),
  };
}
