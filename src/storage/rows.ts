/** Row shapes as better-sqlite3 returns them, and their mapping to and from the core records. */
import { StorageError } from '../core/errors.js';
import {
  TRIAL_STATES, type Direction, type EpochReport, type FailureKind, type ParamValue, type Params, type StudyRecord,
  type TrialRecord, type TrialState,
} from '../core/types.js';

/** How a stored number is to be read: SQLite keeps NaN as NULL, so the kind says what the REAL can't. */
export type ValueKind = 'finite' | 'nan' | 'inf' | '-inf';
export type ParamType = 'number' | 'string' | 'boolean';

// The union-typed columns are guarded by CHECK constraints or validated before every write.
export interface StudyRow {
  readonly id: number;
  readonly name: string;
  readonly space: string;
  readonly direction: Direction;
  readonly metric: string;
  readonly strategy: string;
  readonly seed: number;
  readonly backend: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  /** JSON, or NULL until a run stores it. */
  readonly definition: string | null;
}

export interface TrialRow {
  readonly id: number;
  readonly study_id: number;
  readonly number: number;
  readonly state: TrialState;
  readonly params: string;
  readonly budget: number;
  readonly rung: number | null;
  readonly bracket: number | null;
  readonly seed: number;
  readonly value: number | null;
  readonly value_kind: ValueKind | null;
  readonly epochs: number;
  readonly error_kind: FailureKind | null;
  readonly error_message: string | null;
  readonly checkpoint: string | null;
  readonly worker: string | null;
  readonly created_at: string;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  readonly heartbeat_at: string | null;
  readonly resume_of: number | null;
  readonly attempts: number;
  readonly claim_key: string | null;
  readonly claims: number;
  readonly lease_ms: number | null;
}

export interface RankedTrialRow extends TrialRow {
  readonly rank: number;
}

export interface ReportRow {
  readonly trial_id: number;
  readonly epoch: number;
  readonly metric: string;
  readonly value: number | null;
  readonly value_kind: ValueKind;
}

/** One epoch of one metric, as `objectiveCurves` reads it. */
export type CurvePointRow = Omit<ReportRow, 'metric'>;

export interface ParamRow {
  readonly trial_id: number;
  readonly name: string;
  readonly value_type: ParamType;
  readonly value_num: number | null;
  readonly value_text: string | null;
}

export interface EncodedNumber {
  readonly value: number | null;
  readonly kind: ValueKind;
}

export function encodeNumber(x: number): EncodedNumber {
  if (Number.isNaN(x)) return { value: null, kind: 'nan' };
  if (x === Infinity) return { value: x, kind: 'inf' };
  if (x === -Infinity) return { value: x, kind: '-inf' };
  return { value: x, kind: 'finite' };
}

/** Inverse of `encodeNumber`; a NULL kind means "no value". */
export function decodeNumber(value: number | null, kind: ValueKind | null): number | null {
  switch (kind) {
    case null:
      return null;
    case 'nan':
      return NaN;
    case 'inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    case 'finite':
      if (value === null) throw new StorageError('corrupt row: finite value stored as NULL');
      return value;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON with object keys sorted at every depth, so equal values always serialise to equal text. */
export function canonicalJson(value: unknown): string {
  const text: string | undefined = JSON.stringify(value, (_key, v: unknown) =>
    isPlainObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  );
  if (text === undefined) throw new StorageError('value cannot be stored as JSON');
  return text;
}

const isParamValue = (v: unknown): v is ParamValue =>
  typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';

export function parseParams(json: string): Params {
  const parsed: unknown = JSON.parse(json);
  if (!isPlainObject(parsed) || !Object.values(parsed).every(isParamValue)) {
    throw new StorageError(`corrupt params JSON: ${json}`);
  }
  return parsed as Params; // every value checked just above
}

/** The `trial_params` row of one param: numbers in value_num, the rest as text with a type marker. */
export function encodeParam(
  name: string,
  v: ParamValue,
): { name: string; value_type: ParamType; value_num: number | null; value_text: string | null } {
  if (typeof v === 'number') return { name, value_type: 'number', value_num: v, value_text: null };
  if (typeof v === 'boolean') return { name, value_type: 'boolean', value_num: null, value_text: String(v) };
  return { name, value_type: 'string', value_num: null, value_text: v };
}

export function toStudyRecord(r: StudyRow): StudyRecord {
  return {
    id: r.id,
    name: r.name,
    space: JSON.parse(r.space) as unknown,
    definition: r.definition === null ? null : (JSON.parse(r.definition) as unknown),
    direction: r.direction,
    metric: r.metric,
    strategy: r.strategy,
    seed: r.seed,
    backend: r.backend,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function toTrialRecord(r: TrialRow): TrialRecord {
  return {
    id: r.id,
    studyId: r.study_id,
    number: r.number,
    state: r.state,
    params: parseParams(r.params),
    budget: r.budget,
    rung: r.rung,
    bracket: r.bracket,
    seed: r.seed,
    value: decodeNumber(r.value, r.value_kind),
    epochs: r.epochs,
    error: r.error_kind === null ? null : { kind: r.error_kind, message: r.error_message ?? '' },
    checkpoint: r.checkpoint,
    worker: r.worker,
    attempts: r.attempts,
    claims: r.claims,
    leaseMs: r.lease_ms,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    heartbeatAt: r.heartbeat_at,
  };
}

/** Groups report rows (ordered by epoch) into one `EpochReport` per epoch. */
export function toEpochReports(rows: readonly ReportRow[]): EpochReport[] {
  const groups: { trialId: number; epoch: number; entries: [string, number][] }[] = [];
  for (const r of rows) {
    let last = groups[groups.length - 1];
    if (!last || last.epoch !== r.epoch || last.trialId !== r.trial_id) {
      last = { trialId: r.trial_id, epoch: r.epoch, entries: [] };
      groups.push(last);
    }
    last.entries.push([r.metric, decodeNumber(r.value, r.value_kind) ?? NaN]);
  }
  // fromEntries defines own properties, so a metric named "__proto__" is kept like any other
  return groups.map((g) => ({ trialId: g.trialId, epoch: g.epoch, metrics: Object.fromEntries(g.entries) }));
}

/**
 * Report rows of one metric (ordered by trial, then epoch) as one learning curve per trial:
 * `curve[e - 1]` is epoch e, NaN where that epoch has no report.
 */
export function toCurves(rows: readonly CurvePointRow[]): Map<number, number[]> {
  const curves = new Map<number, number[]>();
  for (const r of rows) {
    let curve = curves.get(r.trial_id);
    if (!curve) curves.set(r.trial_id, (curve = []));
    while (curve.length < r.epoch - 1) curve.push(NaN);
    curve[r.epoch - 1] = decodeNumber(r.value, r.value_kind) ?? NaN;
  }
  return curves;
}

export function zeroCounts(): Record<TrialState, number> {
  return Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<TrialState, number>;
}
