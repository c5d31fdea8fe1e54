import type { ParamValue } from '../core/types.js';
import type { ParamSpec } from './types.js';

/** The legal values of stepped ranges and lists, shared by grid enumeration, sampling and conditions. */

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

