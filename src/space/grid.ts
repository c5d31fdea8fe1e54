import { InputError, type InputIssue } from '../core/errors.js';
import type { Params, ParamValue } from '../core/types.js';
import type { ParamSpec } from './types.js';

/** Refused at parse time: a grid this big would never finish and would exhaust memory when enumerated. */
export const MAX_GRID_POINTS = 100_000;

/** Decimal places needed to write `x` exactly as JS prints it (0.1 → 1, 0.25 → 2, 1.5e-7 → 8, 100 → 0). */
function decimals(x: number): number {
  const [mantissa = '', exponent = '0'] = x.toExponential().split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent));
}

/**
 * `min + i * step`, rounded to the decimals of min and step. Repeated float addition drifts
 * (0.1 + 0.2 = 0.30000000000000004), which would make stepped values differ from the same value written by hand.
 */
export function steppedValue(min: number, step: number, i: number): number {
  const places = Math.min(100, Math.max(decimals(min), decimals(step)));
  return Number((min + i * step).toFixed(places)) + 0; // + 0 turns -0 into 0
}

/** How many values `min + i * step` lie in [min, max]. */
export function stepCount(min: number, max: number, step: number): number {
  // A ratio within float noise of an integer counts as that integer: (0.3 - 0) / 0.1 is 2.9999999999999996, i.e. 3.
  const ratio = (max - min) / step;
  const nearest = Math.round(ratio);
  let n = (Math.abs(ratio - nearest) <= 1e-9 * Math.max(1, nearest) ? nearest : Math.floor(ratio)) + 1;
  while (n > 1 && steppedValue(min, step, n - 1) > max) n--;
  return Math.max(1, n);
}

/** The values one param takes in a grid, or null for a float range without a step (not enumerable). */
export function axisValues(spec: ParamSpec): readonly ParamValue[] | null {
  switch (spec.type) {
    case 'fixed':
      return [spec.value];
    case 'categorical':
      return spec.values;
    case 'int':
    case 'float': {
      if (spec.step === undefined) return null;
      const { min, max, step } = spec;
      return Array.from({ length: stepCount(min, max, step) }, (_, i) => steppedValue(min, step, i));
    }
  }
}

/** How many values one param takes in a grid, without listing them; null when not enumerable. */
function axisLength(spec: ParamSpec): number | null {
  switch (spec.type) {
    case 'fixed':
      return 1;
    case 'categorical':
      return spec.values.length;
    case 'int':
    case 'float':
      return spec.step === undefined ? null : stepCount(spec.min, spec.max, spec.step);
  }
}

type ParamSpecs = Readonly<Record<string, ParamSpec>>;

function refuseUnsteppable(params: ParamSpecs, file: string): void {
  const issues: InputIssue[] = Object.keys(params)
    .filter((name) => axisLength(params[name]!) === null)
    .map((name) => ({ path: ['params', name], message: 'grid search needs a "step" or "values" for a float range' }));
  if (issues.length > 0) throw new InputError(file, issues);
}

function axes(params: ParamSpecs, file: string): { names: string[]; values: (readonly ParamValue[])[] } {
  refuseUnsteppable(params, file);
  const names = Object.keys(params);
  return { names, values: names.map((name) => axisValues(params[name]!)!) };
}

/**
 * Number of grid points: the product of each param's number of values, computed without enumerating them
 * (so the size limit can be checked on a huge grid). Throws InputError for a float range without a step.
 */
export function gridSize(params: ParamSpecs, file = 'search space'): number {
  refuseUnsteppable(params, file);
  return Object.values(params).reduce((n, spec) => n * axisLength(spec)!, 1);
}

function pointAt(names: readonly string[], values: readonly (readonly ParamValue[])[], index: number): Params {
  // Mixed radix, last param fastest: the same order as nested loops over the params as written.
  const chosen: ParamValue[] = [];
  let rest = index;
  for (let k = names.length - 1; k >= 0; k--) {
    const axis = values[k]!;
    chosen[k] = axis[rest % axis.length]!;
    rest = Math.floor(rest / axis.length);
  }
  const point: Record<string, ParamValue> = {};
  names.forEach((name, k) => {
    point[name] = chosen[k]!;
  });
  return point;
}

/** The `index`-th grid point (0-based), without enumerating the others. */
export function gridPointAt(params: ParamSpecs, index: number, file = 'search space'): Params {
  const { names, values } = axes(params, file);
  const size = values.reduce((n, axis) => n * axis.length, 1);
  if (!Number.isInteger(index) || index < 0 || index >= size) throw new RangeError(`grid index ${index} is outside 0..${size - 1}`);
  return pointAt(names, values, index);
}

/** Every grid point: the cartesian product, params in written order, the last one varying fastest. */
export function gridPoints(params: ParamSpecs, file = 'search space'): Params[] {
  const { names, values } = axes(params, file);
  const size = values.reduce((n, axis) => n * axis.length, 1);
  return Array.from({ length: size }, (_, i) => pointAt(names, values, i));
}

function canonicalValue(v: ParamValue): ParamValue {
  // 12 significant digits absorb float noise (0.1 * 3 vs 0.3) without merging values a user would call distinct.
  return typeof v === 'number' ? Number(v.toPrecision(12)) + 0 : v;
}

/** A canonical key for a set of params: sorted names, normalised numbers. Equal keys mean the same trial. */
export function paramsKey(params: Params): string {
  const sorted: Record<string, ParamValue> = {};
  for (const name of Object.keys(params).sort()) sorted[name] = canonicalValue(params[name]!);
  return JSON.stringify(sorted);
}
