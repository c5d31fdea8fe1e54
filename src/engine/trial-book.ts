import type { Direction, TrialId, TrialRecord } from '../core/types.js';
import type { StrategyContext } from '../strategies/types.js';
import type { SweepProgress } from './events.js';
import { bestTrial, directionSign } from './ranking.js';

/**
 * The tuner's in-memory view of a study: every trial as last stored, and each trial's objective value per
 * epoch. Loaded once from storage, then kept current from what the tuner itself writes, so nothing is rescanned.
 */
export class TrialBook {
  private readonly byId = new Map<TrialId, TrialRecord>();
  private readonly curves = new Map<TrialId, number[]>();
  private readonly started = Date.now();

  constructor(
    trials: readonly TrialRecord[],
    curves: ReadonlyMap<TrialId, readonly number[]>,
    private readonly direction: Direction,
    private readonly maxTrials: number,
  ) {
    this.reload(trials, curves);
  }

  /** Replaces the view with a fresh read, e.g. after another tuner process changed the study. */
  reload(trials: readonly TrialRecord[], curves: ReadonlyMap<TrialId, readonly number[]>): void {
    this.byId.clear();
    this.curves.clear();
    for (const t of trials) this.byId.set(t.id, t);
    for (const [id, c] of curves) this.curves.set(id, [...c]);
  }

  set(trial: TrialRecord): TrialRecord {
    this.byId.set(trial.id, trial);
    return trial;
  }

  get(id: TrialId): TrialRecord | undefined {
    return this.byId.get(id);
  }

  /** Records the objective's value at a 1-based epoch. */
  record(id: TrialId, epoch: number, value: number): void {
    let curve = this.curves.get(id);
    if (curve === undefined) this.curves.set(id, (curve = []));
    while (curve.length < epoch - 1) curve.push(Number.NaN);
    curve[epoch - 1] = value;
  }

  /** Every trial in creation order. */
  all(): TrialRecord[] {
    return [...this.byId.values()].sort((a, b) => a.number - b.number);
  }

  nextNumber(): number {
    let n = 0;
    for (const t of this.byId.values()) n = Math.max(n, t.number + 1);
    return n;
  }

  context(): StrategyContext {
    return {
      trials: this.all(),
      sign: directionSign(this.direction),
      maxTrials: this.maxTrials,
      valueAt: (id, epoch) => {
        const v = this.curves.get(id)?.[epoch - 1];
        return v === undefined || (Number.isNaN(v) && (this.byId.get(id)?.epochs ?? 0) < epoch) ? undefined : v;
      },
    };
  }

  progress(): SweepProgress {
    let finished = 0;
    let running = 0;
    for (const t of this.byId.values()) {
      if (t.state === 'complete' || t.state === 'pruned' || t.state === 'failed') finished++;
      else if (t.state === 'running') running++;
    }
    return { finished, running, maxTrials: this.maxTrials, best: this.best(), elapsedMs: Date.now() - this.started };
  }

  best(): TrialRecord | null {
    return bestTrial(this.byId.values(), this.direction);
  }
}
