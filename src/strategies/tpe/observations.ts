import { isInfrastructureFailure } from '../../core/trial-state.js';
import type { TrialId, TrialRecord } from '../../core/types.js';
import { isActive } from '../rungs.js';
import type { StrategyContext } from '../types.js';
import { growBlocks, makeBlocks, setCoord, type Blocks } from './blocks.js';
import type { Encoding } from './encoding.js';

/** What a trial tells the model: a value, a bad outcome, a config in flight (a "liar"), or nothing. */
export type Role = 'observed' | 'failed' | 'active' | 'none';

/** One trial as the model sees it. Its coordinates never change; its role and values are refreshed when it does. */
export interface Observation {
  readonly id: TrialId;
  readonly number: number;
  /** Row in the coordinate matrix, or -1 when its params are not legal in this space (it is then ignored). */
  readonly row: number;
  trial: TrialRecord;
  role: Role;
  /** Epochs reached and the signed value there (higher is better; NaN → −∞). For `observed` only. */
  level: number;
  score: number;
  /** Signed value at each rung budget it reached, filled once (a value at an epoch never changes). */
  readonly atBudget: Map<number, number>;
}

/**
 * The study's trials, encoded once and kept in typed arrays (blocks.ts). `sync` walks `ctx.trials` and touches
 * only trials that are new or whose record changed, so the model is rebuilt from storage (nothing is kept that the
 * stored trials don't say) while an ask costs a pointer comparison per unchanged trial.
 */
export class ObservationStore {
  /** Real coordinates in [0, 1], in blocks (blocks.ts). */
  reals: Blocks;
  readonly realDims: number;
  /** Categorical indices: cats[c][row]. */
  readonly cats: Int32Array[];
  readonly list: Observation[] = [];
  private readonly byId = new Map<TrialId, Observation>();
  private capacity = 64;
  private rows = 0;
  private readonly point: Float64Array;
  private readonly budgets: readonly number[];
  private observedCount = 0;
  private readonly budgetCounts = new Map<number, number>();
  /** The highest trial number in `list`. */
  private lastNumber = -1;

  constructor(
    private readonly encoding: Encoding,
    /** Rung budgets whose values are tracked (multi-fidelity models); empty for plain TPE. */
    budgets: readonly number[] = [],
  ) {
    this.realDims = encoding.reals.length;
    this.reals = makeBlocks(this.realDims, this.capacity);
    this.cats = encoding.cats.map(() => new Int32Array(this.capacity));
    this.point = new Float64Array(encoding.dims);
    this.budgets = budgets;
  }

  get size(): number {
    return this.rows;
  }

  /** Trials with a value at `budget`, or, without one, observed trials (complete, pruned, paused at a rung end). */
  countObserved(budget?: number): number {
    return budget === undefined ? this.observedCount : (this.budgetCounts.get(budget) ?? 0);
  }

  /**
   * Reads new and changed trials. Returns false, leaving the store to be thrown away, when a trial it has not seen
   * has a lower number than one it has (another tuner's trial, read late): `list` would then leave trial-number
   * order, on which split's ties and the bad set's thinning rely, and the model would differ from a fresh one's.
   */
  sync(ctx: StrategyContext): boolean {
    const trials = ctx.trials;
    for (let k = 0; k < trials.length; k++) {
      const t = trials[k]!;
      const fast = this.list[k];
      const o = fast !== undefined && fast.id === t.id ? fast : this.byId.get(t.id);
      if (o === undefined) {
        if (t.number < this.lastNumber) return false;
        this.add(ctx, t);
      } else if (o.trial !== t) {
        if (changed(o.trial, t)) this.refresh(ctx, o, t);
        o.trial = t;
      }
    }
    return true;
  }

  private add(ctx: StrategyContext, t: TrialRecord): void {
    const ok = this.encoding.encode(t.params, this.point, 0);
    const row = ok ? this.append() : -1;
    const o: Observation = { id: t.id, number: t.number, row, trial: t, role: 'none', level: 0, score: 0, atBudget: new Map() };
    this.lastNumber = Math.max(this.lastNumber, t.number);
    this.list.push(o);
    this.byId.set(t.id, o);
    this.refresh(ctx, o, t);
  }

  private append(): number {
    if (this.rows === this.capacity) this.grow();
    const R = this.realDims;
    for (let j = 0; j < R; j++) setCoord(this.reals, this.rows, j, this.point[j]!);
    this.cats.forEach((col, c) => (col[this.rows] = this.point[R + c]!));
    return this.rows++;
  }

  private grow(): void {
    this.capacity *= 2;
    this.reals = growBlocks(this.reals, this.capacity);
    this.cats.forEach((a, c) => {
      this.cats[c] = new Int32Array(this.capacity);
      this.cats[c]!.set(a);
    });
  }

  private refresh(ctx: StrategyContext, o: Observation, t: TrialRecord): void {
    o.trial = t;
    if (o.row < 0) return;
    if (o.role === 'observed') this.observedCount--;
    if (isActive(t)) o.role = 'active';
    // Infrastructure failures say nothing about the config; every other failure marks it as bad.
    else if (t.state === 'failed') o.role = t.error !== null && isInfrastructureFailure(t.error.kind) ? 'none' : 'failed';
    else {
      // complete, pruned, or paused at the end of its rung: its value at the furthest epoch it reached (Optuna ranks
      // pruned trials by the step they reached, then by value there).
      o.role = 'observed';
      o.level = t.epochs;
      o.score = signed(ctx, ctx.valueAt(t.id, t.epochs) ?? t.value ?? Number.NaN);
      this.observedCount++;
    }
    for (const b of this.budgets) {
      if (o.atBudget.has(b) || t.epochs < b) continue;
      const v = ctx.valueAt(t.id, b);
      if (v === undefined) continue;
      o.atBudget.set(b, signed(ctx, v));
      this.budgetCounts.set(b, (this.budgetCounts.get(b) ?? 0) + 1);
    }
  }
}

function signed(ctx: StrategyContext, v: number): number {
  return Number.isNaN(v) ? Number.NEGATIVE_INFINITY : ctx.sign * v;
}

function changed(a: TrialRecord, b: TrialRecord): boolean {
  return a.state !== b.state || a.epochs !== b.epochs || a.value !== b.value || a.error?.kind !== b.error?.kind || a.rung !== b.rung;
}
