/**
 * `ReportData`: everything the report page draws, as one JSON-serialisable object. Columnar (one array per field,
 * index i is the i-th trial in trial-number order) so 100,000 trials × 20 epochs stay within the 25 MB file budget;
 * learning curves are one Float32 buffer in base64. `tune report` inlines it as `window.__TUNE_REPORT__`;
 * `tune dashboard` serves it as JSON and feeds new versions to `window.tuneReport.update(data)`.
 * This module is plain types and small pure helpers: the browser client imports it too (no Node, no DOM).
 */
import type { Direction, FailureKind, ParamValue, TrialState } from '../core/types.js';

export const REPORT_DATA_VERSION = 1;

/** Trial states in the order `TrialColumns.state` indexes them (the order of `TRIAL_STATES` in core/types). */
export const STATE_NAMES: readonly TrialState[] = ['waiting', 'running', 'paused', 'complete', 'pruned', 'failed'];

export interface StudyInfo {
  readonly name: string;
  readonly strategy: string;
  readonly direction: Direction;
  readonly metric: string;
  readonly backend: string | null;
  readonly seed: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * One searched param. Numeric params (`float`, `int`) hold their values in `values`; categorical and fixed params
 * hold an index into `choices` (so `'adam'` is stored once, not 100,000 times). A trial without the param: null.
 */
export interface ParamColumn {
  readonly name: string;
  readonly kind: 'float' | 'int' | 'categorical' | 'fixed';
  /** Searched on a log scale: the page uses log axes for it. */
  readonly log: boolean;
  /** The space's bounds for numeric params; null when the space isn't stored. */
  readonly min: number | null;
  readonly max: number | null;
  /** Categorical/fixed: the choices, in the space's order (values not in the space are appended). */
  readonly choices: readonly ParamValue[] | null;
  readonly values: readonly (number | null)[];
}

export interface TrialColumns {
  readonly number: readonly number[];
  /** Index into STATE_NAMES. */
  readonly state: readonly number[];
  /** Objective at the last reported epoch, raw (not sign-flipped); null when none or not finite. */
  readonly value: readonly (number | null)[];
  readonly epochs: readonly number[];
  readonly budget: readonly number[];
  readonly rung: readonly (number | null)[];
  readonly bracket: readonly (number | null)[];
  /** Index into `ReportData.workers`, or null when it never ran. */
  readonly worker: readonly (number | null)[];
  /** Milliseconds since `ReportData.t0`: created, started (first claim), finished (null while unfinished). */
  readonly created: readonly number[];
  readonly started: readonly (number | null)[];
  readonly finished: readonly (number | null)[];
  /** Last sign of life (ms since t0): where an unfinished trial's bar on the timeline ends. */
  readonly heartbeat: readonly (number | null)[];
  /** Failure kind of a failed trial (or the last error of a retried one), else null. */
  readonly error: readonly (FailureKind | null)[];
}

/**
 * Every trial's objective per epoch, CSR-style: trial i's curve is `values[offsets[i] .. offsets[i + 1])`, epoch 1
 * first; `offsets` has one entry per trial plus one. `values` is a little-endian Float32Array in base64 (NaN for an
 * epoch without a report, or a NaN/±Infinity objective). Decode with `decodeCurves`.
 */
export interface CurveData {
  readonly offsets: readonly number[];
  readonly values: string;
}

/** Rung ladders of a multi-fidelity study, from the stored space (SHA, ASHA: one ladder; Hyperband, BOHB: one per bracket). */
export interface FidelityInfo {
  /** The study's rung budgets in epochs, bottom rung first (`rungBudgets` in space/fidelity). */
  readonly budgets: readonly number[];
  /** Hyperband/BOHB: bracket id → its rung budgets (rung k of bracket b trains `brackets[b][k]` epochs). */
  readonly brackets: readonly (readonly number[])[] | null;
}

/** One importance estimator's result: a share per param, summing to about 1. */
export interface ImportanceEstimate {
  readonly method: string;
  readonly label: string;
  readonly importances: Readonly<Record<string, number>>;
}

export interface ImportanceData {
  /** Trials the estimate used (finished with a finite value). */
  readonly trials: number;
  readonly estimates: readonly ImportanceEstimate[];
  /** Why there is no estimate (too few trials, one param), shown instead of the chart. */
  readonly note: string | null;
}

export interface ReportData {
  readonly version: typeof REPORT_DATA_VERSION;
  readonly generatedAt: string;
  /** Epoch milliseconds all trial times are relative to (the first trial's creation, or the study's). */
  readonly t0: number;
  readonly study: StudyInfo;
  readonly trialCount: number;
  readonly trials: TrialColumns;
  readonly params: readonly ParamColumn[];
  readonly workers: readonly string[];
  readonly curves: CurveData;
  readonly fidelity: FidelityInfo | null;
  readonly importance: ImportanceData | null;
  /**
   * Monotonic version of the data (the dashboard's sequence number; `tune report` sets it to the trial count plus
   * epochs reported). The page only re-renders on `update` when it changed.
   */
  readonly seq: number;
}
