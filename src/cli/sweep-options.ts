import { availableParallelism } from 'node:os';
import type { Argv } from 'yargs';
import { UsageError } from '../core/errors.js';
import { BACKENDS, OVERFLOWS, parseDuration, parseUntil, type SweepOptions } from '../engine/index.js';
import { withStorage } from './options.js';
import { PROGRESS_MODES, progressMode, type ProgressMode } from './reporter.js';

/** The options shared by `tune run` and `tune resume`. */
export function withSweepOptions<T>(y: Argv<T>) {
  return withStorage(y)
    .option('workers', { type: 'number', default: availableParallelism(), describe: 'Worker threads training trials at once' })
    .option('backend', { choices: BACKENDS, default: 'auto' as const, describe: 'tfjs backend; auto prefers webgpu (on a hardware GPU), tensorflow-gpu, tensorflow, wasm, cpu' })
    .option('gpu-concurrency', { type: 'number', describe: 'GPU backends: trials on the GPU at once, each in its own worker (default: --workers)' })
    .option('overflow', { choices: OVERFLOWS, default: 'wait' as const, describe: "Trials beyond --gpu-concurrency: 'wait' for a GPU slot, or run on 'cpu' (wasm workers)" })
    .option('seed', { type: 'number', describe: "Override the space file's seed" })
    .option('trials', { type: 'number', describe: 'Total trials for the study (stored ones count), overriding the file' })
    .option('timeout', { type: 'string', describe: 'Stop dispatching after this long (90s, 30m, 8h, 1h30m) and pause what runs' })
    .option('until', { type: 'string', describe: 'Stop dispatching at this local time (HH:MM) and pause what runs' })
    .option('trial-timeout', { type: 'string', describe: 'Fail a trial that runs longer than this (kind "timeout")' })
    .option('trial-memory', { type: 'number', describe: 'Heap limit per worker thread in MB; a trial over it fails as "oom"' })
    .option('retries', { type: 'number', default: 0, describe: 'Run a failed trial again, with the same params, up to N times' })
    .option('max-failures', { type: 'number', describe: 'Stop the sweep once N trials have failed in this run' })
    .option('lease', { type: 'string', default: '30s', describe: 'How long a claimed trial is held without a heartbeat (renewed every third of it); any live tuner requeues an expired one' })
    .option('on-interrupted', { choices: ['requeue', 'fail'] as const, default: 'requeue' as const, describe: 'Trials left running by a tuner that died: run them again, or mark them failed' })
    .option('new-study', { type: 'boolean', default: false, describe: 'If the stored study of this name has another space, keep it as <name>.<n> and start afresh' })
    .option('keep-checkpoints', { type: 'boolean', default: false, describe: 'Keep the checkpoints of finished trials (paused trials always keep theirs)' })
    .option('checkpoint-dir', { type: 'string', normalize: true, describe: 'Folder for checkpoints (default: with postgres:// storage in the database, so any machine can resume a paused trial; with SQLite checkpoints/ beside the file)' })
    .option('keep-models', { type: 'number', default: 3, describe: 'Keep the trained models of the best K complete trials on disk (models/ beside the database; 0: none), for tune export --models' })
    .option('recycle-after', { type: 'number', default: 50, describe: 'Models a wasm worker trains before it is replaced (the wasm heap never shrinks)' })
    .option('top', { type: 'number', default: 10, describe: 'Rows of the leaderboard printed at the end' })
    .option('progress', { choices: PROGRESS_MODES, describe: 'tty: a live status table; lines: a line per epoch and trial; none: only errors and the final table; json: NDJSON events (default: tty on a terminal, else lines)' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Same as --progress none' })
    .group(['trials', 'timeout', 'until'], 'Budget:')
    .group(['retries', 'max-failures', 'trial-timeout', 'trial-memory', 'on-interrupted', 'lease'], 'Failures:')
    .group(['workers', 'backend', 'gpu-concurrency', 'overflow', 'recycle-after'], 'Hardware:')
    .group(['storage', 'new-study', 'checkpoint-dir', 'keep-checkpoints'], 'Storage:')
    .group(['progress', 'quiet', 'top', 'keep-models'], 'Output:')
    .check((a) => {
      const counts: [string, number | undefined][] = [
        ['workers', a.workers], ['trials', a.trials], ['top', a.top], ['recycle-after', a['recycle-after']],
        ['trial-memory', a['trial-memory']], ['max-failures', a['max-failures']], ['gpu-concurrency', a['gpu-concurrency']],
      ];
      for (const [flag, v] of counts) {
        if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new UsageError(`--${flag}: expected a whole number >= 1, got ${v}`);
      }
      if (!Number.isInteger(a['keep-models']) || a['keep-models'] < 0) throw new UsageError(`--keep-models: expected a whole number >= 0, got ${a['keep-models']}`);
      if (!Number.isInteger(a.retries) || a.retries < 0) throw new UsageError(`--retries: expected a whole number >= 0, got ${a.retries}`);
      if (a.seed !== undefined && !Number.isInteger(a.seed)) throw new UsageError(`--seed: expected an integer, got ${a.seed}`);
      if (a.timeout !== undefined) parseDuration(a.timeout, '--timeout');
      if (a.until !== undefined) parseUntil(a.until, '--until');
      if (a['trial-timeout'] !== undefined) parseDuration(a['trial-timeout'], '--trial-timeout');
      leaseFrom(a.lease);
      return true;
    });
}

type SweepArgs = Awaited<ReturnType<typeof withSweepOptions>['argv']>;

/** `--progress`, or what `-q` and whether stdout is a terminal imply. */
export function progressFrom(a: { readonly progress?: ProgressMode; readonly quiet: boolean }): ProgressMode {
  return progressMode(a.progress, a.quiet, process.stdout.isTTY === true);
}

/** `--lease` in ms: a duration of at least 1 s (shorter would spend the heartbeat on nothing but renewing). */
export function leaseFrom(lease: string): number {
  const ms = Math.round(parseDuration(lease, '--lease'));
  if (ms < 1000) throw new UsageError(`--lease: expected a duration of at least 1s, got ${lease}`);
  return ms;
}

/** The engine's options from the parsed flags; the earlier of --timeout and --until wins. */
export function sweepOptionsFrom(a: SweepArgs): SweepOptions {
  const deadlines = [
    ...(a.timeout !== undefined ? [new Date(Date.now() + parseDuration(a.timeout, '--timeout'))] : []),
    ...(a.until !== undefined ? [parseUntil(a.until, '--until')] : []),
  ].sort((x, y) => x.getTime() - y.getTime());
  return {
    storage: a.storage,
    workers: a.workers,
    backend: a.backend,
    seed: a.seed,
    trials: a.trials,
    recycleAfter: a['recycle-after'],
    gpuConcurrency: a['gpu-concurrency'],
    overflow: a.overflow,
    keepCheckpoints: a['keep-checkpoints'],
    ...(a['checkpoint-dir'] !== undefined ? { checkpoints: a['checkpoint-dir'] } : {}),
    keepModels: a['keep-models'],
    onInterrupted: a['on-interrupted'],
    newStudy: a['new-study'],
    retries: a.retries,
    maxFailures: a['max-failures'],
    trialTimeoutMs: a['trial-timeout'] === undefined ? undefined : parseDuration(a['trial-timeout'], '--trial-timeout'),
    trialMemoryMb: a['trial-memory'],
    deadline: deadlines[0],
    leaseMs: leaseFrom(a.lease),
  };
}
