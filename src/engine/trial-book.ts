import { reduceCurve, type Reduce } from '../core/objective.js';
import { FINISHED_STATES } from '../core/trial-state.js';
import type { Direction, TrialId, TrialRecord, TrialState } from '../core/types.js';
import type { StudyChanges } from '../storage/types.js';
import type { StrategyContext } from '../strategies/types.js';
import type { SweepProgress } from './events.js';
import { directionSign } from './ranking.js';

/**
 * A stored trial to (re)start before asking the strategy: queued but never run, or paused midway by a stop (the
 * resumable rule of both tuner loops; dispatch.ts re-exports it).
 */
export const isResumable = (t: TrialRecord): boolean => t.state === 'waiting' || (t.state === 'paused' && t.epochs < t.budget);

/**
 * The tuner's in-memory view of a study: every trial as last stored, in creation order, and each trial's
 * objective value per epoch. Loaded from storage, then kept current from what the tuner itself writes. Every
 * update is O(1) in the usual case (a new trial has the next number), so the per-trial cost stays flat as a
 * study grows to tens of thousands of trials.
 */
export class TrialBook {
  /**
   * Trials sorted by number; strategies read it through `context()` and must not mutate it. It is only ever
   * appended to or replaced by a new array, never reordered in place.
   */
  private order: TrialRecord[] = [];
  private readonly position = new Map<TrialId, number>();
  private readonly curves = new Map<TrialId, number[]>();
  private readonly counts = new Map<TrialState, number>();
  /** The resumable trials' ids, kept with every update, so an ask finds them without scanning the study. */
  private readonly resumableIds = new Set<TrialId>();
  private bestComplete: TrialRecord | null = null;
  /** The study's change number this view is current to (`Storage.changesSince`); 0 before the first read. */
  seq = 0;
  /**
   * Whether another tuner creates trials in this study too (a merge brought a trial this view didn't have, or a create
   * lost a race): then this tuner's view may be behind when it creates, and a new trial offers a window of numbers.
   */
  shared = false;
  /** How many numbers this tuner's next new trial offers once `shared` (dispatch.ts `storeSuggested` adapts it). */
  window = 4;
  private readonly started = Date.now();
  private readonly sign: 1 | -1;

  /** `reduce` (the space's `objective.reduce`) turns a trial's raw curve into its value at an epoch: see {@link valueAfter}. */
  constructor(
    trials: readonly TrialRecord[],
    curves: ReadonlyMap<TrialId, readonly number[]>,
    private readonly direction: Direction,
    private readonly maxTrials: number,
    private readonly reduce: Reduce = 'last',
  ) {
    this.sign = directionSign(direction);
    this.reload(trials, curves);
  }

  /** Replaces the view with a fresh read, e.g. after another tuner process changed the study. */
  reload(trials: readonly TrialRecord[], curves: ReadonlyMap<TrialId, readonly number[]>): void {
    this.order = [...trials].sort((a, b) => a.number - b.number);
    this.position.clear();
    this.order.forEach((t, i) => this.position.set(t.id, i));
    this.curves.clear();
    for (const [id, c] of curves) this.curves.set(id, [...c]);
    this.counts.clear();
    this.resumableIds.clear();
    this.bestComplete = null;
    for (const t of this.order) this.account(t, 1);
  }

  /**
   * Folds in what changed since `seq` (issue 13 §3: each ask reads only what changed, so every tuner sees the
   * others' trials and the cost stays flat as the study grows). Every write this tuner makes is stored before it is
   * set here, so a stored record is never older than the one in the view: it simply replaces it.
   */
  merge(changes: StudyChanges, metric: string): void {
    for (const t of changes.trials) {
      if (!this.position.has(t.id)) this.shared = true;
      this.set(t);
    }
    for (const r of changes.reports) {
      const v = r.metrics[metric];
      if (v !== undefined) this.record(r.trialId, r.epoch, v);
    }
    this.seq = changes.seq;
  }

  set(trial: TrialRecord): TrialRecord {
    const at = this.position.get(trial.id);
    if (at !== undefined) {
      this.account(this.order[at]!, -1);
      this.order[at] = trial;
    } else if (this.order.length === 0 || this.order.at(-1)!.number < trial.number) {
      this.position.set(trial.id, this.order.length);
      this.order.push(trial);
    } else {
      // Out of order (another tuner's trial, common with several tuners): a new array, so strategies that cache by
      // the array's identity (grid) notice and rescan. It lands near the end, so only the positions after it move.
      let i = this.order.length;
      while (i > 0 && this.order[i - 1]!.number > trial.number) i--;
      const order = this.order.slice();
      order.splice(i, 0, trial);
      this.order = order;
      for (let j = i; j < order.length; j++) this.position.set(order[j]!.id, j);
    }
    this.account(trial, 1);
    return trial;
  }

  get(id: TrialId): TrialRecord | undefined {
    const at = this.position.get(id);
    return at === undefined ? undefined : this.order[at];
  }

  /**
   * The trial's value after `epoch` epochs: the value that epoch reported (reduce `last`), or the best of its epochs
   * up to it (reduce `best`). Undefined when it has no report there (or, for `best`, none up to it).
   */
  valueAfter(id: TrialId, epoch: number): number | undefined {
    const curve = this.curves.get(id);
    return curve === undefined ? undefined : reduceCurve(curve, epoch, this.reduce, this.direction);
  }

  /** Records the objective's raw value at a 1-based epoch. */
  record(id: TrialId, epoch: number, value: number): void {
    let curve = this.curves.get(id);
    if (curve === undefined) this.curves.set(id, (curve = []));
    while (curve.length < epoch - 1) curve.push(Number.NaN);
    curve[epoch - 1] = value;
  }

  /** Every trial in creation order (a copy). */
  all(): TrialRecord[] {
    return [...this.order];
  }

  nextNumber(): number {
    return this.order.length === 0 ? 0 : this.order.at(-1)!.number + 1;
  }

  context(): StrategyContext {
    return {
      trials: this.order,
      sign: this.sign,
      maxTrials: this.maxTrials,
      // With reduce 'best' a rung compares each trial's best value up to the rung's epoch, the value it would end with there.
      valueAt: (id, epoch) => {
        const raw = this.curves.get(id)?.[epoch - 1];
        if (raw === undefined || (Number.isNaN(raw) && (this.get(id)?.epochs ?? 0) < epoch)) return undefined;
        return this.reduce === 'last' ? raw : this.valueAfter(id, epoch);
      },
    };
  }

  /** The resumable trials ({@link isResumable}) in number order, as a scan of the whole view would find them. */
  resumable(): TrialRecord[] {
    const found: TrialRecord[] = [];
    for (const id of this.resumableIds) found.push(this.get(id)!);
    return found.sort((a, b) => a.number - b.number);
  }

  count(state: TrialState): number {
    return this.counts.get(state) ?? 0;
  }

  progress(): SweepProgress {
    const finished = FINISHED_STATES.reduce((n, state) => n + this.count(state), 0);
    return { finished, running: this.count('running'), maxTrials: this.maxTrials, best: this.bestComplete, elapsedMs: Date.now() - this.started };
  }

  /** The best complete trial with a finite value, or null. */
  best(): TrialRecord | null {
    return this.bestComplete;
  }

  private account(t: TrialRecord, delta: 1 | -1): void {
    this.counts.set(t.state, (this.counts.get(t.state) ?? 0) + delta);
    if (delta === -1) this.resumableIds.delete(t.id);
    else if (isResumable(t)) this.resumableIds.add(t.id);
    // Complete is final, so the best only ever improves; a reload recomputes it.
    if (delta === 1 && t.state === 'complete' && t.value !== null && Number.isFinite(t.value)) {
      if (this.bestComplete === null || this.sign * t.value > this.sign * this.bestComplete.value!) this.bestComplete = t;
    }
  }
}

