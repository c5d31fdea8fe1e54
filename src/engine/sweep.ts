import { ConflictError } from '../core/errors.js';
import { deriveSeed } from '../core/rng.js';
import type { Metrics, StudyRecord, TrialOutcome, TrialRecord } from '../core/types.js';
import { checkpointDirFor, removeCheckpoint, resumableCheckpoint } from '../execution/index.js';
import type { TrialRunner, TrialTask } from '../execution/types.js';
import type { SearchSpace } from '../space/types.js';
import type { Storage } from '../storage/types.js';
import type { Strategy, Suggestion } from '../strategies/types.js';
import type { SweepListener } from './events.js';
import { HEARTBEAT_EVERY_MS, ownerId } from './owner.js';
import { StopController, type StopReason } from './stop.js';
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
  /** Runs of a failed trial to retry with the same params (`--retries`). */
  readonly retries?: number;
  /** Stop dispatching once this many trials have failed in this run (`--max-failures`). */
  readonly maxFailures?: number;
  /** A trial running longer than this fails with kind 'timeout' (`--trial-timeout`). */
  readonly trialTimeoutMs?: number;
  readonly stop?: StopController;
  readonly onEvent?: SweepListener;
}

/** What {@link runSweep} resolves with once the sweep ends. */
export interface SweepResult {
  /** The stored study. */
  readonly study: StudyRecord;
  /** Every trial of the study, stored before this run included. */
  readonly trials: readonly TrialRecord[];
  /** The best complete trial by the study's direction, or null. */
  readonly best: TrialRecord | null;
  /** Trials this run finished (complete, pruned or failed). */
  readonly ran: number;
  /** Of those, the failed ones. */
  readonly failed: number;
  /** Wall time of this run, from the workers being up to the end (ms). */
  readonly elapsedMs: number;
  /** Why the sweep ended early, or null if the strategy ran out of work. */
  readonly stopped: StopReason | null;
}

/**
 * The tuner loop: ask the strategy, persist the trial, dispatch it, store every epoch and obey the strategy's
 * decision, then store the outcome and tell the strategy. Keeps up to `workers` trials in flight. A stop
 * pauses running trials at their next epoch; an abort requeues them.
 */
export async function runTrials(parts: SweepParts): Promise<SweepResult> {
  const { space, study, storage, runner, strategy, workers } = parts;
  const emit: SweepListener = parts.onEvent ?? (() => {});
  const stop = parts.stop ?? new StopController();
  const metric = space.objective.metric;
  const owner = ownerId();
  const book = new TrialBook([], new Map(), study.direction, parts.maxTrials);
  const refresh = async () => book.reload(await storage.trials(study.id), await storage.objectiveCurves(study.id, metric));
  await refresh();
  const inFlight = new Map<number, Promise<void>>();
  const aborts = new Map<number, AbortController>();
  // Deleting checkpoints is file I/O that no trial waits on: it runs beside the loop and is awaited at the end.
  const cleanups = new Set<Promise<void>>();
  let ran = 0;
  let failed = 0;

  const finish = async (id: number, outcome: TrialOutcome): Promise<TrialRecord> => {
    const before = book.get(id);
    // Epoch metrics were stored as they arrived; an outcome's own metrics (e.g. the epoch that turned NaN) must not overwrite them.
    const { state, epochs, value, checkpoint, error } = outcome;
    const finished = book.set(await storage.finishTrial(id, { state, epochs, value, checkpoint, error }));
    if (finished.state !== 'paused' && !parts.keepCheckpoints && before?.checkpoint) {
      // The trial's whole folder goes: its last checkpoint and anything an interrupted write left.
      const p: Promise<void> = removeCheckpoint(checkpointDirFor(parts.checkpointRoot, study.name, finished.number)).finally(() => cleanups.delete(p));
      cleanups.add(p);
    }
    return finished;
  };

  const dispatch = async (trial: TrialRecord): Promise<void> => {
    if (trial.state !== 'running' && !(await storage.claimTrial(trial.id, owner))) return; // another tuner took it
    let current = book.set({ ...trial, state: 'running', worker: owner });
    emit({ type: 'trial-start', trial: current });
    const onEpoch = async (epoch: number, metrics: Metrics) => {
      const value = metrics[metric] ?? Number.NaN;
      await storage.report(trial.id, epoch, metrics, value);
      book.record(trial.id, epoch, value);
      current = book.set({ ...current, epochs: epoch, value });
      emit({ type: 'epoch', trial: current, epoch, metrics, value });
      const decision = strategy.onReport(book.context(), current, epoch, value);
      // Winding down: a trial that would go on pauses here, with a checkpoint, and resumes next run.
      return stop.stopping && decision === 'continue' && epoch < current.budget ? 'pause' : decision;
    };
    const checkpointDir = checkpointDirFor(parts.checkpointRoot, study.name, trial.number);
    const resumeFrom = trial.checkpoint !== null && trial.epochs > 0 ? await resumableCheckpoint(trial.checkpoint, checkpointDir) : undefined;
    const task: TrialTask = {
      trialId: trial.id,
      params: trial.params,
      task: space.task,
      budget: trial.budget,
      seed: trial.seed,
      splitSeed: space.seed,
      metric,
      checkpointDir,
      ...(resumeFrom !== undefined ? { resumeFrom } : {}),
    };
    const abort = new AbortController();
    aborts.set(trial.id, abort);
    const signal = parts.trialTimeoutMs === undefined ? abort.signal : AbortSignal.any([abort.signal, AbortSignal.timeout(parts.trialTimeoutMs)]);
    let outcome: TrialOutcome;
    try {
      outcome = await runner.run(task, onEpoch, signal);
    } catch (err) {
      // The runner resolves trial failures itself; reaching here means the pool broke, which we still record.
      outcome = { state: 'failed', epochs: current.epochs, error: { kind: 'exception', message: errorMessage(err) } };
    } finally {
      aborts.delete(trial.id);
    }
    if (stop.aborted && outcome.state === 'failed') {
      // Cut short by a second Ctrl-C: not the trial's fault. It goes back to the queue for the next run.
      book.set(await storage.requeueTrial(trial.id, { countAttempt: false }));
      return;
    }
    if (outcome.state === 'failed' && outcome.error && (current.attempts ?? 0) < (parts.retries ?? 0) && !stop.stopping) {
      book.set(await storage.requeueTrial(trial.id, { countAttempt: true, error: outcome.error }));
      queue.push(book.get(trial.id)!);
      return;
    }
    const done = await finish(trial.id, outcome);
    ran++;
    if (done.state === 'failed') {
      failed++;
      if (parts.maxFailures !== undefined && failed >= parts.maxFailures) stop.stop('max-failures');
    }
    strategy.tell(book.context(), done);
    emit({ type: 'trial-end', trial: done, outcome, progress: book.progress() });
  };

  const start = (trial: TrialRecord): void => {
    const p = dispatch(trial).finally(() => inFlight.delete(trial.id));
    inFlight.set(trial.id, p);
  };

  /** Carries out one suggestion; false when the strategy has nothing to start now. */
  const act = async (s: Suggestion): Promise<boolean> => {
    switch (s.kind) {
      case 'trial': {
        const number = book.nextNumber();
        const trial =
          s.resumeOf !== undefined
            ? await storage.promoteTrial(s.resumeOf, s.budget, s.rung ?? 0)
            : await storage.createTrial(study.id, { ...s, seed: deriveSeed(space.seed, `trial/${number}`), key: `#${number}`, claimBy: owner });
        start(book.set(trial));
        return true;
      }
      case 'prune': {
        const t = book.get(s.trialId);
        const pruned = await finish(s.trialId, { state: 'pruned', epochs: t?.epochs ?? 0, ...(t?.value != null ? { value: t.value } : {}) });
        emit({ type: 'trial-end', trial: pruned, outcome: { state: 'pruned', epochs: pruned.epochs }, progress: book.progress() });
        return true;
      }
      case 'wait':
      case 'done':
        return false;
    }
  };

  /** Trials to (re)start before asking the strategy: queued, or paused midway by an earlier stop. */
  const resumable = () => book.all().filter((t) => t.state === 'waiting' || (t.state === 'paused' && t.epochs < t.budget));
  const queue: TrialRecord[] = resumable();
  const unsubscribe = stop.onChange(() => {
    if (stop.aborted) for (const a of aborts.values()) a.abort(new Error('aborted'));
  });
  const beat = setInterval(() => {
    if (inFlight.size > 0) void storage.heartbeat([...inFlight.keys()], owner).catch(() => {});
  }, HEARTBEAT_EVERY_MS);
  beat.unref();

  try {
    let exhausted = false;
    while (true) {
      while (inFlight.size < workers && !stop.stopping) {
        const next = queue.shift();
        if (next !== undefined) {
          start(next);
          continue;
        }
        if (exhausted) break;
        try {
          const s = strategy.ask(book.context());
          if (s.kind === 'done') exhausted = true;
          if (!(await act(s))) break;
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
          await refresh(); // another tuner changed the study: look again
          queue.push(...resumable().filter((t) => !inFlight.has(t.id) && !queue.includes(t)));
        }
      }
      if (inFlight.size === 0) break;
      // A rejection here is a storage failure: stop the sweep and surface it.
      await Promise.race(inFlight.values());
    }
  } finally {
    clearInterval(beat);
    unsubscribe();
    await Promise.allSettled(inFlight.values());
    await Promise.all(cleanups);
  }

  return { study, trials: book.all(), best: book.best(), ran, failed, elapsedMs: book.progress().elapsedMs, stopped: stop.reason };
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
