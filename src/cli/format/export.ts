import { stringify as toYaml } from 'yaml';
import type { Params, RankedTrial, StudyRecord } from '../../core/types.js';
import { paramNames } from './leaderboard.js';

export const EXPORT_FORMATS = ['json', 'yaml', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

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
    // JSON and YAML have no NaN; a non-finite value is exported as null.
    value: trial.value !== null && Number.isFinite(trial.value) ? trial.value : null,
    metric: study.metric,
    params: trial.params,
    epochs: trial.epochs,
  }));
}

export function renderExport(format: ExportFormat, study: StudyRecord, ranked: readonly RankedTrial[]): string {
  const configs = toExported(study, ranked);
  switch (format) {
    case 'json':
      return `${JSON.stringify(configs, null, 2)}\n`;
    case 'yaml':
      return toYaml(configs);
    case 'csv':
      return toCsv(configs, paramNames(ranked));
  }
}

function toCsv(configs: readonly ExportedConfig[], names: readonly string[]): string {
  const header = ['rank', 'trial', 'value', 'metric', 'epochs', ...names];
  const rows = configs.map((c) => [c.rank, c.trial, c.value ?? '', c.metric, c.epochs, ...names.map((n) => c.params[n] ?? '')]);
  return [header, ...rows].map((r) => r.map((cell) => csvCell(String(cell))).join(',')).join('\n') + '\n';
}

/** RFC 4180: quote cells holding a comma, quote or line break, doubling inner quotes. */
function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
