import type { InputIssue } from '../core/errors.js';
import type { Params, ParamValue } from '../core/types.js';
import { axisValues } from './values.js';
import { show, unknownKeyMessage } from './param-rules.js';
import type { Condition, ParamSpec } from './types.js';

/**
 * Conditional params (`"when"`): a param is active when every param its condition names is active and takes one of
 * the listed values; an inactive param is absent from the config (not sampled, not stored, not exported). This is
 * Keras Tuner's `conditional_scope` and the tree of Bergstra et al. 2011's "tree-structured" spaces: the conditions
 * form a forest, and every param is sampled after the params it depends on (`conditionOrder`).
 */

type ParamSpecs = Readonly<Record<string, ParamSpec>>;

/** Whether `spec` is active in `point`, the values of the params sampled so far (absent = inactive). */
export function isActive(spec: ParamSpec, point: Params): boolean {
  const when = spec.when;
  if (when === undefined) return true;
  for (const [name, values] of Object.entries(when)) {
    const v = point[name];
    if (v === undefined || !values.includes(v)) return false;
  }
  return true;
}

/** Whether any param of the space has a condition. */
export function hasConditions(params: ParamSpecs): boolean {
  return Object.values(params).some((p) => p.when !== undefined);
}

/** The params a condition names. */
function dependencies(spec: ParamSpec): readonly string[] {
  return spec.when === undefined ? [] : Object.keys(spec.when);
}

/**
 * The params in an order where each comes after every param its condition names: Kahn's topological sort, taking
 * the earliest written param among those ready, so a space without conditions keeps its written order (and what a
 * seeded study samples). Call on a space whose conditions passed `conditionIssues` (no cycles, no unknown names).
 */
export function conditionOrder(params: ParamSpecs): readonly string[] {
  const names = Object.keys(params);
  if (!hasConditions(params)) return names;
  const placed = new Set<string>();
  const order: string[] = [];
  while (order.length < names.length) {
    const next = names.find((n) => !placed.has(n) && dependencies(params[n]!).every((d) => placed.has(d) || params[d] === undefined));
    if (next === undefined) throw new Error(`a cycle of conditions among ${names.filter((n) => !placed.has(n)).join(', ')}`);
    placed.add(next);
    order.push(next);
  }
  return order;
}

/** `point` without its inactive params, in the space's written order; params the space lacks are dropped too. */
export function activeOnly(params: ParamSpecs, point: Params): Params {
  const kept: Record<string, ParamValue> = {};
  const active: Record<string, ParamValue> = {};
  for (const name of conditionOrder(params)) {
    const v = point[name];
    if (v !== undefined && isActive(params[name]!, active)) active[name] = v;
  }
  for (const name of Object.keys(params)) if (active[name] !== undefined) kept[name] = active[name];
  return kept;
}

/** Why `value` can never be a value of `spec`, or null when it can. */
function valueProblem(spec: ParamSpec, value: ParamValue): string | null {
  if (spec.type === 'float' && spec.step === undefined) {
    return 'a condition cannot name a continuous float range (a value would almost never repeat); give it a "step" or make it categorical';
  }
  if (spec.type === 'int' && spec.log) {
    return typeof value === 'number' && Number.isInteger(value) && value >= spec.min && value <= spec.max ? null : `expected an integer in [${spec.min}, ${spec.max}]`;
  }
  const values = axisValues(spec) ?? [];
  if (values.includes(value)) return null;
  const listed = values.length <= 12 ? values.map((v) => show(v)).join(' | ') : `${values.slice(0, 6).map((v) => show(v)).join(' | ')} | … | ${show(values.at(-1))}`;
  return `expected ${listed}`;
}

function conditionValues(when: Condition | Readonly<Record<string, ParamValue | readonly ParamValue[]>>, name: string): readonly ParamValue[] {
  const v = when[name]!;
  return Array.isArray(v) ? (v as readonly ParamValue[]) : [v as ParamValue];
}

/** The first cycle through `start` found by depth-first search, as a path start → … → start, or null. */
function cycleFrom(params: ParamSpecs, start: string): string[] | null {
  const seen = new Set<string>();
  const walk = (name: string, path: string[]): string[] | null => {
    for (const dep of dependencies(params[name]!)) {
      if (dep === start) return [...path, dep];
      if (params[dep] === undefined || seen.has(dep)) continue;
      seen.add(dep);
      const found = walk(dep, [...path, dep]);
      if (found !== null) return found;
    }
    return null;
  };
  return walk(start, [start]);
}

/**
 * Every problem with the space's conditions, each at `params.<name>.when.<other>` and naming both ends: a condition
 * naming a param the space lacks, a value the named param never takes, and cycles (each reported once, at its
 * earliest written member).
 */
export function conditionIssues(params: ParamSpecs): InputIssue[] {
  const names = Object.keys(params);
  const issues: InputIssue[] = [];
  for (const name of names) {
    const when = params[name]!.when;
    if (when === undefined) continue;
    for (const dep of Object.keys(when)) {
      const at = ['params', name, 'when', dep];
      const target = params[dep];
      if (target === undefined) {
        issues.push({ path: at, message: `${name} is conditioned on ${unknownKeyMessage(dep, names.filter((n) => n !== name), 'param')}` });
        continue;
      }
      for (const value of conditionValues(when, dep)) {
        const problem = valueProblem(target, value);
        if (problem !== null) issues.push({ path: at, message: `${name} is conditioned on ${dep} = ${show(value)}, which ${dep} never takes: ${problem}` });
      }
    }
  }
  const reported = new Set<string>();
  for (const name of names) {
    if (reported.has(name)) continue;
    const cycle = cycleFrom(params, name);
    if (cycle === null) continue;
    cycle.forEach((n) => reported.add(n));
    const message =
      cycle.length === 2 ? `${name} is conditioned on itself` : `a cycle of conditions: ${cycle.join(' → ')} (each waits for the next to be sampled)`;
    issues.push({ path: ['params', name, 'when', cycle[1]!], message });
  }
  return issues;
}
