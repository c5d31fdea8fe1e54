import { dirname, join } from 'node:path';
import type { StudyRecord, StudySpec, TrialRecord } from '../core/types.js';
import { createTrialRunner, defaultWorkerCount } from '../execution/index.js';
import type { BackendChoice } from '../execution/types.js';
import { loadSpace, spaceSignature } from '../space/index.js';
import type { SearchSpace } from '../space/types.js';
import { openStorage } from '../storage/index.js';
import type { Storage } from '../storage/types.js';
import { createStrategy, defaultTrialCount } from '../strategies/index.js';
import type { SweepListener } from './events.js';
import { runTrials, type SweepResult } from './sweep.js';

export interface SweepOptions {
  /** SQLite file; default `results/tune.db`. */
  readonly storage?: string;
  readonly workers?: number;
  readonly backend?: BackendChoice;
  /** Trials a wasm worker runs before it is replaced (its heap never shrinks). */
  readonly recycleAfter?: number;
  /** Overrides the space file's seed. */
  readonly seed?: number;
  /** Overrides the strategy's trial count. The count includes trials already stored for the study. */
  readonly trials?: number;
  /** Keep the checkpoints of finished trials (they are deleted by default). */
  readonly keepCheckpoints?: boolean;
  /** Where checkpoints go; default `checkpoints/` beside the storage file. */
  readonly checkpoints?: string;
  readonly onEvent?: SweepListener;
}

export const DEFAULT_STORAGE = 'results/tune.db';

/** Applies the CLI's overrides to a loaded space. */
export function withOverrides(space: SearchSpace, options: Pick<SweepOptions, 'seed'>): SearchSpace {
  return options.seed === undefined ? space : Object.freeze({ ...space, seed: options.seed });
}

/** The stored identity of a study: what must match for a rerun to continue it rather than start another. */
export function studySpec(space: SearchSpace): StudySpec {
  return {
    name: space.name,
    space: { signature: JSON.parse(spaceSignature(space)) as unknown, seed: space.seed },
    direction: space.objective.direction,
    metric: space.objective.metric,
    strategy: space.strategy.type,
    seed: space.seed,
  };
}

/**
 * Trials left `running` by a process that died can't be continued yet (no checkpoint): they are stored as
 * failed with the reason `interrupted`, so nothing stays stuck as running.
 */
async function failInterrupted(storage: Storage, study: StudyRecord): Promise<TrialRecord[]> {
  const stuck = await storage.trials(study.id, { states: ['running'] });
  const marked: TrialRecord[] = [];
  for (const t of stuck) {
    marked.push(
      await storage.finishTrial(t.id, {
        state: 'failed',
        epochs: t.epochs,
        error: { kind: 'interrupted', message: 'the tuner process stopped while this trial was running' },
      }),
    );
  }
  return marked;
}

/** Runs (or continues) the sweep a space file describes, end to end. */
export async function runSweep(spaceOrPath: SearchSpace | string, options: SweepOptions = {}): Promise<SweepResult> {
  const space = withOverrides(typeof spaceOrPath === 'string' ? loadSpace(spaceOrPath) : spaceOrPath, options);
  const workers = Math.max(1, options.workers ?? defaultWorkerCount());
  const storagePath = options.storage ?? DEFAULT_STORAGE;
  const checkpointRoot = options.checkpoints ?? join(storagePath === ':memory:' ? 'results' : dirname(storagePath), 'checkpoints');
  const storage = openStorage(storagePath);
  try {
    const study = await storage.openStudy(studySpec(space));
    const existing = await storage.trials(study.id);
    const interrupted = await failInterrupted(storage, study);
    if (interrupted.length > 0) options.onEvent?.({ type: 'interrupted-marked', trials: interrupted });
    const maxTrials = options.trials ?? defaultTrialCount(space);
    const runner = await createTrialRunner({ workers, backend: options.backend ?? 'auto', recycleAfter: options.recycleAfter });
    try {
      await storage.setStudyBackend(study.id, runner.info.backend);
      options.onEvent?.({ type: 'start', study, backend: runner.info, workers, maxTrials, existing: existing.length });
      return await runTrials({
        space, study, storage, runner, strategy: createStrategy(space), workers, maxTrials, checkpointRoot,
        keepCheckpoints: options.keepCheckpoints ?? false, onEvent: options.onEvent,
      });
    } finally {
      await runner.close();
    }
  } finally {
    await storage.close();
  }
}
