/**
 * Which parts of a `ReportData` changed between two versions, and so which views an update has to redraw. A live
 * page gets a new version every second or so; most versions touch a few columns (a new epoch changes the curves and
 * one trial's value, heartbeat and epochs), so redrawing only the views that read a changed part is the cheap way to
 * keep the page current. Pure (no DOM): unit-tested in Node, run in the page.
 */
import type { ReportData, TrialColumns } from '../data.js';
import { timeUnit } from './model.js';

type TrialField = `trials.${keyof TrialColumns & string}`;
export type TrialKey = keyof TrialColumns & string;
/** A part of `ReportData` that views read: a top-level field, or one trial column. */
export type DataField = 'study' | 't0' | 'workers' | 'params' | 'curves' | 'fidelity' | 'importance' | 'valued' | 'paramInfo' | 'valuedHistory' | TrialField;

export type ViewName = 'summary' | 'history' | 'curves' | 'parallel' | 'slices' | 'contour' | 'importance' | 'fidelity' | 'timeline' | 'table';

export const TRIAL_KEYS = ['number', 'state', 'value', 'epochs', 'budget', 'rung', 'bracket', 'worker', 'created', 'started', 'finished', 'heartbeat', 'error'] as const;
const trialFields = (...keys: (typeof TRIAL_KEYS)[number][]): TrialField[] => keys.map((k) => `trials.${k}` as const);
const ALL_TRIALS = trialFields(...TRIAL_KEYS);

/**
 * What each view's builder reads (see charts/*.ts, summary.ts, table-data.ts). `model.states` comes from
 * trials.state, `model.sign` from study, `model.best` and `withValue` from trials.value and trials.state.
 */
export const VIEW_INPUTS: Readonly<Record<ViewName, readonly DataField[]>> = {
  summary: ['study', 'params', ...ALL_TRIALS],
  history: ['study', ...trialFields('number', 'state', 'value', 'started', 'finished', 'heartbeat')],
  curves: ['study', 'curves', 'fidelity', ...trialFields('number', 'state', 'value')],
  // These three draw only the trials with a value: a new trial that has none yet leaves them as they are.
  parallel: ['study', 'valued'],
  slices: ['study', 'valued'],
  contour: ['study', 'importance', 'valued'],
  importance: ['importance', 'paramInfo'],
  fidelity: ['study', 'fidelity', ...trialFields('state', 'rung', 'bracket', 'budget', 'epochs')],
  timeline: ['workers', ...trialFields('number', 'state', 'worker', 'started', 'finished', 'heartbeat')],
  table: ['study', 'params', 'workers', ...ALL_TRIALS],
};

/**
 * `valuedHistory`, in no view's inputs: what the history chart draws (the trials with a value: their number, value,
 * state and times; and the wall-time unit). When it and `study` are unchanged, the history's option is too, so its
 * redraw keeps the last one instead of rebuilding and comparing 100,000 points.
 */
export const HISTORY_DRAWS: readonly DataField[] = ['study', 'valuedHistory'];

/** The brush mask is computed from these: when one changes under an active brush, every filtered view is stale. */
export const MASK_INPUTS: readonly DataField[] = ['valued'];

function sameArray(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Structural equality for the small nested parts (study info, fidelity, importance, param columns). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return sameArray(a, b as unknown[]) || ((b as unknown[]).length === a.length && a.every((x, i) => sameJson(x, (b as unknown[])[i])));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * The fields that differ between `prev` and `next` (every field when there is no `prev`). A linear pass over the
 * columns: 100,000 trials × 13 columns compare in a few milliseconds, far less than one chart's redraw.
 */
export function changedFields(prev: ReportData | null, next: ReportData): Set<DataField> {
  const out = new Set<DataField>();
  if (prev === null) {
    for (const f of ['study', 't0', 'workers', 'params', 'curves', 'fidelity', 'importance', 'valued', 'paramInfo', 'valuedHistory', ...ALL_TRIALS] as DataField[]) out.add(f);
    return out;
  }
  if (!sameJson(prev.study, next.study)) out.add('study');
  if (prev.t0 !== next.t0) {
    // Every time column is relative to t0.
    out.add('t0');
    for (const f of trialFields('created', 'started', 'finished', 'heartbeat')) out.add(f);
  }
  if (!sameArray(prev.workers, next.workers)) out.add('workers');
  if (!sameJson(prev.params, next.params)) out.add('params');
  if (prev.curves.values !== next.curves.values || !sameArray(prev.curves.offsets, next.curves.offsets)) out.add('curves');
  if (!sameJson(prev.fidelity, next.fidelity)) out.add('fidelity');
  if (!sameJson(prev.importance, next.importance)) out.add('importance');
  for (const k of TRIAL_KEYS) if (!sameArray(prev.trials[k], next.trials[k])) out.add(`trials.${k}`);
  if (!sameParamInfo(prev, next)) out.add('paramInfo');
  if (!out.has('paramInfo') && !sameValued(prev, next)) out.add('valued');
  else if (out.has('paramInfo')) out.add('valued');
  if (out.has('t0') || !sameValuedHistory(prev, next)) out.add('valuedHistory');
  return out;
}

/** The latest time of any trial (finished, else started): the history's wall-time axis picks its unit from it. */
export function latestTime(data: ReportData): number {
  const t = data.trials;
  let max = 0;
  for (let i = 0; i < data.trialCount; i++) max = Math.max(max, t.finished[i] ?? t.started[i] ?? 0);
  return max;
}

/** Whether the history chart's inputs are the same: see HISTORY_DRAWS. */
function sameValuedHistory(prev: ReportData, next: ReportData): boolean {
  if (timeUnit(latestTime(prev)).ms !== timeUnit(latestTime(next)).ms) return false;
  const a = prev.trials;
  const b = next.trials;
  const n = Math.max(a.value.length, b.value.length);
  for (let i = 0; i < n; i++) {
    const v = a.value[i] ?? null;
    if (v === null && (b.value[i] ?? null) === null) continue;
    if (v !== (b.value[i] ?? null)) return false;
    for (const k of HISTORY_COLUMNS) if (a[k][i] !== b[k][i]) return false;
  }
  return true;
}

/** The trial columns history reads for a trial with a value, besides the value. */
export const HISTORY_COLUMNS = ['number', 'state', 'started', 'finished', 'heartbeat'] as const;

/** The param columns but their values: names, kinds, bounds, choices. */
function sameParamInfo(prev: ReportData, next: ReportData): boolean {
  if (prev.params.length !== next.params.length) return false;
  return prev.params.every((p, k) => {
    const { values: _pv, ...pm } = p;
    const { values: _nv, ...nm } = next.params[k]!;
    return sameJson(pm, nm);
  });
}

/**
 * Whether the trials with a value are the same in both versions (their param columns' info being the same): the
 * same values at the same indices, and the same trial numbers and param values there.
 */
function sameValued(prev: ReportData, next: ReportData): boolean {
  const a = prev.trials.value;
  const b = next.trials.value;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const v = a[i] ?? null;
    if (v !== (b[i] ?? null)) return false;
    if (v === null) continue;
    if (prev.trials.number[i] !== next.trials.number[i]) return false;
    for (let k = 0; k < prev.params.length; k++) if (prev.params[k]!.values[i] !== next.params[k]!.values[i]) return false;
  }
  return true;
}

/** The views to redraw for `changed`; `brushed` says whether a brush filters the page (its mask may move). */
export function affectedViews(changed: ReadonlySet<DataField>, brushed: boolean, filtered: readonly ViewName[]): Set<ViewName> {
  const out = new Set<ViewName>();
  for (const [view, inputs] of Object.entries(VIEW_INPUTS) as [ViewName, readonly DataField[]][]) {
    if (inputs.some((f) => changed.has(f))) out.add(view);
  }
  if (brushed && MASK_INPUTS.some((f) => changed.has(f))) for (const v of [...filtered, 'table' as const]) out.add(v);
  return out;
}
