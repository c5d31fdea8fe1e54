import type { ParamValue } from '../core/types.js';
import { axisValues } from './values.js';
import type { Condition, ModelSpec, ParamSpec, PerLayerParam } from './types.js';

/**
 * `"perLayer": true` on `units` or `filters`: one param per hidden dense layer (`units.1` … `units.N`) or per conv
 * block (`filters.1` … `filters.N`), each with the base spec, as Keras Tuner's `hp.Int(f'units_{i}', …)` inside a
 * loop over `hp.Int('layers', …)`. When `layers` is a param, N is its largest value and `units.i` is active only
 * while layers >= i: a condition on `layers`, so the `when` machinery (conditions.ts) does the rest. Without a
 * `layers` param, N is the model's own count (`task.model.hidden`, `task.model.filters`) and every one is active.
 */

/** The values `layers` takes, or undefined when it is not a param (or not enumerable, which its rule forbids). */
function layerCounts(layers: ParamSpec | undefined): readonly number[] | undefined {
  if (layers === undefined) return undefined;
  const values = axisValues(layers);
  return values === null ? undefined : values.filter((v): v is number => typeof v === 'number');
}

/** The base spec's own condition, with `layers` restricted to `counts` (both must hold). */
function withLayers(own: Condition | undefined, counts: readonly ParamValue[] | undefined): Condition | undefined {
  if (counts === undefined) return own;
  const prior = own?.['layers'];
  const layers = prior === undefined ? counts : counts.filter((c) => prior.includes(c));
  return { ...own, layers };
}

/** The per-layer params a `perLayer` spec of `name` expands to, in layer order. */
export function expandPerLayer(
  name: PerLayerParam,
  spec: ParamSpec,
  model: ModelSpec,
  layers: ParamSpec | undefined,
): [string, ParamSpec][] {
  const counts = name === 'units' ? layerCounts(layers) : undefined;
  const modelCount = name === 'units' ? model.hidden.length : model.type === 'cnn' ? model.filters.length : 0;
  const n = counts === undefined ? modelCount : Math.max(0, ...counts);
  const out: [string, ParamSpec][] = [];
  for (let i = 1; i <= n; i++) {
    // A condition on layers only where some count leaves layer i out (or layers is itself conditional).
    const needed = counts !== undefined && (counts.some((c) => c < i) || layers?.when !== undefined) ? counts.filter((c) => c >= i) : undefined;
    const when = withLayers(spec.when, needed);
    const { when: _drop, ...base } = spec;
    out.push([`${name}.${i}`, (when === undefined ? base : { ...base, when }) as ParamSpec]);
  }
  return out;
}
