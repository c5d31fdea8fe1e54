import type { EpochReport, TrialRecord } from '../../core/types.js';
import { finiteOrNull, type Printable } from './output.js';
import { renderTable } from './table.js';
import { formatNumber } from './values.js';

/** One point of a learning curve in long format: a trial × epoch × metric. */
export interface CurvePoint {
  readonly trial: number;
  readonly epoch: number;
  readonly metric: string;
  readonly value: number | null;
}

/** Long (tidy) format, as pandas' `melt` or R's `pivot_longer` would give: sorted by trial, epoch, metric. */
export function curvePoints(trials: readonly { readonly trial: TrialRecord; readonly reports: readonly EpochReport[] }[]): CurvePoint[] {
  const points: CurvePoint[] = [];
  for (const { trial, reports } of [...trials].sort((a, b) => a.trial.number - b.trial.number)) {
    for (const r of [...reports].sort((a, b) => a.epoch - b.epoch)) {
      for (const metric of Object.keys(r.metrics).sort()) points.push({ trial: trial.number, epoch: r.epoch, metric, value: r.metrics[metric]! });
    }
  }
  return points;
}

/** `tune export --curves`. CSV keeps NaN and Infinity as written; JSON and YAML, which have neither, get null. */
export function curvesPrintable(points: readonly CurvePoint[]): Printable {
  return {
    data: points.map((p) => ({ ...p, value: finiteOrNull(p.value) })),
    rows: () => ({ header: ['trial', 'epoch', 'metric', 'value'], rows: points.map((p) => [p.trial, p.epoch, p.metric, p.value === null ? null : String(p.value)]) }),
    table: () => (points.length === 0 ? 'no epochs reported' : renderTable(['trial', 'epoch', 'metric', 'value'], points.map((p) => [`#${p.trial}`, String(p.epoch), p.metric, formatNumber(p.value)]))),
  };
}
