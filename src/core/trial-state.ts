/**
 * The trial lifecycle, in one place: its states, which of them are final, the moves between them, and the ways a
 * trial can fail. As in Optuna's `TrialState` (`trial/_state.py`), the state itself says whether it is finished;
 * storage enforces the moves, strategies and the engine read the rest. All plain data, safe to clone across threads.
 */

export const TRIAL_STATES = ['waiting', 'running', 'paused', 'complete', 'pruned', 'failed'] as const;
export type TrialState = (typeof TRIAL_STATES)[number];

/** States a trial can never leave. */
export const FINISHED_STATES = ['complete', 'pruned', 'failed'] as const satisfies readonly TrialState[];
export type FinishedState = (typeof FINISHED_STATES)[number];

/** The states a run can end in (`TrialOutcome.state`): paused at a rung end or a stop, or finished. */
export const OUTCOME_STATES = ['paused', ...FINISHED_STATES] as const satisfies readonly TrialState[];
export type OutcomeState = (typeof OUTCOME_STATES)[number];

export function isFinishedState(state: TrialState): state is FinishedState {
  return (FINISHED_STATES as readonly TrialState[]).includes(state);
}

/**
 * Every move a stored trial may make, by the storage operation that makes it:
 * - waiting → running (claimed), or → failed (it never ran);
 * - running → paused / complete / pruned / failed (its run ended), or → waiting (requeued for a retry or a dead tuner);
 * - paused → running (resumed from its checkpoint), → waiting (promoted to a higher rung), or → complete / pruned /
 *   failed without running again (a multi-fidelity loser is pruned where it paused);
 * - a finished trial never moves.
 * Each storage operation allows only its own subset (claim, requeue, promote, finish); none allows a move outside this.
 */
export const TRIAL_TRANSITIONS = {
  waiting: ['running', 'failed'],
  running: ['waiting', 'paused', 'complete', 'pruned', 'failed'],
  paused: ['running', 'waiting', 'complete', 'pruned', 'failed'],
  complete: [],
  pruned: [],
  failed: [],
} as const satisfies { readonly [S in TrialState]: readonly TrialState[] };

export function canMove(from: TrialState, to: TrialState): boolean {
  const targets: readonly TrialState[] = TRIAL_TRANSITIONS[from];
  return targets.includes(to);
}

export const FAILURE_KINDS = ['exception', 'nan', 'oom', 'timeout', 'interrupted', 'worker-died'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/**
 * Failures of the machinery, not of the config: the tuner stopped, or the worker thread died under it. They say
 * nothing about how good the params are, so a model must not learn from them; every other kind marks the config bad.
 */
export const INFRASTRUCTURE_FAILURES = ['interrupted', 'worker-died'] as const satisfies readonly FailureKind[];

export function isInfrastructureFailure(kind: FailureKind): boolean {
  return (INFRASTRUCTURE_FAILURES as readonly FailureKind[]).includes(kind);
}
