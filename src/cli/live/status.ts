import type { Params, TrialRecord, TrialState } from '../../core/types.js';
import type { SweepEvent } from '../../engine/index.js';

/** What the status table knows of one trial. */
export interface TrialStatus {
  readonly number: number;
  readonly state: TrialState;
  readonly epochs: number;
  readonly budget: number;
  readonly rung: number | null;
  readonly value: number | null;
  readonly params: Params;
  /** Local clock (ms) when this run started it; null for trials this run hasn't started. */
  readonly startedMs: number | null;
}

/** Samples trained per trial in this run, from the worker's diagnostics on a trial's outcome. */
function samplesTrained(outcome: unknown): number {
  const d = (outcome as { diagnostics?: { samplesPerSecond?: unknown; trainSeconds?: unknown } }).diagnostics;
  return typeof d?.samplesPerSecond === 'number' && typeof d.trainSeconds === 'number' ? d.samplesPerSecond * d.trainSeconds : 0;
}

/**
 * The state of a running sweep, fed by its events: counts by state, the running trials, the best so far, and an ETA
 * from the epochs done against the planned epoch budget. Pure: the clock is passed in, so it can be tested.
 */
export class SweepStatus {
  readonly trials = new Map<number, TrialStatus>();
  study = '';
  strategy = '';
  metric: string;
  direction: 'maximize' | 'minimize' = 'maximize';
  backend = '';
  workers = 0;
  maxTrials = 0;
  best: TrialRecord | null = null;
  private startMs: number;
  private epochsAtStart = 0;
  private forfeited = 0;
  private samples = 0;
  private sampledEpochs = 0;
  private readonly epochsAtTrialStart = new Map<number, number>();

  constructor(
    /** Epochs the whole sweep trains (`planSweep`); the ETA is the part of it not yet trained. */
    private epochBudget: number,
    metric: string,
    now: number,
  ) {
    this.metric = metric;
    this.startMs = now;
  }

  /** Trials stored before this run (a continued study): counted, but their epochs are not this run's speed. */
  seed(stored: readonly TrialRecord[]): void {
    for (const t of stored) {
      if (this.trials.has(t.number)) continue;
      this.trials.set(t.number, { number: t.number, state: t.state, epochs: t.epochs, budget: t.budget, rung: t.rung, value: t.value, params: t.params, startedMs: null });
      this.epochsAtStart += t.epochs;
      if (isOver(t.state)) this.forfeited += Math.max(0, t.budget - t.epochs);
    }
  }

  apply(event: SweepEvent, now: number): void {
    switch (event.type) {
      case 'start':
        // The clock starts when the workers are up, as the sweep's own elapsed time does.
        this.startMs = now;
        this.study = event.study.name;
        this.strategy = event.study.strategy;
        this.direction = event.study.direction;
        this.backend = event.backend.backend;
        this.workers = event.workers;
        this.maxTrials = event.maxTrials;
        break;
      case 'trial-start': {
        const t = event.trial;
        this.epochsAtTrialStart.set(t.number, t.epochs);
        if (!this.trials.has(t.number)) this.epochsAtStart += t.epochs;
        this.put(t, now);
        break;
      }
      case 'epoch':
        this.put(event.trial, now);
        break;
      case 'trial-end': {
        const t = event.trial;
        this.put(t, now);
        if (isOver(t.state)) this.forfeited += Math.max(0, t.budget - t.epochs);
        const samples = samplesTrained(event.outcome);
        const ranEpochs = t.epochs - (this.epochsAtTrialStart.get(t.number) ?? 0);
        if (samples > 0 && ranEpochs > 0) {
          this.samples += samples;
          this.sampledEpochs += ranEpochs;
        }
        this.best = event.progress.best;
        break;
      }
      case 'recovered':
        break;
    }
  }

  private put(t: TrialRecord, now: number): void {
    const before = this.trials.get(t.number);
    const startedMs = t.state === 'running' ? (before?.startedMs ?? now) : (before?.startedMs ?? null);
    this.trials.set(t.number, { number: t.number, state: t.state, epochs: t.epochs, budget: t.budget, rung: t.rung, value: t.value, params: t.params, startedMs });
  }

  counts(): Record<TrialState, number> {
    const c: Record<TrialState, number> = { waiting: 0, running: 0, paused: 0, complete: 0, pruned: 0, failed: 0 };
    for (const t of this.trials.values()) c[t.state]++;
    return c;
  }

  running(): TrialStatus[] {
    return [...this.trials.values()].filter((t) => t.state === 'running').sort((a, b) => a.number - b.number);
  }

  elapsedMs(now: number): number {
    return now - this.startMs;
  }

  epochsDone(): number {
    let n = 0;
    for (const t of this.trials.values()) n += t.epochs;
    return n;
  }

  /** The planned budget less what finished trials left untrained (a failure, an early stop). */
  expectedEpochs(): number {
    return Math.max(this.epochsDone(), this.epochBudget - this.forfeited);
  }

  /** Time left at this run's speed so far (epochs per ms); null until an epoch has been trained. */
  etaMs(now: number): number | null {
    const ranNow = this.epochsDone() - this.epochsAtStart;
    const elapsed = this.elapsedMs(now);
    if (ranNow <= 0 || elapsed <= 0) return null;
    return ((this.expectedEpochs() - this.epochsDone()) * elapsed) / ranNow;
  }

  /** Training samples per second over this run, from the samples per epoch of the trials that finished; null before. */
  samplesPerSecond(now: number): number | null {
    if (this.sampledEpochs === 0) return null;
    const perEpoch = this.samples / this.sampledEpochs;
    const elapsed = this.elapsedMs(now) / 1000;
    return elapsed > 0 ? ((this.epochsDone() - this.epochsAtStart) * perEpoch) / elapsed : null;
  }
}

function isOver(state: TrialState): boolean {
  return state === 'complete' || state === 'pruned' || state === 'failed';
}
