import { deriveSeed } from '../core/rng.js';
import type { Metrics, StudyRecord, TrialOutcome, TrialRecord } from '../core/types.js';
import { checkpointDirFor, removeCheckpoint } from '../execution/index.js';
import type { TrialRunner, TrialTask } from '../execution/types.js';
import type { SearchSpace } from '../space/types.js';
import type { Storage } from '../storage/types.js';
import type { Strategy, Suggestion } from '../strategies/types.js';
import type { SweepListener } from './events.js';
import { TrialBook } from './trial-book.js';

export interface SweepParts {
  readonly space: SearchSpace;
  readonly study: StudyRecord;
  readonly storage: Storage;
  readonly runner: TrialRunner;
  readonly strategy: Strategy;
  readonly workers: number;
  readonly maxTrials: number;
  /** Folder under which paused trials keep their checkpoints (`<root>/<study>/trial-<n>`). */
  readonly checkpointRoot: string;
  /** Keep checkpoints of finished trials instead of deleting them. */
  readonly keepCheckpoints?: boolean;
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
  const { space, study, storage, runner, strategy, workers } = parts;
  const emit: SweepListener = parts.onEvent ?? (() => {});
  const metric = space.objective.metric;
  const book = new TrialBook(await storage.trials(study.id), await storage.objectiveCurves(study.id, metric), study.direction, parts.maxTrials);
  const inFlight = new Map<number, Promise<void>>();
  // Deleting checkpoints is file I/O that no trial waits on: it runs beside the loop and is awaited at the end.
  const cleanups = new Set<Promise<void>>();
  let ran = 0;

  const finish = async (id: number, outcome: TrialOutcome): Promise<TrialRecord> => {
    const before = book.get(id);
    // Epoch metrics were stored as they arrived; an outcome's own metrics (e.g. the epoch that turned NaN) must not overwrite them.
    const { state, epochs, value, checkpoint, error } = outcome;
    const finished = book.set(await storage.finishTrial(id, { state, epochs, value, checkpoint, error }));
    const done = finished.state !== 'paused';
    if (done && !parts.keepCheckpoints && before?.checkpoint) {
      // The trial's whole folder goes: its last checkpoint and anything an interrupted write left.
      const folder = checkpointDirFor(parts.checkpointRoot, study.name, finished.number);
      const p: Promise<void> = removeCheckpoint(folder).finally(() => cleanups.delete(p));
      cleanups.add(p);
    }
    return finished;
  };

  const dispatch = async (trial: TrialRecord): Promise<void> => {
    if (!(await storage.claimTrial(trial.id, `pid:${process.pid}`))) return;
    let current = book.set({ ...trial, state: 'running' });
    emit({ type: 'trial-start', trial: current });
    const onEpoch = async (epoch: number, metrics: Metrics) => {
      const value = metrics[metric] ?? Number.NaN;
      await storage.report(trial.id, epoch, metrics, value);
      book.record(trial.id, epoch, value);
      current = book.set({ ...current, epochs: epoch, value });
      emit({ type: 'epoch', trial: current, epoch, metrics, value });
      return strategy.onReport(book.context(), current, epoch, value);
    };
    const task: TrialTask = {
      trialId: trial.id,
      params: trial.params,
      task: space.task,
      budget: trial.budget,
      seed: trial.seed,
      splitSeed: space.seed,
      metric,
      checkpointDir: checkpointDirFor(parts.checkpointRoot, study.name, trial.number),
      ...(trial.checkpoint !== null && trial.epochs > 0 ? { resumeFrom: trial.checkpoint } : {}),
    };
    let outcome: TrialOutcome;
    try {
      outcome = await runner.run(task, onEpoch);
    } catch (err) {
      // The runner resolves trial failures itself; reaching here means the pool broke, which we still record.
      outcome = { state: 'failed', epochs: current.epochs, error: { kind: 'exception', message: errorMessage(err) } };
    }
    const finished = await finish(trial.id, outcome);
    ran++;
    strategy.tell(book.context(), finished);
    emit({ type: 'trial-end', trial: finished, outcome, progress: book.progress() });
  };

  const start = (trial: TrialRecord): void => {
    const p = dispatch(trial).finally(() => inFlight.delete(trial.id));
    inFlight.set(trial.id, p);
  };

  /** Carries out one suggestion; false when the strategy has nothing to start now. */
  const act = async (s: Suggestion): Promise<boolean> => {
    switch (s.kind) {
      case 'trial': {
        const trial =
          s.resumeOf !== undefined
            ? await storage.promoteTrial(s.resumeOf, s.budget, s.rung ?? 0)
            : await storage.createTrial(study.id, { ...s, seed: deriveSeed(space.seed, `trial/${book.nextNumber()}`) });
        start(book.set(trial));
        return true;
      }
      case 'prune': {
        const t = book.get(s.trialId);
        const finished = await finish(s.trialId, { state: 'pruned', epochs: t?.epochs ?? 0, ...(t?.value != null ? { value: t.value } : {}) });
        emit({ type: 'trial-end', trial: finished, outcome: { state: 'pruned', epochs: finished.epochs }, progress: book.progress() });
        return true;
      }
      case 'wait':
      case 'done':
        return false;
    }
  };

  // Trials created or promoted but never dispatched (the process died in between) run first.
  const queue = book.all().filter((t) => t.state === 'waiting');
  let exhausted = false;
  while (true) {
    while (inFlight.size < workers && !exhausted) {
      const waiting = queue.shift();
      if (waiting !== undefined) {
        start(waiting);
        continue;
      }
      const s = strategy.ask(book.context());
      if (s.kind === 'done') exhausted = true;
      if (!(await act(s))) break;
    }
    if (inFlight.size === 0) break;
    // A rejection here is a storage failure: stop the sweep and surface it.
    await Promise.race(inFlight.values());
  }

  await Promise.all(cleanups);
  const trials = book.all();
  return { study, trials, best: book.best(), ran, elapsedMs: book.progress().elapsedMs };
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
