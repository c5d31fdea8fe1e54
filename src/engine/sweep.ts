import type { Metrics, StudyRecord, TrialOutcome, TrialRecord } from '../core/types.js';
import { deriveSeed } from '../core/rng.js';
import type { TrialRunner } from '../execution/types.js';
import type { SearchSpace } from '../space/types.js';
import type { Storage } from '../storage/types.js';
import type { Strategy, StrategyContext } from '../strategies/types.js';
import type { SweepListener, SweepProgress } from './events.js';
import { bestTrial, directionSign } from './ranking.js';

export interface SweepParts {
  readonly space: SearchSpace;
  readonly study: StudyRecord;
  readonly storage: Storage;
  readonly runner: TrialRunner;
  readonly strategy: Strategy;
  readonly workers: number;
  readonly maxTrials: number;
  readonly onEvent?: SweepListener;
}

export interface SweepResult {
  readonly study: StudyRecord;
  readonly trials: readonly TrialRecord[];
  readonly best: TrialRecord | null;
  readonly ran: number;
  readonly elapsedMs: number;
}

/**
 * The tuner loop: ask the strategy, persist the trial, dispatch it, store every epoch and obey the strategy's
 * decision, then store the outcome and tell the strategy. Keeps up to `workers` trials in flight.
 */
export async function runTrials(parts: SweepParts): Promise<SweepResult> {
  const { space, study, storage, runner, strategy, workers, maxTrials } = parts;
  const emit: SweepListener = parts.onEvent ?? (() => {});
  const started = Date.now();
  const sign = directionSign(study.direction);
  const metric = space.objective.metric;
  const byId = new Map<number, TrialRecord>();
  for (const t of await storage.trials(study.id)) byId.set(t.id, t);

  const ctx = (): StrategyContext => ({ trials: [...byId.values()].sort((a, b) => a.number - b.number), sign, maxTrials });
  const progress = (): SweepProgress => {
    let finished = 0;
    let running = 0;
    for (const t of byId.values()) {
      if (t.state === 'complete' || t.state === 'pruned' || t.state === 'failed') finished++;
      else if (t.state === 'running') running++;
    }
    return { finished, running, maxTrials, best: bestTrial(byId.values(), study.direction), elapsedMs: Date.now() - started };
  };

  const inFlight = new Map<number, Promise<void>>();
  let ran = 0;

  const dispatch = async (trial: TrialRecord): Promise<void> => {
    if (!(await storage.claimTrial(trial.id, `pid:${process.pid}`))) return;
    let current: TrialRecord = { ...trial, state: 'running' };
    byId.set(trial.id, current);
    emit({ type: 'trial-start', trial: current });
    const onEpoch = async (epoch: number, metrics: Metrics) => {
      const value = metrics[metric] ?? Number.NaN;
      await storage.report(trial.id, epoch, metrics, value);
      current = { ...current, epochs: epoch, value };
      byId.set(trial.id, current);
      emit({ type: 'epoch', trial: current, epoch, metrics, value });
      return strategy.onReport(ctx(), current, epoch, value);
    };
    let outcome: TrialOutcome;
    try {
      outcome = await runner.run(
        { trialId: trial.id, params: trial.params, task: space.task, budget: trial.budget, seed: trial.seed, splitSeed: space.seed, metric },
        onEpoch,
      );
    } catch (err) {
      // The runner resolves trial failures itself; reaching here means the pool broke, which we still record.
      outcome = { state: 'failed', epochs: current.epochs, error: { kind: 'exception', message: errorMessage(err) } };
    }
    const finished = await storage.finishTrial(trial.id, outcome);
    byId.set(trial.id, finished);
    ran++;
    strategy.tell(ctx(), finished);
    emit({ type: 'trial-end', trial: finished, outcome, progress: progress() });
  };

  const start = (trial: TrialRecord): void => {
    const p = dispatch(trial).finally(() => inFlight.delete(trial.id));
    inFlight.set(trial.id, p);
  };

  // Trials created but never dispatched (the process died in between) run first; the strategy already counts them.
  const queue = [...byId.values()].filter((t) => t.state === 'waiting').sort((a, b) => a.number - b.number);
  let exhausted = false;
  while (true) {
    while (inFlight.size < workers && !exhausted) {
      const waiting = queue.shift();
      if (waiting !== undefined) {
        start(waiting);
        continue;
      }
      const s = strategy.ask(ctx());
      if (s.kind === 'done') exhausted = true;
      if (s.kind !== 'trial') break;
      const number = nextNumber(byId.values());
      const trial = await storage.createTrial(study.id, { ...s, seed: deriveSeed(space.seed, `trial/${number}`) });
      byId.set(trial.id, trial);
      start(trial);
    }
    if (inFlight.size === 0) break;
    // A rejection here is a storage failure: stop the sweep and surface it.
    await Promise.race(inFlight.values());
  }

  const trials = ctx().trials;
  return { study, trials, best: bestTrial(trials, study.direction), ran, elapsedMs: Date.now() - started };
}

function nextNumber(trials: Iterable<TrialRecord>): number {
  let n = 0;
  for (const t of trials) n = Math.max(n, t.number + 1);
  return n;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
