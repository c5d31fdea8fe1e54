import { dirname, resolve } from 'node:path';
import { errorMessage, StudyMismatchError, TuneError, UsageError } from '../core/errors.js';
import type { StudyRecord, StudySpec } from '../core/types.js';
import { checkTaskData, createTrialRunner, defaultWorkerCount, FileCheckpointStore, stopServing, type CheckpointStore } from '../execution/index.js';
import type { Overflow } from '../execution/index.js';
import type { BackendChoice } from '../execution/types.js';
import { loadSpace, spaceSignature } from '../space/index.js';
import type { SearchSpace } from '../space/types.js';
import { openStorage } from '../storage/index.js';
import type { Storage } from '../storage/types.js';
import { createStrategy, defaultTrialCount } from '../strategies/index.js';
import type { SweepListener } from './events.js';
import { DatabaseCheckpointStore } from './db-checkpoints.js';
import { jsonDifferences } from './mismatch.js';
import { DEFAULT_LEASE_MS } from './owner.js';
import { recoverInterrupted, type OnInterrupted } from './recovery.js';
import { StopController } from './stop.js';
import { DEFAULT_KEEP_MODELS } from './model-keeping.js';
import { defaultCheckpointRoot, keptModelsFor } from './study-files.js';
import { runTrials, type SweepResult } from './sweep.js';
import { definitionWithDir } from './stored-space.js';

/** Options of {@link runSweep}: the CLI's flags, as data. Every one is optional. */
export interface SweepOptions {
  /** SQLite file; default `results/tune.db`. */
  readonly storage?: string;
  /** Worker threads training trials at once (default: the number of cores). */
  readonly workers?: number;
  /** tfjs backend (default `auto`: webgpu on a hardware GPU, then tensorflow-gpu, tensorflow, wasm, cpu). */
  readonly backend?: BackendChoice;
  /** Models a wasm worker trains before it is replaced (its heap never shrinks). */
  readonly recycleAfter?: number;
  /** GPU backends: at most this many trials on the GPU at once (default: every worker). */
  readonly gpuConcurrency?: number;
  /** Trials beyond gpuConcurrency: 'wait' for a GPU slot (default), or run on wasm workers ('cpu'). */
  readonly overflow?: Overflow;
  /** Overrides the space file's seed. */
  readonly seed?: number;
  /** Overrides the strategy's trial count. The count includes trials already stored for the study. */
  readonly trials?: number;
  /** Keep the checkpoints of finished trials (they are deleted by default). */
  readonly keepCheckpoints?: boolean;
  /**
   * A folder for checkpoints (`--checkpoint-dir`). Default: with PostgreSQL storage, in the database (any machine
   * of the study can resume a paused trial); with SQLite, `checkpoints/` beside the storage file.
   */
  readonly checkpoints?: string;
  /**
   * Keep the trained models of the best K complete trials on disk (default 3; 0 keeps none), under `models`:
   * `<models>/<study>/trial-<n>/model.json` + `weights.bin`, tfjs's LayersModel format. Worse ones are removed as
   * better ones finish. With `objective.reduce: 'best'` a kept model holds its best epoch's weights.
   */
  readonly keepModels?: number;
  /** Where kept models go; default `models/` beside the storage file. */
  readonly models?: string;
  /** What to do with trials left running by a tuner that died: run them again (default) or fail them. */
  readonly onInterrupted?: OnInterrupted;
  /** A stored study of the same name with another space is kept under a new name, and this one starts afresh. */
  readonly newStudy?: boolean;
  /** Runs of a failed trial to retry with the same params (default 0). */
  readonly retries?: number;
  /** Stop dispatching once this many trials have failed in this run, and pause what runs. */
  readonly maxFailures?: number;
  /** A trial running longer than this (ms) fails with kind `timeout`. */
  readonly trialTimeoutMs?: number;
  /** Heap limit of each worker thread in MB: a trial over it fails as 'oom' and the worker is replaced. */
  readonly trialMemoryMb?: number;
  /** Stop dispatching at this time and pause what runs, as Ctrl-C does. */
  readonly deadline?: Date;
  /** Lets the caller (the CLI's signal handlers) stop or abort the sweep. */
  readonly stop?: StopController;
  /** Called with every event of the sweep: its start, each trial's start, epochs and outcome. */
  readonly onEvent?: SweepListener;
  /**
   * The lease a claimed trial holds (ms, default 30 s), renewed by a heartbeat every third of it: a trial whose tuner
   * stops renewing it (killed, machine down, stopped) is requeued by any live tuner of the study within 2× the lease.
   */
  readonly leaseMs?: number;
  /**
   * The folder the space file's relative paths were resolved against, stored with the study's definition so that
   * `tune worker` on another machine finds the data and task module under its own `--root`. Set from the path when
   * `runSweep` is given one.
   */
  readonly spaceDir?: string;
  /** Join the study as it is stored, without storing this run's definition over it (`tune worker`). */
  readonly joinOnly?: boolean;
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
 * Opens the study for this space. A stored study with the same name but another space is refused with the
 * differences listed, or with `newStudy` renamed to `<name>.<n>` (nothing is deleted) so this one starts afresh.
 */
export async function openStudyFor(
  storage: Storage,
  space: SearchSpace,
  newStudy = false,
  store: { readonly spaceDir?: string; readonly joinOnly?: boolean } = {},
): Promise<StudyRecord> {
  const spec = studySpec(space);
  const stored = await storage.getStudy(spec.name);
  // A worker runs the stored definition itself, its files rebased to this machine (whose paths are part of the
  // signature): it is that study by construction.
  if (store.joinOnly) {
    if (stored === null) throw new UsageError(`no study named "${spec.name}" to join`);
    return stored;
  }
  if (stored !== null) {
    const diffs = jsonDifferences(stored.space, spec.space).map((d) => d.replace(/^signature\./, ''));
    if (diffs.length > 0 && !newStudy) {
      throw new StudyMismatchError(
        `study "${spec.name}" is stored with another space; it differs at:\n  ${diffs.join('\n  ')}\n` +
          'Rename the study in the space file, or pass --new-study to keep the old one under a new name and start afresh.',
      );
    }
    if (diffs.length > 0) {
      const taken = new Set((await storage.studies()).map((s) => s.study.name));
      let n = 2;
      while (taken.has(`${spec.name}.${n}`)) n++;
      await storage.renameStudy(stored.id, `${spec.name}.${n}`);
    }
  }
  const study = await storage.openStudy(spec);
  if (!store.joinOnly) await storage.setStudyDefinition(study.id, definitionWithDir(space, store.spaceDir));
  return study;
}

/**
 * Runs (or continues) the sweep a space file describes, end to end: loads and checks the space, opens the study in
 * SQLite, trains trials in worker threads until the strategy is done (or a deadline, a stop or `maxFailures`), and
 * resolves with every stored trial and the best one.
 *
 * @param spaceOrPath A space file's path, or a space from `loadSpace` / `parseSpace`.
 * @param options Storage, workers, backend, budgets and failure handling; see {@link SweepOptions}.
 * @example
 * ```ts
 * import { runSweep } from 'tfjs-tune';
 * const result = await runSweep('search-spaces/adam.json', { workers: 2, storage: 'results/tune.db' });
 * console.log(result.best?.params, result.best?.value);
 * ```
 */
export async function runSweep(spaceOrPath: SearchSpace | string, options: SweepOptions = {}): Promise<SweepResult> {
  const space = withOverrides(typeof spaceOrPath === 'string' ? loadSpace(spaceOrPath) : spaceOrPath, options);
  // A task module that can't load or doesn't fit the space, and data that can't load, are input errors before any
  // study or trial exists (exit 2), not a sweep of failed trials.
  const tfjs = await checkTaskData(space, typeof spaceOrPath === 'string' ? spaceOrPath : space.name);
  const workers = Math.max(1, options.workers ?? defaultWorkerCount());
  const storagePath = options.storage ?? DEFAULT_STORAGE;
  const checkpointRoot = options.checkpoints ?? defaultCheckpointRoot(storagePath);
  const stop = options.stop ?? new StopController();
  const keepModels = options.keepModels ?? DEFAULT_KEEP_MODELS;
  if (!Number.isSafeInteger(keepModels) || keepModels < 0) throw new UsageError(`keepModels: expected a whole number >= 0, got ${keepModels}`);
  const storage = openStorage(storagePath);
  const checkpoints = checkpointStoreOf(storage, options.checkpoints, checkpointRoot);
  try {
    const spaceDir = options.spaceDir ?? (typeof spaceOrPath === 'string' ? dirname(resolve(spaceOrPath)) : undefined);
    const study = await openStudyFor(storage, space, options.newStudy, { spaceDir, joinOnly: options.joinOnly });
    const existing = await storage.trials(study.id);
    const recovered = await recoverInterrupted(storage, study, options.onInterrupted ?? 'requeue');
    if (recovered.length > 0) options.onEvent?.({ type: 'recovered', trials: recovered });
    const maxTrials = options.trials ?? defaultTrialCount(space);
    const runner = await createTrialRunner({
      workers,
      backend: options.backend ?? 'auto',
      recycleAfter: options.recycleAfter,
      gpuConcurrency: options.gpuConcurrency,
      overflow: options.overflow,
      tfjs, // an objective() module that imports no tfjs: the workers don't import it up front
      ...(options.trialMemoryMb !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: options.trialMemoryMb } } : {}),
      // Without a listener the pool's default applies (a process warning): never silence.
      ...(options.onEvent !== undefined ? { onWorkerError: (err: Error) => options.onEvent?.({ type: 'warning', code: 'worker-error', message: `a worker thread failed outside any trial, and was replaced: ${errorMessage(err)}` }) } : {}),
    }).catch((err: unknown) => {
      if (options.trialMemoryMb !== undefined && err instanceof TuneError && err.code === 'worker-out-of-memory') {
        throw new UsageError(`--trial-memory ${options.trialMemoryMb}: too small for a worker to load tfjs (it needs about 64 MB); raise it`);
      }
      throw err;
    });
    const deadline = options.deadline === undefined ? undefined : setTimeout(() => stop.stop('deadline'), Math.max(0, options.deadline.getTime() - Date.now()));
    deadline?.unref();
    try {
      const info = runner.info;
      await storage.setStudyBackend(study.id, info.adapter ? `${info.backend} (${info.adapter})` : info.backend);
      // The pool may run fewer workers than asked ('wait' overflow: only the GPU slots); never dispatch more.
      const slots = info.workers ?? workers;
      options.onEvent?.({ type: 'start', study, backend: info, workers: slots, maxTrials, existing: existing.length });
      return await runTrials({
        space, study, storage, runner, strategy: createStrategy(space), workers: slots, maxTrials, checkpoints, stop,
        keepCheckpoints: options.keepCheckpoints ?? false, retries: options.retries, maxFailures: options.maxFailures,
        ...(keepModels > 0 ? { keepModels: { store: keptModelsFor(storagePath, options.models), count: keepModels } } : {}),
        trialTimeoutMs: options.trialTimeoutMs, onEvent: options.onEvent, leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS, onInterrupted: options.onInterrupted,
      });
    } finally {
      clearTimeout(deadline);
      await runner.close();
    }
  } finally {
    stopServing(checkpoints.spec);
    await storage.close();
  }
}

/** Where checkpoints go: the folder given, else the storage's own checkpoint tables where it has them, else files. */
export function checkpointStoreOf(storage: Storage, folder: string | undefined, defaultRoot: string): CheckpointStore {
  const blobs = folder === undefined ? storage.checkpointBlobs?.() : undefined;
  return blobs !== undefined ? new DatabaseCheckpointStore(blobs) : new FileCheckpointStore(folder ?? defaultRoot);
}
