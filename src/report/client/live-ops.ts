/**
 * A dashboard patch applied to the page's data in place, with what it changed read off the ops and the model brought
 * up to date from the changed rows only. At 100,000 trials the old way (clone the whole data, compare every column,
 * decode the whole curve buffer again) cost more than the redraw of the charts in view; this costs what changed.
 * Ops of a shape it doesn't know (a param's choices, a shrinking column) are refused before anything is touched, and
 * the caller takes the full path (`tuneReport.update`). Pure (no DOM): unit-tested in Node against `buildModel` and
 * `changedFields` of the final data, run in the page.
 */
import { STATE_NAMES, type ReportData } from '../data.js';
import { HISTORY_COLUMNS, latestTime, sameJson, TRIAL_KEYS, type DataField, type TrialKey } from './changes.js';
import { buildModel, decodeCurves, timeUnit, type Model } from './model.js';

export type OpPath = readonly (string | number)[];
/** The op format of the dashboard's patches (src/dashboard/patch.ts; restated here: the page doesn't import the server). */
export type DataOp =
  | readonly ['set', OpPath, unknown]
  | readonly ['del', OpPath]
  | readonly ['len', OpPath, number]
  | readonly ['splice', OpPath, number, number, string];

/** Small top-level parts: snapshotted before the ops and compared after (a few hundred bytes each). */
const SMALL = ['study', 'workers', 'fidelity', 'importance'] as const;
type Small = (typeof SMALL)[number];
const TIME_KEYS: readonly TrialKey[] = ['created', 'started', 'finished', 'heartbeat'];

type Row = { readonly col: TrialKey | number; readonly r: number };
type Parsed =
  | { readonly kind: 'meta' }
  | { readonly kind: 't0' }
  | { readonly kind: 'small'; readonly field: Small }
  | { readonly kind: 'row'; readonly row: Row }
  | { readonly kind: 'offset'; readonly r: number }
  | { readonly kind: 'values' };

const isRow = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** What one op touches, or null when it isn't a shape this module tracks. */
function parse(op: DataOp, data: ReportData): Parsed | null {
  const [kind, path] = op;
  const head = path[0];
  if (path.length === 1 && kind === 'set' && (head === 'seq' || head === 'generatedAt' || head === 'trialCount')) return { kind: 'meta' };
  if (path.length === 1 && kind === 'set' && head === 't0' && typeof op[2] === 'number') return { kind: 't0' };
  if ((SMALL as readonly unknown[]).includes(head) && kind !== 'splice' && (path.length > 1 || kind === 'set')) return { kind: 'small', field: head as Small };
  if (kind !== 'set' && kind !== 'splice') return null;
  if (kind === 'set' && head === 'trials' && path.length === 3 && (TRIAL_KEYS as readonly unknown[]).includes(path[1]) && isRow(path[2])) {
    return { kind: 'row', row: { col: path[1] as TrialKey, r: path[2] } };
  }
  if (kind === 'set' && head === 'params' && path.length === 4 && path[2] === 'values' && isRow(path[1]) && path[1] < data.params.length && isRow(path[3])) {
    return { kind: 'row', row: { col: path[1], r: path[3] } };
  }
  if (head === 'curves' && path.length === 3 && path[1] === 'offsets' && kind === 'set' && isRow(path[2]) && typeof op[2] === 'number') return { kind: 'offset', r: path[2] };
  if (head === 'curves' && path.length === 2 && path[1] === 'values' && (kind === 'splice' || typeof op[2] === 'string')) return { kind: 'values' };
  return null;
}

/** The column a row op writes. */
function column(data: ReportData, col: TrialKey | number): unknown[] {
  return (typeof col === 'number' ? data.params[col]!.values : data.trials[col]) as unknown[];
}

/** Sets, deletes or splices at `path` (the same semantics as the dashboard's `applyPatch`). */
function applyOne(root: Record<string | number, unknown>, op: DataOp): void {
  const path = op[1];
  let parent = root;
  for (let i = 0; i < path.length - 1; i++) parent = parent[path[i]!] as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  if (op[0] === 'set') parent[key] = op[2];
  else if (op[0] === 'del') delete parent[key];
  else if (op[0] === 'len') (parent[key] as unknown[]).length = op[2];
  else parent[key] = (parent[key] as string).slice(0, op[2]) + op[4] + (parent[key] as string).slice(op[3]);
}

export interface LiveStep {
  /** The model of the patched data (its `data` is the same object, patched in place). */
  readonly model: Model;
  /** What changed, as `changedFields(before, after)` says it. */
  readonly changed: Set<DataField>;
}

/**
 * Checks every op first (their shapes, and that the columns stay dense and as long as `trialCount`), so a refused
 * patch leaves the data as it was; then applies them to `model.data` and answers the new model and changed fields.
 * Null: refused, nothing touched.
 */
export function applyLiveOps(model: Model, ops: readonly DataOp[]): LiveStep | null {
  const data = model.data;
  const parsed: Parsed[] = [];
  // Dry run: the length each column will have, so a gap or a short column is refused before any write.
  const lengths = new Map<TrialKey | number | 'offsets', number>();
  const lengthOf = (col: TrialKey | number | 'offsets') => lengths.get(col) ?? (col === 'offsets' ? data.curves.offsets.length : column(data, col).length);
  let trialCount = data.trialCount;
  for (const op of ops) {
    const p = parse(op, data);
    if (p === null) return null;
    if (p.kind === 'meta' && op[1][0] === 'trialCount') {
      if (!isRow(op[2]) || op[2] < data.trialCount) return null;
      trialCount = op[2];
    }
    const col = p.kind === 'row' ? p.row.col : p.kind === 'offset' ? 'offsets' : null;
    if (col !== null) {
      const r = p.kind === 'row' ? p.row.r : (p as { r: number }).r;
      const n = lengthOf(col);
      if (r > n) return null;
      lengths.set(col, Math.max(n, r + 1));
    }
    if (p.kind === 'values' && op[0] === 'splice' && !(op[2] >= 0 && op[2] <= op[3] && op[3] <= data.curves.values.length)) return null;
    parsed.push(p);
  }
  const cols: (TrialKey | number)[] = [...TRIAL_KEYS, ...data.params.map((_, k) => k)];
  if (cols.some((c) => lengthOf(c) !== trialCount) || lengthOf('offsets') !== trialCount + 1) return null;

  // Apply, keeping what each touched cell and small part held before.
  const oldN = data.trialCount;
  const oldUnit = timeUnit(latestTime(data)).ms;
  const oldT0 = data.t0;
  const snapshots = new Map<Small, unknown>();
  const olds = new Map<TrialKey | number, Map<number, unknown>>();
  const oldOffsets = new Map<number, number>();
  let curvesChanged = false;
  /** The curve buffer's tail replaced from a 3-byte boundary on: only the tail needs decoding. */
  const tails: { readonly at: number; readonly base64: string }[] = [];
  let fullDecode = false;
  ops.forEach((op, k) => {
    const p = parsed[k]!;
    if (p.kind === 'small' && !snapshots.has(p.field)) snapshots.set(p.field, structuredClone(data[p.field]));
    if (p.kind === 'row' && p.row.r < oldN) {
      let m = olds.get(p.row.col);
      if (m === undefined) olds.set(p.row.col, (m = new Map()));
      if (!m.has(p.row.r)) m.set(p.row.r, column(data, p.row.col)[p.row.r]);
    }
    if (p.kind === 'offset' && p.r <= oldN && !oldOffsets.has(p.r)) oldOffsets.set(p.r, data.curves.offsets[p.r]!);
    if (p.kind === 'values') {
      const before = data.curves.values;
      if (op[0] === 'splice') {
        const [, , start, end, insert] = op;
        if (before.slice(start, end) !== insert) curvesChanged = true;
        if (start % 4 === 0 && end === before.length) tails.push({ at: (start / 4) * 3, base64: insert });
        else fullDecode = true;
      } else if (before !== op[2]) {
        curvesChanged = true;
        fullDecode = true;
      }
    }
    applyOne(data as unknown as Record<string, unknown>, op);
  });

  const changed = new Set<DataField>();
  for (const [field, before] of snapshots) if (!sameJson(before, data[field])) changed.add(field);
  if (data.t0 !== oldT0) {
    changed.add('t0');
    for (const k of TIME_KEYS) changed.add(`trials.${k}`);
  }
  const n = data.trialCount;
  const grew = n !== oldN;
  if (grew) {
    for (const k of TRIAL_KEYS) changed.add(`trials.${k}`);
    if (data.params.length > 0) changed.add('params');
  }
  const moved = (col: TrialKey | number, r: number): boolean => {
    const m = olds.get(col);
    return m !== undefined && m.has(r) && m.get(r) !== column(data, col)[r];
  };
  const touched = new Set<number>();
  for (const [col, m] of olds) {
    for (const r of m.keys()) {
      touched.add(r);
      if (moved(col, r)) changed.add(typeof col === 'number' ? 'params' : `trials.${col}`);
    }
  }
  for (const [r, before] of oldOffsets) if (data.curves.offsets[r] !== before) curvesChanged = true;
  if (grew || curvesChanged) changed.add('curves');
  // `valued` as changes.ts's sameValued says it: a trial with a value whose value, number or params moved, or a new one.
  const t = data.trials;
  const oldValue = (r: number) => (olds.get('value')?.has(r) ? olds.get('value')!.get(r) : t.value[r]) as number | null;
  let valued = false;
  for (let r = oldN; r < n && !valued; r++) valued = t.value[r] !== null;
  for (const r of touched) {
    if (valued) break;
    const v = t.value[r] ?? null;
    valued = oldValue(r) !== v || (v !== null && (moved('number', r) || data.params.some((_, k) => moved(k, r))));
  }
  if (valued) changed.add('valued');
  // `valuedHistory` (changes.ts): a row with a value (before or after) whose value, number, state or times moved.
  let history = changed.has('t0') || timeUnit(latestTime(data)).ms !== oldUnit;
  for (let r = oldN; r < n && !history; r++) history = t.value[r] !== null;
  for (const r of touched) {
    if (history) break;
    const v = t.value[r] ?? null;
    const was = oldValue(r);
    history = (was !== null || v !== null) && (was !== v || HISTORY_COLUMNS.some((k) => moved(k, r)));
  }
  if (history) changed.add('valuedHistory');

  if (changed.has('study') && data.study.direction !== (model.sign > 0 ? 'maximize' : 'minimize')) return { model: buildModel(data), changed };
  const curves = !changed.has('curves') ? model.curves : fullDecode ? decodeCurves(data.curves.values) : decodeTails(model.curves, tails);
  const states = model.states.slice(0, n);
  const rows = [...touched, ...Array.from({ length: n - oldN }, (_, k) => oldN + k)];
  for (const r of rows) states[r] = STATE_NAMES[t.state[r]!] ?? 'waiting';
  return { model: { ...model, n, curves, states, ...bestOf(model, data, states, rows, oldValue, oldN) }, changed };
}

/** The old buffer with its tail replaced by each decoded base64 tail in turn (the bytes before each are kept). */
function decodeTails(floats: Float32Array, tails: readonly { readonly at: number; readonly base64: string }[]): Float32Array {
  let bytes = new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength);
  for (const { at, base64 } of tails) {
    const bin = atob(base64);
    const next = new Uint8Array(at + bin.length);
    next.set(bytes.subarray(0, at));
    for (let i = 0; i < bin.length; i++) next[at + i] = bin.charCodeAt(i);
    bytes = next;
  }
  return new Float32Array(bytes.buffer, 0, bytes.length >> 2);
}

/**
 * `best` and `withValue` as `buildModel` works them out, from the changed rows: the best trial is kept unless a
 * changed row beats it (the rule of buildModel: complete first, then the better value, then the lower index) or was
 * it, in which case one pass over the values finds it again.
 */
function bestOf(
  model: Model, data: ReportData, states: readonly string[], rows: readonly number[], oldValue: (r: number) => number | null, oldN: number,
): { best: number; withValue: number } {
  const t = data.trials;
  let withValue = model.withValue;
  for (const r of rows) withValue += (t.value[r] !== null ? 1 : 0) - (r < oldN && oldValue(r) !== null ? 1 : 0);
  const sign = model.sign;
  const beats = (i: number, j: number): boolean => {
    if (j < 0) return true;
    const ci = states[i] === 'complete';
    const cj = states[j] === 'complete';
    if (ci !== cj) return ci;
    const d = sign * t.value[i]! - sign * t.value[j]!;
    return d > 0 || (d === 0 && i < j);
  };
  if (model.best >= 0 && rows.includes(model.best)) {
    let best = -1;
    for (let i = 0; i < data.trialCount; i++) if (t.value[i] !== null && t.value[i] !== undefined && beats(i, best)) best = i;
    return { best, withValue };
  }
  let best = model.best;
  for (const r of rows) if (t.value[r] !== null && t.value[r] !== undefined && beats(r, best)) best = r;
  return { best, withValue };
}
