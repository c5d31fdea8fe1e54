import type { ParamValue, StudyRecord, TrialRecord } from '../../core/types.js';
import { finiteOrNull, type Printable } from './output.js';
import { renderTable } from './table.js';
import { formatDuration, formatNumber, formatParam } from './values.js';

/** One row of `tune trials`: Optuna's `trials_dataframe()` columns, with tune's rung and failure kind. */
export interface TrialRow {
  readonly trial: number;
  readonly state: TrialRecord['state'];
  readonly value: number | null;
  readonly epochs: number;
  readonly budget: number;
  readonly rung: number | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** Wall time from start to finish, or to now for a trial still running; null if it never started. */
  readonly durationMs: number | null;
  readonly errorKind: string | null;
  readonly errorMessage: string | null;
  readonly params: Readonly<Record<string, ParamValue>>;
}

export function toTrialRow(t: TrialRecord, now = Date.now()): TrialRow {
  const start = t.startedAt === null ? null : Date.parse(t.startedAt);
  const end = t.finishedAt !== null ? Date.parse(t.finishedAt) : t.state === 'running' ? now : null;
  return {
    trial: t.number,
    state: t.state,
    value: finiteOrNull(t.value),
    epochs: t.epochs,
    budget: t.budget,
    rung: t.rung,
    startedAt: t.startedAt,
    finishedAt: t.finishedAt,
    durationMs: start !== null && end !== null ? Math.max(0, end - start) : null,
    errorKind: t.error?.kind ?? null,
    errorMessage: t.error?.message ?? null,
    params: t.params,
  };
}

/** Every trial of a study, in trial order. */
export function trialsPrintable(study: StudyRecord, trials: readonly TrialRecord[]): Printable {
  const rows = [...trials].sort((a, b) => a.number - b.number).map((t) => toTrialRow(t));
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.params)))];
  const fixed = ['trial', 'state', 'value', 'epochs', 'budget', 'rung', 'startedAt', 'finishedAt', 'durationMs', 'errorKind', 'errorMessage'] as const;
  return {
    data: rows,
    rows: () => ({
      // `params_<name>` as in Optuna's trials_dataframe, so a param can't clash with a fixed column.
      header: [...fixed, ...names.map((n) => `params_${n}`)],
      rows: rows.map((r) => [...fixed.map((k) => r[k]), ...names.map((n) => r.params[n] ?? null)]),
    }),
    table: () => {
      if (rows.length === 0) return `study ${study.name}: no trials`;
      const header = ['trial', 'state', study.metric, 'epochs', 'rung', 'started', 'duration', ...names, 'error'];
      return renderTable(
        header,
        rows.map((r) => [
          `#${r.trial}`,
          r.state,
          formatNumber(r.value),
          `${r.epochs}/${r.budget}`,
          r.rung === null ? '-' : String(r.rung),
          r.startedAt === null ? '-' : r.startedAt.replace('T', ' ').slice(0, 19),
          r.durationMs === null ? '-' : formatDuration(r.durationMs),
          ...names.map((n) => (r.params[n] === undefined ? '' : formatParam(r.params[n]))),
          r.errorKind === null ? '' : shorten(`${r.errorKind}: ${r.errorMessage ?? ''}`, 100),
        ]),
      );
    },
  };
}

function shorten(s: string, max: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}
