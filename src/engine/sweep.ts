import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage, LeaseLostError } from '../core/errors.js';
import type { Metrics, StudyRecord, TrialOutcome, TrialRecord } from '../core/types.js';
import type { CheckpointStore, ExecutionOutcome, TrialRunner, TrialTask } from '../execution/index.js';
import { objectiveReduce, type SearchSpace } from '../space/types.js';
import type { Fence, Storage } from '../storage/types.js';
import type { Strategy, Suggestion } from '../strategies/types.js';
import { claimForRun, fenceOf, pruneTrial, recordOrHoldReport, reducedOutcome, refreshBook, refreshOnConflict, resumableTrials, storeHeldReport, storeSuggested, type DispatchScope, type HeldReport } from './dispatch.js';
import { enqueueFromSpace } from './enqueue.js';
import type { SweepListener } from './events.js';
import { heartbeat } from './heartbeat.js';
import { HEARTBEAT_EVERY_MS, ownerId, STALE_HEARTBEAT_MS } from './owner.js';
import { recoverInterrupted, type OnInterrupted } from './recovery.js';
import { StopController, type StopReason } from './stop.js';
import { TrialBook } from './trial-book.js';
import { evictModels, keepModelTask, type ModelKeeping } from './model-keeping.js';

export interface SweepParts {
  readonly space: SearchSpace;
  readonly study: StudyRecord;
  readonly storage: Storage;
  readonly runner: TrialRunner;
  readonly strategy: Strategy;
  readonly workers: number;
  readonly maxTrials: number;
  /** Where paused trials keep their checkpoints; the runner's workers write and read them through its spec. */
  readonly checkpoints: CheckpointStore;
  /** Keep checkpoints of finished trials instead of deleting them. */
  readonly keepCheckpoints?: boolean;
  /** `--keep-models`: where trained models are kept and how many; absent, none are written. */
  readonly keepModels?: ModelKeeping;
  /** Runs of a failed trial to retry with the same params (`--retries`). */
  readonly retries?: number;
  /** Stop dispatching once this many trials have failed in this run (`--max-failures`). */
  readonly maxFailures?: number;
  /** A trial running longer than this fails with kind 'timeout' (`--trial-timeout`). */
  readonly trialTimeoutMs?: number;
  readonly stop?: StopController;
  readonly onEvent?: SweepListener;
  /** How often running trials are marked alive; default a third of the lease (tests shorten it). */
  readonly heartbeatEveryMs?: number;
  /**
   * The lease each claim takes (`--lease`, ms; runSweep's default is DEFAULT_LEASE_MS). Without one, trials are
   * claimed as before leases: only a dead pid on this host, or STALE_HEARTBEAT_MS of silence, frees them.
   */
  readonly leaseMs?: number;
  /** What happens to other tuners' trials found dead during the sweep (as at its start); default requeue. */
  readonly onInterrupted?: OnInterrupted;
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

/** What the loop's wait resolves with when its poll, not a trial, ended it. */
const POLLED = Symbol('polled');

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
  const leaseMs = parts.leaseMs;
  const book = new TrialBook([], new Map(), study.direction, parts.maxTrials, objectiveReduce(space));
  const scope: DispatchScope = { space, study, storage, strategy, book, leaseMs };
  await refreshBook(scope);
  await enqueueFromSpace(scope, parts.maxTrials); // the space's enqueued configs go into the queue below, ahead of the strategy
  /** Trials this tuner was running but no longer holds: their runs are abandoned, and nothing more is written. */
  const lost = new Set<number>();
  /** Trials this tuner has claimed and not yet settled: the ones its heartbeat renews. */
  const held = new Set<number>();
  const inFlight = new Map<number, Promise<void>>();
  const aborts = new Map<number, AbortController>();
  // Deleting checkpoints is I/O that no trial waits on: it runs beside the loop and is awaited at the end.
  const cleanups = new Set<Promise<void>>();
  let ran = 0;
  let failed = 0;
  /** A finish just read the study's changes with it: the next ask's view is current without another read. */
  let viewFresh = false;

  // Evictions run one after another, beside the loop; each reads the leaderboard as it then stands.
  let evictions: Promise<void> = Promise.resolve();
  const keepModels = parts.keepModels;
  /** `ranBefore`: the trial had trained epochs before this run (a resume), so a pause may have written its model. */
  const afterModel = (finished: TrialRecord, outcome?: ExecutionOutcome, ranBefore = true): void => {
    if (keepModels === undefined) return;
    const kept = outcome?.model;
    if (kept !== undefined && !kept.kept) {
      emit({ type: 'warning', code: 'model-not-kept', message: `trial #${finished.number}: its model could not be kept: ${kept.reason}` });
    }
    if (finished.state === 'paused') return;
    // A complete trial's model (written now, or at a pause with reduce best) may displace another; a pruned or
    // failed one's (written at a pause) just goes. A complete trial with neither (an objective() module's: workers
    // keep only trained models) displaces nothing, so no read of the models folder after every such trial.
    if (finished.state === 'complete' && kept === undefined && !ranBefore) return;
    const run = finished.state === 'complete' ? () => evictModels(keepModels, storage, study) : () => keepModels.store.discard(study.name, finished.number);
    evictions = evictions.then(run).catch((err: unknown) => {
      emit({ type: 'warning', code: 'model-not-kept', message: `removing models outside the best ${keepModels.count} failed: ${errorMessage(err)}` });
    });
  };

  const finish = async (id: number, outcome: TrialOutcome, fence?: Fence, held?: HeldReport): Promise<TrialRecord> => {
    const before = book.get(id);
    // Epoch metrics were stored as they arrived; an outcome's own metrics (e.g. the epoch that turned NaN) must not overwrite them.
    const { state, epochs, value, checkpoint, error } = reducedOutcome(scope, id, outcome);
    // The last epoch's report, held back (recordOrHoldReport), is this finish's report, or is stored before it.
    const withHeld = held !== undefined && held.epoch === epochs;
    if (!withHeld) await storeHeldReport(scope, id, held, fence);
    const reduced: TrialOutcome = withHeld
      ? { state, epochs, value: value ?? held.value, checkpoint, error, metrics: held.metrics }
      : { state, epochs, value, checkpoint, error };
    if (storage.finishAndRead === undefined) {
      const finished = book.set(await storage.finishTrial(id, reduced, fence));
      discardFinished(before, finished);
      return finished;
    }
    // The changes the next ask needs, read in the finish's round trip (issue 13 §3): that ask needn't read again.
    const { trial, changes } = await storage.finishAndRead(id, reduced, fence, book.seq);
    const finished = book.set(trial);
    if (changes !== null && changes.seq >= book.seq) {
      book.merge(changes, metric);
      viewFresh = true;
    }
    discardFinished(before, finished);
    return book.get(id) ?? finished;
  };

  const discardFinished = (before: TrialRecord | undefined, finished: TrialRecord): void => {
    if (finished.state !== 'paused' && !parts.keepCheckpoints && before?.checkpoint) {
      // The trial's whole slot goes: its last checkpoint and anything an interrupted write left.
      const p: Promise<void> = parts.checkpoints.discard(parts.checkpoints.slot(study.name, finished.number)).finally(() => cleanups.delete(p));
      cleanups.add(p);
    }
  };

  const dispatch = async (trial: TrialRecord): Promise<void> => {
    const claimed = await claimForRun(scope, trial, owner);
    if (claimed === null) return; // another tuner took it
    lost.delete(claimed.id);
    held.add(claimed.id);
    try {
      await runClaimed(claimed);
    } finally {
      held.delete(claimed.id);
    }
  };

  const runClaimed = async (claimed: TrialRecord): Promise<void> => {
    const fence = fenceOf(claimed, owner);
    let current = claimed;
    /** The last epoch's report, stored with the finish. */
    let held: HeldReport | undefined;
    // The stored trial as this claim found it: where a run resumes (a requeued trial resumes from its checkpoint).
    const trial = claimed;
    emit({ type: 'trial-start', trial: current });
    const onEpoch = async (epoch: number, metrics: Metrics) => {
      const value = metrics[metric] ?? Number.NaN;
      if (lost.has(trial.id)) return 'stop';
      // A held report followed by another (an objective reporting past its budget) is stored first.
      const before = held;
      held = undefined;
      await storeHeldReport(scope, trial.id, before?.epoch === epoch ? undefined : before, fence);
      const reported = await recordOrHoldReport(scope, current, epoch, metrics, value, fence);
      held = reported.held;
      current = reported.trial;
      const decision = reported.decision;
      emit({ type: 'epoch', trial: current, epoch, metrics, value });
      // Winding down: a trial that would go on pauses here, with a checkpoint, and resumes next run.
      return stop.stopping && decision === 'continue' && epoch < current.budget ? 'pause' : decision;
    };
    const checkpointDir = parts.checkpoints.slot(study.name, trial.number);
    const resumeFrom = trial.checkpoint !== null && trial.epochs > 0 ? await parts.checkpoints.locate(trial.checkpoint, checkpointDir) : undefined;
    const task: TrialTask = {
      trialId: trial.id,
      params: trial.params,
      task: space.task,
      budget: trial.budget,
      seed: trial.seed,
      splitSeed: space.seed,
      metric,
      checkpointDir,
      checkpointStore: parts.checkpoints.spec,
      ...(resumeFrom !== undefined ? { resumeFrom } : {}),
      ...(keepModels !== undefined
        ? { keepModel: keepModelTask(keepModels, space, study, trial.number, resumeFrom === undefined ? undefined : book.valueAfter(trial.id, trial.epochs)) }
        : {}),
    };
    const abort = new AbortController();
    aborts.set(trial.id, abort);
    // A timer of our own, not AbortSignal.timeout: inside AbortSignal.any, Node 20 can garbage-collect the timeout
    // signal before it fires (nodejs/node#57736), and then a trial that never returns would hang the sweep.
    const timer = parts.trialTimeoutMs === undefined ? undefined : setTimeout(() => abort.abort(new DOMException(`the trial ran past --trial-timeout (${parts.trialTimeoutMs} ms)`, 'TimeoutError')), parts.trialTimeoutMs);
    let outcome: ExecutionOutcome;
    try {
      outcome = await runner.run(task, onEpoch, abort.signal);
    } catch (err) {
      // The runner resolves trial failures itself; reaching here means the pool broke, which we still record.
      if (err instanceof LeaseLostError) lost.add(trial.id);
      outcome = { state: 'failed', epochs: current.epochs, error: { kind: 'exception', message: errorMessage(err) } };
    } finally {
      clearTimeout(timer);
      aborts.delete(trial.id);
    }
    try {
      if (lost.has(trial.id)) throw new LeaseLostError(`trial ${trial.id} was taken from this tuner`);
      await settle(trial, current, outcome, fence, held);
    } catch (err) {
      if (!(err instanceof LeaseLostError)) throw err;
      // A zombie's writes: this tuner lost its lease (stopped, or cut off, for longer than it), another tuner requeued the
      // trial and may be running it now. Nothing of this run is kept; the view is refreshed at the next ask.
      lost.delete(trial.id);
      emit({ type: 'warning', code: 'lease-lost', message: `trial #${trial.number}: this tuner lost its ${lease / 1000} s lease on it (another tuner requeued it), so this run was abandoned and its late writes refused` });
    }
  };

  /** Stores a run's outcome under its claim: requeued (abort, retry) or finished, and tells the strategy. */
  const settle = async (trial: TrialRecord, current: TrialRecord, outcome: TrialOutcome, fence: Fence, held?: HeldReport): Promise<void> => {
    if (stop.aborted && outcome.state === 'failed') {
      // Cut short by a second Ctrl-C: not the trial's fault. It goes back to the queue for the next run.
      await storeHeldReport(scope, trial.id, held, fence);
      book.set(await storage.requeueTrial(trial.id, { countAttempt: false, fence }));
      return;
    }
    if (outcome.state === 'failed' && outcome.error && (current.attempts ?? 0) < (parts.retries ?? 0) && !stop.stopping) {
      await storeHeldReport(scope, trial.id, held, fence);
      book.set(await storage.requeueTrial(trial.id, { countAttempt: true, error: outcome.error, fence }));
      queue.push(book.get(trial.id)!);
      return;
    }
    const done = await finish(trial.id, outcome, fence, held);
    afterModel(done, outcome, trial.epochs > 0);
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
      case 'trial':
        start(await storeSuggested(scope, s, owner));
        return true;
      case 'prune': {
        const before = book.get(s.trialId);
        const pruned = await pruneTrial(scope, s.trialId);
        discardFinished(before, pruned);
        afterModel(pruned); // a model written at its pause (reduce best) goes
        emit({ type: 'trial-end', trial: pruned, outcome: { state: 'pruned', epochs: pruned.epochs }, progress: book.progress() });
        return true;
      }
      case 'wait':
      case 'done':
        return false;
    }
  };

  const queue: TrialRecord[] = resumableTrials(book);
  const unsubscribe = stop.onChange(() => {
    if (stop.aborted) for (const a of aborts.values()) a.abort(new Error('aborted'));
  });
  const beat = heartbeat({
    storage, owner, running: () => [...held], emit,
    everyMs: parts.heartbeatEveryMs ?? (leaseMs === undefined ? HEARTBEAT_EVERY_MS : Math.max(1, Math.floor(leaseMs / 3))),
    ...(leaseMs !== undefined ? { leaseMs } : {}),
    onLost: (ids) => {
      // Requeued by another tuner while this one was stopped or cut off: stop running them, write nothing more.
      for (const id of ids.filter((i) => held.has(i))) {
        lost.add(id);
        aborts.get(id)?.abort(new LeaseLostError(`trial ${id}: lease lost`));
      }
    },
  });

  /** Queues the stored trials to (re)start that this tuner doesn't hold or hold queued already. */
  const queueResumable = (): void => {
    queue.push(...resumableTrials(book, (id) => inFlight.has(id) || queue.some((q) => q.id === id)));
  };
  // Other tuners' dead trials go back to the queue during the sweep too, not only at a tuner's start: every live tuner
  // looks twice per lease, so a trial whose tuner died runs again within 2× the lease (issue 13 §2).
  const lease = leaseMs ?? STALE_HEARTBEAT_MS;
  const expiryEveryMs = Math.max(1, Math.floor(lease / 2));
  let expiryCheckedAt = Date.now();
  let checking = false;
  const requeueDead = async (): Promise<void> => {
    if (checking || Date.now() - expiryCheckedAt < expiryEveryMs) return;
    expiryCheckedAt = Date.now();
    checking = true;
    try {
      await requeueDeadNow();
    } finally {
      checking = false;
    }
  };
  const requeueDeadNow = async (): Promise<void> => {
    const requeued = [...(await storage.requeueExpired(study.id)), ...(await recoverInterrupted(storage, study, parts.onInterrupted ?? 'requeue'))];
    if (requeued.length > 0) {
      emit({ type: 'warning', code: 'requeued', message: `${requeued.length} trial(s) of a tuner that stopped answering went back to the queue: #${requeued.map((t) => t.number).join(', #')}` });
    }
  };
  // Also while every worker is busy, so a dead tuner's trial is requeued for whichever tuner has a free slot.
  const expiryTimer = setInterval(() => {
    if (!stop.stopping) requeueDead().catch((err: unknown) => emit({ type: 'warning', code: 'heartbeat-failed', message: `could not requeue expired trials: ${errorMessage(err)}` }));
  }, expiryEveryMs);
  expiryTimer.unref();
  /** What every tuner wrote since the last look, folded into the view; then what it made runnable, queued. */
  const sync = async (): Promise<void> => {
    await requeueDead();
    await refreshBook(scope);
    queueResumable();
  };
  /**
   * Another tuner holds a leased trial of the study: it may yet fail, die or make more work (promotions). Whether it
   * is alive is for its lease to say: an expired one is requeued (requeueDead) and shows up here as waiting.
   */
  const othersActive = (): boolean =>
    book.all().some((t) => t.state === 'running' && !inFlight.has(t.id) && t.leaseMs != null);
  const pollMs = Math.min(1000, Math.max(10, Math.floor(lease / 10)));

  try {
    let exhausted = false;
    /** A conflict's refresh just brought the view up to date: the ask after it needn't read the changes again. */
    let refreshed = false;
    while (true) {
      refreshed = false; // after a wait for a trial, the view is old again
      let idle = false;
      while (inFlight.size < workers && !stop.stopping) {
        const next = queue.shift();
        if (next !== undefined) {
          start(next);
          continue;
        }
        // Each ask sees the whole study as it is now (issue 13 §3): the changes since the last ask, one query, unless
        // a conflict's refresh or the finish that freed this slot has just read them (and no expiry check is due).
        if (refreshed) refreshed = false;
        else if (viewFresh && Date.now() - expiryCheckedAt < expiryEveryMs) {
          viewFresh = false;
          queueResumable();
        } else {
          viewFresh = false;
          await sync();
        }
        if (queue.length > 0) continue;
        if (exhausted) {
          idle = true;
          break;
        }
        try {
          const s = strategy.ask(book.context());
          if (s.kind === 'done') exhausted = true;
          if (!(await act(s))) {
            idle = true;
            break;
          }
        } catch (err) {
          await refreshOnConflict(err, scope); // another tuner changed the study: look again
          queueResumable();
          refreshed = true;
        }
      }
      // Nothing of ours runs and no other live tuner runs anything: the study has no work left for this tuner.
      const waitForOthers = idle && !stop.stopping && othersActive();
      if (inFlight.size === 0 && !waitForOthers) break;
      // A rejection here is a storage failure: stop the sweep and surface it. With a free slot while other tuners run
      // trials, look again every pollMs: they may promote, finish (freeing the strategy) or die (their trials requeued).
      const woke = await Promise.race([...inFlight.values(), ...(waitForOthers ? [sleep(pollMs).then(() => POLLED)] : [])]);
      if (woke === POLLED) viewFresh = false; // the view is as old as the wait
    }
  } finally {
    clearInterval(expiryTimer);
    beat.stop();
    unsubscribe();
    await Promise.allSettled(inFlight.values());
    await Promise.all(cleanups);
    await evictions;
  }

  return { study, trials: book.all(), best: book.best(), ran, failed, elapsedMs: book.progress().elapsedMs, stopped: stop.reason };
}
