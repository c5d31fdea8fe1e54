/**
 * What a live update has to hand ECharts: only the series whose data changed (and the small components that did),
 * merged into the chart by series id, instead of the whole option with `notMerge`. ECharts re-lays-out and repaints
 * every series it is given; a 5,000-point series that didn't change costs as much as one that did, so on a live
 * page (one new epoch: one point moves) sending the changed series alone is several times cheaper, and it keeps the
 * user's zoom. Pure (no DOM, no ECharts): unit-tested in Node, run in the page.
 */

type Fn = (...args: never[]) => unknown;
type Obj = Record<string, unknown>;

/**
 * Replaces every function in `option` (tooltip and label formatters: closures over the data they were built from)
 * with a trampoline that is the same function object on every build, and points the trampoline at the new closure.
 * So two builds of a view compare equal where only their closures differ, and an option ECharts already holds
 * calls the newest closure. `data` arrays are not walked (no functions there, and they are the big part).
 */
export class StableFunctions {
  private readonly latest = new Map<string, Fn>();
  private readonly trampolines = new Map<string, Fn>();

  apply<T>(option: T): T {
    return this.walk(option, '') as T;
  }

  private walk(v: unknown, path: string): unknown {
    if (typeof v === 'function') {
      this.latest.set(path, v as Fn);
      let t = this.trampolines.get(path);
      if (t === undefined) {
        const latest = this.latest;
        t = ((...args: never[]) => latest.get(path)!(...args)) as Fn;
        this.trampolines.set(path, t);
      }
      return t;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = this.walk(v[i], `${path}.${i}`);
      return v;
    }
    if (typeof v === 'object' && v !== null) {
      const o = v as Obj;
      for (const k of Object.keys(o)) if (k !== 'data') o[k] = this.walk(o[k], `${path}.${k}`);
      return o;
    }
    return v;
  }
}

/** Deep equality of JSON-like values; functions and other objects compare by identity. */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.hasOwn(b, k) || !same((a as Obj)[k], (b as Obj)[k])) return false;
  return true;
}

const sameKeys = (a: Obj, b: Obj): boolean => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k));
};

/** A component's value (object, or array of objects) whose merge can't leave stale keys behind. */
function mergeable(a: unknown, b: unknown): boolean {
  const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => isObj(x) && isObj(b[i]) && sameKeys(x, b[i] as Obj));
  return isObj(a) && isObj(b) && sameKeys(a, b);
}

export type Delta =
  /** Nothing ECharts draws changed: leave the chart as it is. */
  | { readonly kind: 'same' }
  /** setOption(option) in merge mode: the changed components, and the changed series by id (data only). */
  | { readonly kind: 'merge'; readonly option: Obj; readonly series: number }
  /** The structure changed (series added, removed or restyled, a component gained or lost a key): redraw it all. */
  | { readonly kind: 'full' };

/**
 * The smallest option that turns a chart drawn with `prev` into one drawn with `next`. Both come from the same
 * builder after `StableFunctions.apply`. A series may differ from its previous version only in `data` to be merged
 * (ECharts replaces a merged series' data); anything else about it, or the list of series ids, needs a full redraw.
 */
export function optionDelta(prev: Obj | null, next: Obj): Delta {
  if (prev === null || !sameKeys(prev, next)) return { kind: 'full' };
  const out: Obj = {};
  for (const key of Object.keys(next)) {
    if (key === 'series') continue;
    if (same(prev[key], next[key])) continue;
    if (!mergeable(prev[key], next[key])) return { kind: 'full' };
    out[key] = next[key];
  }
  const ps = (prev.series ?? []) as Obj[];
  const ns = (next.series ?? []) as Obj[];
  if (!Array.isArray(ps) || !Array.isArray(ns) || ps.length !== ns.length) return { kind: 'full' };
  const series: Obj[] = [];
  for (let k = 0; k < ns.length; k++) {
    const a = ps[k]!;
    const b = ns[k]!;
    if (a.id === undefined || a.id !== b.id || !sameKeys(a, b)) return { kind: 'full' };
    for (const key of Object.keys(b)) if (key !== 'data' && !same(a[key], b[key])) return { kind: 'full' };
    if (!same(a.data, b.data)) series.push({ id: b.id, data: b.data });
  }
  if (series.length > 0) out.series = series;
  return Object.keys(out).length === 0 ? { kind: 'same' } : { kind: 'merge', option: out, series: series.length };
}
