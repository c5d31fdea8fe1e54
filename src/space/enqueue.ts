/**
 * Enqueued configs (warm starts, Optuna's `enqueue_trial`): a config given by hand is checked against the space,
 * as every value the strategies sample lies in it, and normalised the way sampled values are, so an enqueued grid
 * point has the grid point's key and is never run twice.
 */
import type { InputIssue } from '../core/errors.js';
import type { Params, ParamValue } from '../core/types.js';
import { conditionOrder, isActive } from './conditions.js';
import { stepCount, steppedValue } from './grid.js';
import { show, unknownKeyMessage } from './param-rules.js';
import type { ParamSpec } from './types.js';

/** Relative slack for a value on a float step (0.1 * 3 is 0.30000000000000004). */
const STEP_TOLERANCE = 1e-9;

const isScalar = (v: unknown): v is ParamValue => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';

/** The value as the space holds it (a stepped float snapped to its step), or why it is not in `spec`. */
export function valueInSpec(spec: ParamSpec, value: ParamValue): { value: ParamValue } | { error: string } {
  switch (spec.type) {
    case 'fixed':
      return value === spec.value ? { value } : { error: `is fixed at ${show(spec.value)} in the space, got ${show(value)}` };
    case 'categorical':
      return spec.values.includes(value) ? { value } : { error: `expected one of ${spec.values.map(show).join(', ')}, got ${show(value)}` };
    case 'int':
    case 'float': {
      const noun = spec.type === 'int' ? 'an integer' : 'a number';
      const range = `${noun} in [${spec.min}, ${spec.max}]${spec.step !== undefined && !(spec.type === 'int' && spec.step === 1) ? ` on the step ${spec.step} from ${spec.min}` : ''}`;
      const bad = { error: `expected ${range}, got ${show(value)}` };
      if (typeof value !== 'number' || !Number.isFinite(value)) return bad;
      if (spec.type === 'int' && !Number.isInteger(value)) return bad;
      if (value < spec.min || value > spec.max) return bad;
      if (spec.step === undefined) return { value };
      const k = Math.round((value - spec.min) / spec.step);
      const snapped = steppedValue(spec.min, spec.step, k);
      const onStep = Math.abs(snapped - value) <= STEP_TOLERANCE * Math.max(1, Math.abs(value));
      return onStep && k < stepCount(spec.min, spec.max, spec.step) ? { value: snapped } : bad;
    }
  }
}

/**
 * Checks one enqueued config against the space's params: every searched param active in it (its `when` holds) needs
 * a value in its range or list, and an inactive one must be left out;
 * a fixed param may be left out (it is filled in) or given its fixed value; an unknown name is refused. Issues are
 * at the param's name; `params` is the config in the space's param order when there are none.
 */
export function checkEnqueued(specs: Readonly<Record<string, ParamSpec>>, config: unknown): { params: Params; issues: InputIssue[] } {
  const issues: InputIssue[] = [];
  const params: Record<string, ParamValue> = {};
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    return { params, issues: [{ path: [], message: `expected an object of param values, e.g. {"learningRate": 0.001}, got ${show(config)}` }] };
  }
  const given = config as Record<string, unknown>;
  const names = Object.keys(specs);
  for (const name of Object.keys(given).filter((n) => !Object.hasOwn(specs, n))) issues.push({ path: [name], message: unknownKeyMessage(name, names, 'param') });
  // In condition order, so each param's condition is judged on the values checked before it; a cycle is reported
  // by the condition checks, so the written order stands in here.
  let order: readonly string[];
  try {
    order = conditionOrder(specs);
  } catch {
    order = names;
  }
  for (const name of order) {
    const spec = specs[name]!;
    const value = given[name];
    if (!isActive(spec, params)) {
      if (value !== undefined) issues.push({ path: [name], message: `is inactive in this config (its "when" doesn't hold), so it takes no value: leave it out` });
      continue;
    }
    if (value === undefined) {
      if (spec.type === 'fixed') params[name] = spec.value;
      else issues.push({ path: [name], message: 'missing: an enqueued config gives a value for every searched param' });
      continue;
    }
    if (!isScalar(value)) {
      issues.push({ path: [name], message: `expected a number, string or boolean, got ${show(value)}` });
      continue;
    }
    const checked = valueInSpec(spec, value);
    if ('error' in checked) issues.push({ path: [name], message: checked.error });
    else params[name] = checked.value;
  }
  if (issues.length === 0) {
    // The space's written order, as sampled configs have it.
    const written: Record<string, ParamValue> = {};
    for (const name of names) if (params[name] !== undefined) written[name] = params[name]!;
    return { params: written, issues };
  }
  return { params, issues };
}
