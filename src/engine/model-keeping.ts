/**
 * `--keep-models K`: which trained models stay on disk while a sweep runs. Workers write a trial's model when it
 * completes; after each such trial the models of finished trials outside the best K that have one are removed,
 * so at most K models of finished trials (plus those of trials still running or paused) are on disk.
 */
import { isFinishedState } from '../core/trial-state.js';
import type { StudyRecord } from '../core/types.js';
import type { KeepModelTask, KeptModels } from '../execution/index.js';
import { objectiveReduce, type SearchSpace } from '../space/types.js';
import type { Storage } from '../storage/types.js';

export const DEFAULT_KEEP_MODELS = 3;

export interface ModelKeeping {
  readonly store: KeptModels;
  /** K >= 1; a sweep with K = 0 has no ModelKeeping at all. */
  readonly count: number;
}

/** The worker's orders for one trial; `bestBefore` is its best value before a resume from a checkpoint. */
export function keepModelTask(keeping: ModelKeeping, space: SearchSpace, study: StudyRecord, trialNumber: number, bestBefore: number | undefined): KeepModelTask {
  return {
    dir: keeping.store.slot(study.name, trialNumber),
    reduce: objectiveReduce(space),
    direction: space.objective.direction,
    ...(bestBefore !== undefined ? { bestBefore } : {}),
  };
}

/**
 * Removes the models of finished trials that are not among the best `count` complete trials with a model, in
 * leaderboard order. Safe at any moment and from several tuners at once: a finished trial's rank can only fall as
 * trials finish, so a model once outside the best K is never wanted again; models of trials not finished in this
 * read (running, paused, new ones of another tuner) are left alone.
 */
export async function evictModels(keeping: ModelKeeping, storage: Storage, study: StudyRecord): Promise<void> {
  const present = new Set(await keeping.store.folders(study.name));
  if (present.size === 0) return;
  const ranked = await storage.leaderboard(study.id, Infinity);
  let kept = 0;
  const evicted: number[] = [];
  for (const { trial } of ranked) {
    if (!present.has(trial.number)) continue;
    if (trial.state === 'complete' && kept < keeping.count) kept++;
    else if (isFinishedState(trial.state)) evicted.push(trial.number);
  }
  await keeping.store.evict(study.name, evicted);
}
