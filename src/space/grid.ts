import { InputError, type InputIssue } from '../core/errors.js';
import type { Params, ParamValue } from '../core/types.js';
import type { ParamSpec } from './types.js';
import { conditionOrder, hasConditions, isActive } from './conditions.js';
import { axisValues, stepCount } from './values.js';

export { axisValues, stepCount, steppedValue } from './values.js';

/** Refused at parse time: a grid this big would never finish and would exhaust memory when enumerated. */
export const MAX_GRID_POINTS = 100_000;

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
  if (hasConditions(params)) return conditionalSize(params);
  return Object.values(params).reduce((n, spec) => n * axisLength(spec)!, 1);
}

/**
 * The valid combinations of a conditional space: an inactive param adds no values (and so no duplicates). Only the
 * params some condition names are branched on; every other active param multiplies the count by its length.
 */
function conditionalSize(params: ParamSpecs): number {
  const order = conditionOrder(params);
  const named = new Set(Object.values(params).flatMap((p) => Object.keys(p.when ?? {})));
  const count = (k: number, point: Record<string, ParamValue>): number => {
    if (k === order.length) return 1;
    const name = order[k]!;
    const spec = params[name]!;
    if (!isActive(spec, point)) return count(k + 1, point);
    if (!named.has(name)) return axisLength(spec)! * count(k + 1, point);
    let total = 0;
    for (const v of axisValues(spec)!) total += count(k + 1, { ...point, [name]: v });
    return total;
  };
  return count(0, {});
}

/** Every valid point of a conditional space, depth first in condition order (the last param fastest), keys as written. */
function conditionalPoints(params: ParamSpecs): Params[] {
  const order = conditionOrder(params);
  const written = Object.keys(params);
  const out: Params[] = [];
  const visit = (k: number, point: Record<string, ParamValue>): void => {
    if (k === order.length) {
      const ordered: Record<string, ParamValue> = {};
      for (const name of written) if (point[name] !== undefined) ordered[name] = point[name];
      out.push(ordered);
      return;
    }
    const name = order[k]!;
    const spec = params[name]!;
    if (!isActive(spec, point)) return visit(k + 1, point);
    for (const v of axisValues(spec)!) visit(k + 1, { ...point, [name]: v });
  };
  visit(0, {});
  return out;
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
  if (hasConditions(params)) {
    const points = gridPoints(params, file);
    if (!Number.isInteger(index) || index < 0 || index >= points.length) throw new RangeError(`grid index ${index} is outside 0..${points.length - 1}`);
    return points[index]!;
  }
  const { names, values } = axes(params, file);
  const size = values.reduce((n, axis) => n * axis.length, 1);
  if (!Number.isInteger(index) || index < 0 || index >= size) throw new RangeError(`grid index ${index} is outside 0..${size - 1}`);
  return pointAt(names, values, index);
}

/** Every grid point: the cartesian product (of a conditional space: its valid combinations), params in written order, the last one varying fastest. */
export function gridPoints(params: ParamSpecs, file = 'search space'): Params[] {
  if (hasConditions(params)) {
    refuseUnsteppable(params, file);
    return conditionalPoints(params);
  }
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
