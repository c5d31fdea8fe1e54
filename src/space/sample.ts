import type { Rng } from '../core/rng.js';
import type { Params, ParamValue } from '../core/types.js';
import { conditionOrder, isActive } from './conditions.js';
import { stepCount, steppedValue } from './values.js';
import type { ParamSpec } from './types.js';

function clamp(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, x));
}

/** A uniform index in 0..n-1. `rng` is in [0, 1); the min() guards a generator that ever returns 1. */
function index(n: number, rng: Rng): number {
  return Math.min(n - 1, Math.floor(rng() * n));
}

/**
 * One value drawn from one param's distribution. Uses exactly one `rng()` draw per non-fixed param,
 * so the sequence of values depends only on the seed and the params, never on earlier values.
 */
export function sampleValue(spec: ParamSpec, rng: Rng): ParamValue {
  switch (spec.type) {
    case 'fixed':
      return spec.value;
    case 'categorical':
      return spec.values[index(spec.values.length, rng)]!;
    case 'float': {
      const { min, max, log, step } = spec;
      // A stepped range is a uniform choice among its grid values (log + step is refused at parse time).
      if (step !== undefined) return steppedValue(min, step, index(stepCount(min, max, step), rng));
      const u = rng();
      if (log) return clamp(Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min))), min, max);
      return clamp(min + u * (max - min), min, max);
    }
    case 'int': {
      const { min, max, log, step } = spec;
      if (log) {
        // Log-uniform over [min - 0.5, max + 0.5], then rounded: each integer gets the mass of its log-width
        // (min >= 1 here, since log needs min > 0).
        const lo = Math.log(min - 0.5);
        const hi = Math.log(max + 0.5);
        return clamp(Math.round(Math.exp(lo + rng() * (hi - lo))), min, max);
      }
      return min + index(stepCount(min, max, step), rng) * step;
    }
  }
}

/**
 * One random point of the space, params in written order. Deterministic for the same rng sequence. Params are drawn
 * in condition order (each after the params its `when` names); an inactive param is absent and takes no draw.
 */
export function sampleParams(params: Readonly<Record<string, ParamSpec>>, rng: Rng): Params {
  const drawn: Record<string, ParamValue> = {};
  for (const name of conditionOrder(params)) {
    const spec = params[name]!;
    if (isActive(spec, drawn)) drawn[name] = sampleValue(spec, rng);
  }
  const point: Record<string, ParamValue> = {};
  for (const name of Object.keys(params)) if (drawn[name] !== undefined) point[name] = drawn[name];
  return point;
}
