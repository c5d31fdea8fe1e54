import type { Params, ParamValue } from '../../core/types.js';
import { stepCount, steppedValue } from '../../space/grid.js';
import type { ParamSpec, SearchSpace } from '../../space/types.js';

/**
 * How TPE sees the space: every searched param is one coordinate. Continuous coordinates are scaled to the unit
 * interval [0, 1], so one bandwidth rule fits every param; categorical coordinates hold the choice's index.
 *
 * - float: [min, max]; with `log`, log x over [log min, log max] (the estimator is fitted in log space).
 * - stepped float and int: the m legal values are cells of a continuous relaxation, index k ↦ [k − ½, k + ½]. Kernels
 *   live on the relaxation; a sample is snapped to the cell it falls in, so a value is drawn with exactly its cell's
 *   mass, and densities are read at cell centres. Only legal values come out.
 * - int with `log`: log x over [log(min − ½), log(max + ½)], the same cells as random sampling (space/sample.ts),
 *   snapped by rounding x.
 * - categorical: an index 0..k−1 with a categorical kernel (see parzen.ts).
 * Fixed params, and ranges with a single legal value, have no coordinate: they are copied into every config.
 */

export interface RealAxis {
  readonly kind: 'real';
  readonly name: string;
  /** Native param value → unit coordinate, or undefined when it is not a legal value of the param. */
  readonly toUnit: (v: ParamValue) => number | undefined;
  /** Unit coordinate → the nearest legal unit coordinate (a cell centre for discrete params). */
  readonly snap: (u: number) => number;
  /** Snapped unit coordinate → native value. */
  readonly fromUnit: (u: number) => ParamValue;
}

export interface CategoricalAxis {
  readonly kind: 'cat';
  readonly name: string;
  readonly values: readonly ParamValue[];
}

export type Axis = RealAxis | CategoricalAxis;

const clamp01 = (u: number): number => Math.min(1, Math.max(0, u));

/** m cells of a stepped range: unit u ↦ index k = round(u·m − ½). */
function cellAxis(name: string, m: number, valueAt: (k: number) => number, indexOf: (v: number) => number): RealAxis {
  const index = (u: number) => Math.min(m - 1, Math.max(0, Math.round(u * m - 0.5)));
  const centre = (k: number) => (k + 0.5) / m;
  return {
    kind: 'real',
    name,
    toUnit: (v) => (typeof v === 'number' && Number.isFinite(v) ? centre(Math.min(m - 1, Math.max(0, indexOf(v)))) : undefined),
    snap: (u) => centre(index(u)),
    fromUnit: (u) => valueAt(index(u)),
  };
}

function logAxis(name: string, lo: number, hi: number, finish: (x: number) => number): RealAxis {
  const span = hi - lo;
  const toUnitRaw = (x: number) => clamp01((Math.log(x) - lo) / span);
  return {
    kind: 'real',
    name,
    toUnit: (v) => (typeof v === 'number' && v > 0 ? toUnitRaw(finish(v)) : undefined),
    snap: (u) => toUnitRaw(finish(Math.exp(lo + clamp01(u) * span))),
    fromUnit: (u) => finish(Math.exp(lo + clamp01(u) * span)),
  };
}

/** The coordinate of one param, or null when it has a single legal value (fixed). Exported for importance/. */
export function axisOf(name: string, spec: ParamSpec): Axis | null {
  switch (spec.type) {
    case 'fixed':
      return null;
    case 'categorical':
      return spec.values.length > 1 ? { kind: 'cat', name, values: spec.values } : null;
    case 'float': {
      const { min, max, log, step } = spec;
      if (step !== undefined) {
        const m = stepCount(min, max, step);
        return m > 1 ? cellAxis(name, m, (k) => steppedValue(min, step, k), (v) => Math.round((v - min) / step)) : null;
      }
      if (log) return logAxis(name, Math.log(min), Math.log(max), (x) => Math.min(max, Math.max(min, x)));
      return {
        kind: 'real',
        name,
        toUnit: (v) => (typeof v === 'number' && Number.isFinite(v) ? clamp01((v - min) / (max - min)) : undefined),
        snap: clamp01,
        fromUnit: (u) => Math.min(max, Math.max(min, min + clamp01(u) * (max - min))),
      };
    }
    case 'int': {
      const { min, max, log, step } = spec;
      if (min === max) return null;
      if (log) return logAxis(name, Math.log(min - 0.5), Math.log(max + 0.5), (x) => Math.min(max, Math.max(min, Math.round(x))));
      const m = stepCount(min, max, step);
      return m > 1 ? cellAxis(name, m, (k) => min + k * step, (v) => Math.round((v - min) / step)) : null;
    }
  }
}

/** The coordinates of a space, real ones first (indices 0..reals−1), then categorical ones. */
export class Encoding {
  readonly reals: readonly RealAxis[];
  readonly cats: readonly CategoricalAxis[];
  private readonly fixed: Params;
  private readonly order: readonly string[];

  constructor(params: SearchSpace['params']) {
    const reals: RealAxis[] = [];
    const cats: CategoricalAxis[] = [];
    const fixed: Record<string, ParamValue> = {};
    for (const [name, spec] of Object.entries(params)) {
      const axis = axisOf(name, spec);
      if (axis === null) fixed[name] = spec.type === 'fixed' ? spec.value : decodeSingle(spec);
      else if (axis.kind === 'real') reals.push(axis);
      else cats.push(axis);
    }
    this.reals = reals;
    this.cats = cats;
    this.fixed = fixed;
    this.order = Object.keys(params);
  }

  /** Number of coordinates. */
  get dims(): number {
    return this.reals.length + this.cats.length;
  }

  /** Writes a config's coordinates into `out` at `offset`; false when a value is not legal in this space. */
  encode(params: Params, out: Float64Array, offset: number): boolean {
    for (let j = 0; j < this.reals.length; j++) {
      const v = params[this.reals[j]!.name];
      const u = v === undefined ? undefined : this.reals[j]!.toUnit(v);
      if (u === undefined) return false;
      out[offset + j] = u;
    }
    for (let c = 0; c < this.cats.length; c++) {
      const axis = this.cats[c]!;
      const k = axis.values.findIndex((x) => x === params[axis.name]);
      if (k < 0) return false;
      out[offset + this.reals.length + c] = k;
    }
    return true;
  }

  /** Snaps real coordinates in place to legal values (cell centres, rounded log-ints). */
  snap(point: Float64Array): void {
    for (let j = 0; j < this.reals.length; j++) point[j] = this.reals[j]!.snap(point[j]!);
  }

  /** The config of a snapped point, params in the space's written order. */
  decode(point: Float64Array): Params {
    const values: Record<string, ParamValue> = { ...this.fixed };
    this.reals.forEach((axis, j) => (values[axis.name] = axis.fromUnit(point[j]!)));
    this.cats.forEach((axis, c) => (values[axis.name] = axis.values[point[this.reals.length + c]!]!));
    const ordered: Record<string, ParamValue> = {};
    for (const name of this.order) ordered[name] = values[name]!;
    return ordered;
  }
}

/** The only legal value of a range or list that has one. */
function decodeSingle(spec: Exclude<ParamSpec, { type: 'fixed' }>): ParamValue {
  return spec.type === 'categorical' ? spec.values[0]! : spec.min;
}
