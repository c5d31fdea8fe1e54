/** Checks on what callers hand to storage, done before any SQL so a bad call never half-writes. */
import { ConflictError, LeaseLostError, StorageError, StudyMismatchError } from '../core/errors.js';
import { FAILURE_KINDS, OUTCOME_STATES } from '../core/trial-state.js';
import type { Metrics, StudySpec, TrialError, TrialOutcome } from '../core/types.js';
import { canonicalJson, type StudyRow, type TrialRow } from './rows.js';
import type { Fence, NewTrial, RequeueOptions } from './types.js';

function fail(message: string): never {
  throw new StorageError(message);
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

export function checkStudyName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) fail('study name must be a non-empty string');
}

export function checkStudySpec(spec: StudySpec): void {
  checkStudyName(spec.name);
  if (spec.direction !== 'maximize' && spec.direction !== 'minimize') {
    fail(`study "${spec.name}": direction must be "maximize" or "minimize", got ${String(spec.direction)}`);
  }
  if (typeof spec.metric !== 'string' || spec.metric.length === 0) fail(`study "${spec.name}": metric must be a non-empty string`);
  if (typeof spec.strategy !== 'string' || spec.strategy.length === 0) fail(`study "${spec.name}": strategy must be a non-empty string`);
  if (!isInt(spec.seed)) fail(`study "${spec.name}": seed must be a safe integer, got ${spec.seed}`);
}

function checkParams(params: NewTrial['params']): void {
  for (const [name, v] of Object.entries(params)) {
    const ok = typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
    // JSON can't hold NaN/Infinity, and a param that isn't finite is a strategy bug anyway
    if (!ok) fail(`param "${name}" must be a finite number, a string or a boolean, got ${String(v)}`);
  }
}

export function checkNewTrial(t: NewTrial): void {
  checkParams(t.params);
  if (t.numbers !== undefined) {
    const w = t.numbers;
    if (!isInt(w.first) || w.first < 0) fail(`trial numbers: first must be an integer >= 0, got ${w.first}`);
    if (!Array.isArray(w.at) || w.at.length === 0) fail('trial numbers: the window must offer at least one number');
    for (const [i, e] of w.at.entries()) {
      if (!isInt(e.seed)) fail(`trial numbers: the seed of number ${w.first + i} must be a safe integer, got ${e.seed}`);
      if (e.params !== undefined) checkParams(e.params);
    }
  }
  if (typeof t.budget !== 'number' || !Number.isFinite(t.budget) || t.budget < 0) {
    fail(`trial budget must be a finite number >= 0, got ${t.budget}`);
  }
  if (!isInt(t.seed)) fail(`trial seed must be a safe integer, got ${t.seed}`);
  if (t.rung !== undefined && !isInt(t.rung)) fail(`trial rung must be an integer, got ${t.rung}`);
  if (t.bracket !== undefined && !isInt(t.bracket)) fail(`trial bracket must be an integer, got ${t.bracket}`);
  if (t.resumeOf !== undefined && !isInt(t.resumeOf)) fail(`resumeOf must be a trial id, got ${t.resumeOf}`);
  checkLease(t.leaseMs);
  if (t.key !== undefined && (typeof t.key !== 'string' || t.key.length === 0)) {
    fail(`trial key must be a non-empty string, got ${JSON.stringify(t.key)}`);
  }
}

export function checkMetrics(metrics: Metrics): void {
  for (const [name, v] of Object.entries(metrics)) {
    if (name.length === 0) fail('metric names must be non-empty');
    if (typeof v !== 'number') fail(`metric "${name}" must be a number, got ${typeof v}`);
  }
}

/** Epochs are counted from 1: reporting epoch N means N epochs are done. */
export function checkReport(epoch: number, metrics: Metrics, value: number): void {
  if (!isInt(epoch) || epoch < 1) fail(`epoch must be an integer >= 1 (1 = first epoch done), got ${epoch}`);
  checkMetrics(metrics);
  if (typeof value !== 'number') fail(`reported value must be a number, got ${typeof value}`);
}

export function checkOutcome(o: TrialOutcome): void {
  const states: readonly string[] = OUTCOME_STATES;
  if (!states.includes(o.state)) fail(`outcome state must be one of ${states.join(', ')}, got ${String(o.state)}`);
  if (!isInt(o.epochs) || o.epochs < 0) fail(`outcome epochs must be an integer >= 0, got ${o.epochs}`);
  if (o.value !== undefined && typeof o.value !== 'number') fail(`outcome value must be a number, got ${typeof o.value}`);
  if (o.checkpoint !== undefined && typeof o.checkpoint !== 'string') fail('outcome checkpoint must be a path string');
  if (o.metrics !== undefined) checkMetrics(o.metrics);
  if (o.error !== undefined) checkError(o.error);
}

export function checkError(error: TrialError): void {
  const kinds: readonly string[] = FAILURE_KINDS;
  if (!kinds.includes(error.kind)) fail(`error kind must be one of ${kinds.join(', ')}, got ${String(error.kind)}`);
  if (typeof error.message !== 'string') fail('error message must be a string');
}

export function checkRequeue(options: RequeueOptions): void {
  if (typeof options.countAttempt !== 'boolean') fail('requeue: countAttempt must be a boolean');
  if (options.error !== undefined) checkError(options.error);
  if (options.fence !== undefined) checkFence(options.fence);
}

export function checkLease(leaseMs: number | undefined): void {
  if (leaseMs !== undefined && !(isInt(leaseMs) && leaseMs > 0)) fail(`lease must be a whole number of ms > 0, got ${leaseMs}`);
}

export function checkFence(fence: Fence | undefined): void {
  if (fence === undefined) return;
  if (typeof fence.worker !== 'string' || fence.worker.length === 0) fail('fence worker must be a non-empty string');
  if (!isInt(fence.claim) || fence.claim < 1) fail(`fence claim must be an integer >= 1, got ${fence.claim}`);
}

export function checkTrialIds(ids: readonly number[]): void {
  for (const id of ids) if (!isInt(id)) fail(`trial ids must be integers, got ${id}`);
}

/** The shape of a promotion; whether it fits the stored trial is checked inside the transaction. */
export function checkPromotion(budget: number, rung: number): void {
  if (typeof budget !== 'number' || !Number.isFinite(budget) || budget < 0) {
    fail(`promotion budget must be a finite number >= 0, got ${budget}`);
  }
  if (!isInt(rung) || rung < 0) fail(`promotion rung must be an integer >= 0, got ${rung}`);
}

/** Stored studies and trials, checked inside the transaction that changes them (trial moves: core/trial-state.ts). */

/**
 * Whether the stored trial can take the promotion: a ConflictError if it is no longer paused (another tuner
 * promoted, resumed or pruned it first), a StorageError unless the budget grows past its budget and epochs and the
 * rung doesn't go back.
 */
export function checkPromotable(row: { readonly state: string; readonly budget: number; readonly epochs: number; readonly rung: number | null }, id: number, budget: number, rung: number): void {
  const refuse = (why: string, Err = StorageError): never => {
    throw new Err(`can't promote trial ${id} to budget ${budget}, rung ${rung}: ${why}`);
  };
  if (row.state !== 'paused') refuse(`it is ${row.state}, and only a paused trial can be promoted`, ConflictError);
  if (!(budget > row.budget)) refuse(`the budget must grow past its current ${row.budget}`);
  if (!(budget > row.epochs)) refuse(`it has already trained ${row.epochs} epochs`);
  if (row.rung !== null && rung < row.rung) refuse(`it is already at rung ${row.rung}`);
}

/** A study reopened under its name must keep its space, direction and metric. */
export function checkSameStudy(row: StudyRow, spec: StudySpec, space: string): void {
  const diffs: string[] = [];
  if (canonicalJson(JSON.parse(row.space)) !== space) diffs.push('search space');
  if (row.direction !== spec.direction) diffs.push(`direction (stored ${row.direction}, new ${spec.direction})`);
  if (row.metric !== spec.metric) diffs.push(`metric (stored ${row.metric}, new ${spec.metric})`);
  if (diffs.length > 0) {
    throw new StudyMismatchError(
      `study "${spec.name}" already exists with a different ${diffs.join(', ')}. ` +
        'Give this sweep another name, or run it with the same space, direction and metric to resume the study.',
    );
  }
}

/** Refuses a fenced write unless the trial is still running under the fence's claim (see `Fence`). */
export function checkHolder(row: TrialRow, fence: Fence | undefined, what: string): void {
  if (fence === undefined) return;
  if (row.state === 'running' && row.worker === fence.worker && row.claims === fence.claim) return;
  const now = row.state === 'running' ? `running under claim ${row.claims} of ${row.worker ?? 'nobody'}` : row.state;
  throw new LeaseLostError(
    `trial ${row.id}: ${what} from ${fence.worker} (claim ${fence.claim}) refused: it no longer holds the trial, which is ${now}`,
  );
}
