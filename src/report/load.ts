/** Reads one study through the `Storage` interface into the columnar `ReportData` the page draws. */
import type { ParamValue, StudyRecord, TrialRecord } from '../core/types.js';
import { isFidelityStrategy, rungBudgets } from '../space/index.js';
import { hyperbandBrackets } from '../strategies/index.js';
import type { ParamSpec, SearchSpace } from '../space/types.js';
import type { Storage } from '../storage/types.js';
import { reportImportance } from './importance.js';
import { REPORT_DATA_VERSION, STATE_NAMES, type CurveData, type FidelityInfo, type ImportanceData, type ParamColumn, type ReportData, type TrialColumns } from './data.js';

export interface LoadOptions {
  /**
   * Parameter importance to show. Absent: computed here from the study's trials (`reportImportance`); null: not
   * computed (the view says so), e.g. for a dashboard tick that reuses the last estimate.
   */
  readonly importance?: ImportanceData | null;
  readonly now?: () => Date;
}

export async function loadReportData(storage: Storage, study: StudyRecord, options: LoadOptions = {}): Promise<ReportData> {
  const trials = [...(await storage.trials(study.id))].sort((a, b) => a.number - b.number);
  const curves = await storage.objectiveCurves(study.id, study.metric);
  const space = storedSearchSpace(study);
  const t0 = trials.reduce((min, t) => Math.min(min, Date.parse(t.createdAt)), Date.parse(study.createdAt));
  const workers = [...new Set(trials.map((t) => t.worker).filter((w): w is string => w !== null))].sort();
  const curveData = encodeCurves(trials.map((t) => curves.get(t.id) ?? []));
  return {
    version: REPORT_DATA_VERSION,
    generatedAt: (options.now?.() ?? new Date()).toISOString(),
    t0,
    study: {
      name: study.name, strategy: study.strategy, direction: study.direction, metric: study.metric,
      backend: study.backend, seed: study.seed, createdAt: study.createdAt, updatedAt: study.updatedAt,
    },
    trialCount: trials.length,
    trials: trialColumns(trials, t0, workers),
    params: paramColumns(trials, space),
    workers,
    curves: curveData,
    fidelity: fidelityInfo(space),
    importance: options.importance === undefined ? reportImportance(study, trials) : options.importance,
    seq: trials.length + curveData.offsets[curveData.offsets.length - 1]!,
  };
}

/** The normalised space the study last ran with, if it was stored (`StudyRecord.definition`). */
export function storedSearchSpace(study: StudyRecord): SearchSpace | null {
  const d = study.definition as Partial<SearchSpace> | null;
  return d !== null && typeof d === 'object' && d.params !== undefined && d.strategy !== undefined ? (d as SearchSpace) : null;
}

/**
 * Floats to 10 significant digits (relative error ≤ 5e-11): charts and the table can't show more, and it saves about
 * 8 characters per number, 10 % of a 100,000-trial file. `tune export` and `tune show` give the exact values.
 */
export function round10(v: number): number {
  return Number.isInteger(v) ? v : Number(v.toPrecision(10));
}

function ms(iso: string | null, t0: number): number | null {
  return iso === null ? null : Date.parse(iso) - t0;
}

/** One trial's cells of `TrialColumns` (the dashboard updates a changed trial's row with it). */
export function trialCells(t: TrialRecord, t0: number, workerIndex: ReadonlyMap<string, number>): { [K in keyof TrialColumns]: TrialColumns[K][number] } {
  return {
    number: t.number,
    state: STATE_NAMES.indexOf(t.state),
    value: t.value !== null && Number.isFinite(t.value) ? round10(t.value) : null,
    epochs: t.epochs,
    budget: t.budget,
    rung: t.rung,
    bracket: t.bracket,
    worker: t.worker === null ? null : (workerIndex.get(t.worker) ?? null),
    created: Date.parse(t.createdAt) - t0,
    started: ms(t.startedAt, t0),
    finished: ms(t.finishedAt, t0),
    heartbeat: ms(t.heartbeatAt, t0),
    error: t.error?.kind ?? null,
  };
}

export const TRIAL_COLUMNS = ['number', 'state', 'value', 'epochs', 'budget', 'rung', 'bracket', 'worker', 'created', 'started', 'finished', 'heartbeat', 'error'] as const satisfies readonly (keyof TrialColumns)[];

function trialColumns(trials: readonly TrialRecord[], t0: number, workers: readonly string[]): TrialColumns {
  const workerIndex = new Map(workers.map((w, i) => [w, i]));
  const rows = trials.map((t) => trialCells(t, t0, workerIndex));
  return Object.fromEntries(TRIAL_COLUMNS.map((k) => [k, rows.map((r) => r[k])])) as unknown as TrialColumns;
}

/** A param's cell for one trial: the number (10 digits), the index of its choice, or null; undefined: not a choice yet. */
export function paramCell(column: Pick<ParamColumn, 'choices'>, v: ParamValue | undefined): number | null | undefined {
  if (column.choices === null) return typeof v === 'number' && Number.isFinite(v) ? round10(v) : null;
  if (v === undefined) return null;
  const i = column.choices.indexOf(v);
  return i < 0 ? undefined : i;
}

/** Columns in the space's order, then any param a trial has that the space doesn't (an older run's). */
function paramColumns(trials: readonly TrialRecord[], space: SearchSpace | null): ParamColumn[] {
  const specs = new Map<string, ParamSpec | undefined>(Object.entries(space?.params ?? {}));
  for (const t of trials) for (const name of Object.keys(t.params)) if (!specs.has(name)) specs.set(name, undefined);
  const columns: ParamColumn[] = [];
  for (const [name, spec] of specs) {
    const raw = trials.map((t) => t.params[name]);
    const numeric = spec === undefined ? raw.every((v) => v === undefined || typeof v === 'number') : spec.type === 'float' || spec.type === 'int';
    if (numeric) {
      const num = spec !== undefined && (spec.type === 'float' || spec.type === 'int') ? spec : null;
      columns.push({
        name, kind: num?.type ?? 'float', log: num?.log ?? false, min: num?.min ?? null, max: num?.max ?? null, choices: null,
        values: raw.map((v) => (typeof v === 'number' && Number.isFinite(v) ? round10(v) : null)),
      });
      continue;
    }
    const choices: ParamValue[] = spec?.type === 'categorical' ? [...spec.values] : spec?.type === 'fixed' ? [spec.value] : [];
    const index = new Map<ParamValue, number>(choices.map((c, i) => [c, i]));
    const values = raw.map((v) => {
      if (v === undefined) return null;
      let i = index.get(v);
      if (i === undefined) {
        i = choices.push(v) - 1;
        index.set(v, i);
      }
      return i;
    });
    columns.push({ name, kind: spec?.type === 'fixed' ? 'fixed' : 'categorical', log: false, min: null, max: null, choices, values });
  }
  return columns;
}

/** Curves as one Float32 buffer (base64): 100,000 × 20 epochs is 10.7 MB instead of ~36 MB of JSON numbers. */
export function encodeCurves(curves: readonly (readonly number[])[]): CurveData {
  const offsets = [0];
  for (const c of curves) offsets.push(offsets[offsets.length - 1]! + c.length);
  const buf = new Float32Array(offsets[offsets.length - 1]!);
  let at = 0;
  for (const c of curves) for (const v of c) buf[at++] = v;
  return { offsets, values: Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('base64') };
}

function fidelityInfo(space: SearchSpace | null): FidelityInfo | null {
  const s = space?.strategy;
  if (s === undefined || !isFidelityStrategy(s)) return null;
  const budgets = rungBudgets(s);
  if (s.type !== 'hyperband' && s.type !== 'bohb') return { budgets, brackets: null };
  // Bracket ids count over the repeated plan (HyperbandStrategy: `iterations` × the brackets of Algorithm 1).
  const plans = hyperbandBrackets(s);
  const brackets: number[][] = [];
  for (let i = 0; i < s.iterations; i++) for (const p of plans) brackets.push([...p.budgets]);
  return { budgets, brackets };
}
