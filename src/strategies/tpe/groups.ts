import type { ParamValue } from '../../core/types.js';
import { conditionOrder, isActive } from '../../space/conditions.js';
import type { Condition, ParamSpec, SearchSpace } from '../../space/types.js';
import { Encoding } from './encoding.js';
import type { ObservationStore } from './observations.js';
import type { Split } from './split.js';

/**
 * TPE over a conditional space, as Optuna's TPESampler(group=True) does (the tree-structured space of Bergstra et al.
 * 2011 §4): the params are split into groups that are always active together, and each group has its own Parzen
 * estimators over its own coordinates, fitted on the trials where the group is active. The trials are split into good
 * and bad once, over every trial, and each group keeps the good and bad trials in which it is active (Optuna likewise
 * leaves out the trials that lack one of a group's params when it fits that group), so a param that only SGD trials
 * have is modelled on SGD trials alone and is never imputed where it is absent.
 *
 * Groups here come from the conditions themselves, not from the params trials happened to have: two params are in
 * one group when their conditions, with all the conditions they inherit through the params they name, are the same,
 * which is exactly when they are active in the same trials. Groups are sampled in condition order, so a group's
 * conditions are decided before it is.
 */
export interface ParamGroup {
  /** The group's params, in written order. */
  readonly names: readonly string[];
  /** A member's spec: every member has the same activity, so any one decides whether the group is active. */
  readonly lead: ParamSpec;
  readonly encoding: Encoding;
}

/** A param's own condition and every condition it inherits, canonically: equal keys mean the same activity. */
function activityKey(params: SearchSpace['params'], name: string): string {
  const entries = new Map<string, readonly ParamValue[]>();
  const visit = (n: string): void => {
    const when: Condition | undefined = params[n]?.when;
    if (when === undefined) return;
    for (const [dep, values] of Object.entries(when)) {
      const key = `${dep}=${JSON.stringify([...values].map(String).sort())}`;
      if (entries.has(key)) continue;
      entries.set(key, values);
      visit(dep);
    }
  };
  visit(name);
  return [...entries.keys()].sort().join('&');
}

/** The groups of a space, in the order their first member comes in condition order (the unconditional group first). */
export function paramGroups(params: SearchSpace['params']): ParamGroup[] {
  const byKey = new Map<string, string[]>();
  for (const name of conditionOrder(params)) {
    const key = activityKey(params, name);
    const members = byKey.get(key) ?? [];
    members.push(name);
    byKey.set(key, members);
  }
  const written = Object.keys(params);
  return [...byKey.values()].map((members) => {
    const names = written.filter((n) => members.includes(n));
    const subset: Record<string, ParamSpec> = {};
    for (const n of names) subset[n] = params[n]!;
    return { names, lead: params[members[0]!]!, encoding: new Encoding(subset) };
  });
}

/** Whether a group is active given the params decided so far. */
export function groupActive(group: ParamGroup, point: Readonly<Record<string, ParamValue>>): boolean {
  return isActive(group.lead, point);
}

/**
 * The split of the whole study (rows of `root`, the store every trial is in) restricted to the trials in which a
 * group is active, as rows of the group's own store. Both stores are synced from the same trials, so their lists
 * hold the same trials in the same order.
 */
export function restrictSplit(s: Split, root: ObservationStore, group: ObservationStore): Split {
  const rowOf = new Int32Array(root.size).fill(-1);
  const n = Math.min(root.list.length, group.list.length);
  for (let k = 0; k < n; k++) {
    const r = root.list[k]!.row;
    if (r >= 0) rowOf[r] = group.list[k]!.row;
  }
  const keep = (rows: Int32Array): Int32Array => {
    const out: number[] = [];
    for (const r of rows) if (rowOf[r]! >= 0) out.push(rowOf[r]!);
    return Int32Array.from(out);
  };
  const good = keep(s.good);
  const bad = keep(s.bad);
  return { good, bad, extra: keep(s.extra), active: keep(s.active), observed: good.length + bad.length };
}
