import { stepCount, steppedValue } from '../space/grid.js';
import type { ParamSpec } from '../space/types.js';
import { axisOf } from '../strategies/tpe/encoding.js';
import { MIN_TRIALS, NotEnoughTrialsError } from './errors.js';
import type { ImportanceInput } from './index.js';

/**
 * The trials as one column per searched param, in TPE's coordinates (strategies/tpe/encoding.ts): ranges scaled to
 * [0, 1], log ranges in log space, stepped and int ranges at their cell centres; categoricals as choice indices.
 * A trial without a legal value for a range is NaN there; for a categorical it is one extra "absent" choice
 * (present only when some trial lacks the param), so a conditional branch being taken or not is itself a choice.
 */
export interface RealColumn {
  readonly kind: 'real';
  readonly name: string;
  /** Unit coordinate per trial, NaN where absent. */
  readonly values: Float64Array;
  /** Where densities are compared: the legal values' coordinates when there are at most GRID of them, else GRID even points. */
  readonly grid: Float64Array;
  /** Legal values in the range (Infinity for a continuous one); the bandwidth never drops below half a cell. */
  readonly cells: number;
}

export interface CategoricalColumn {
  readonly kind: 'cat';
  readonly name: string;
  /** Choice index per trial; `size − 1` is "absent" when `hasAbsent`. */
  readonly values: Int32Array;
  readonly size: number;
  readonly hasAbsent: boolean;
}

export type Column = RealColumn | CategoricalColumn;

export interface Columns {
  readonly n: number;
  readonly columns: readonly Column[];
  /** The objective per trial, sign-flipped for `maximize` so lower is always better. */
  readonly loss: Float64Array;
}

/** Points a continuous param's densities are compared at (Optuna's PED-ANOVA uses 50 as well). */
export const GRID = 50;

/** Legal values of a discrete range, or undefined for a continuous one or one with more than GRID values. */
function legalValues(spec: ParamSpec): number[] | undefined {
  if (spec.type === 'int') {
    const m = stepCount(spec.min, spec.max, spec.step);
    return m <= GRID ? Array.from({ length: m }, (_, k) => spec.min + k * spec.step) : undefined;
  }
  if (spec.type === 'float' && spec.step !== undefined) {
    const m = stepCount(spec.min, spec.max, spec.step);
    return m <= GRID ? Array.from({ length: m }, (_, k) => steppedValue(spec.min, spec.step!, k)) : undefined;
  }
  return undefined;
}

function cellCount(spec: ParamSpec): number {
  if (spec.type === 'int') return stepCount(spec.min, spec.max, spec.step);
  if (spec.type === 'float' && spec.step !== undefined) return stepCount(spec.min, spec.max, spec.step);
  return Number.POSITIVE_INFINITY;
}

export function encodeColumns(input: ImportanceInput): Columns {
  const trials = input.trials.filter((t) => Number.isFinite(t.value));
  const n = trials.length;
  if (n < MIN_TRIALS) throw new NotEnoughTrialsError(n, MIN_TRIALS);
  const sign = input.direction === 'maximize' ? -1 : 1;
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) loss[i] = sign * trials[i]!.value;
  const columns: Column[] = [];
  for (const { name, spec } of input.params) {
    const axis = axisOf(name, spec);
    if (axis === null) continue;
    if (axis.kind === 'real') {
      const values = new Float64Array(n);
      trials.forEach((t, i) => {
        const v = t.params[name];
        values[i] = v === undefined ? Number.NaN : (axis.toUnit(v) ?? Number.NaN);
      });
      const legal = legalValues(spec);
      const grid = legal !== undefined ? Float64Array.from(legal, (v) => axis.toUnit(v)!) : Float64Array.from({ length: GRID }, (_, k) => k / (GRID - 1));
      columns.push({ kind: 'real', name, values, grid, cells: cellCount(spec) });
    } else {
      const k = axis.values.length;
      const values = new Int32Array(n);
      let hasAbsent = false;
      trials.forEach((t, i) => {
        const v = t.params[name];
        const idx = v === undefined ? -1 : axis.values.indexOf(v);
        if (idx < 0) hasAbsent = true;
        values[i] = idx < 0 ? k : idx;
      });
      columns.push({ kind: 'cat', name, values, size: hasAbsent ? k + 1 : k, hasAbsent });
    }
  }
  return { n, columns, loss };
}

/** Scores summing to 1 (all 0 when every raw score is 0), keys from most to least important, ties in param order. */
export function normalised(names: readonly string[], raw: readonly number[]): Record<string, number> {
  const total = raw.reduce((a, b) => a + (Number.isFinite(b) && b > 0 ? b : 0), 0);
  const order = names.map((_, i) => i).sort((a, b) => (raw[b] ?? 0) - (raw[a] ?? 0) || a - b);
  const out: Record<string, number> = {};
  for (const i of order) out[names[i]!] = total > 0 && Number.isFinite(raw[i]!) && raw[i]! > 0 ? raw[i]! / total : 0;
  return out;
}
