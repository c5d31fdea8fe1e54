/** Heartbeat write failures are not silent: the sweep goes on, and the caller (the CLI) gets a warning event. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressPrinter } from '../../src/cli/progress.js';
import type { Decision, Metrics, TrialOutcome } from '../../src/core/types.js';
import type { SweepEvent } from '../../src/engine/events.js';
import { studySpec } from '../../src/engine/run-sweep.js';
import { runTrials } from '../../src/engine/sweep.js';
import { MemoryCheckpointStore, type TrialRunner, type TrialTask } from '../../src/execution/index.js';
import { openStorage } from '../../src/storage/index.js';
import type { Storage } from '../../src/storage/types.js';
import { createStrategy } from '../../src/strategies/index.js';
import { space } from '../helpers/records.js';

/** A real storage whose heartbeat writes fail while `failing` is set. */
function flakyHeartbeats(storage: Storage, state: { failing: boolean; calls: number }): Storage {
  return new Proxy(storage, {
    get(target, key) {
      if (key === 'heartbeat') {
        return async (...args: Parameters<Storage['heartbeat']>) => {
          state.calls++;
          if (state.failing) throw new Error('database is locked');
          return target.heartbeat(...args);
        };
      }
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

test('a failing heartbeat warns once per streak, says when writes work again, and the trial still completes', async () => {
  const s = space({ strategy: { type: 'random', trials: 1 } });
  const real = openStorage(':memory:');
  const state = { failing: true, calls: 0 };
  const storage = flakyHeartbeats(real, state);
  const study = await storage.openStudy(studySpec(s));
  const events: SweepEvent[] = [];
  const waiters: { code: string; resolve: () => void }[] = [];
  const onEvent = (e: SweepEvent): void => {
    events.push(e);
    if (e.type === 'warning') for (const w of waiters.filter((w) => w.code === e.code)) w.resolve();
  };
  const warned = (code: string) => new Promise<void>((resolve) => waiters.push({ code, resolve }));
  const failed = warned('heartbeat-failed');
  const restored = warned('heartbeat-restored');
  // The trial runs until the tuner has warned, and then until the writes work again.
  const runner: TrialRunner = {
    info: { requested: 'auto', backend: 'cpu', tfBackend: 'cpu', warnings: [] },
    async run(_task: TrialTask, onEpoch: (epoch: number, metrics: Metrics) => Promise<Decision>): Promise<TrialOutcome> {
      // A real runner's worker threads keep the process alive while a trial runs; the heartbeat's timer is unref'd,
      // so without this handle the event loop could empty before the first beat and end the test early.
      const alive = setInterval(() => {}, 1000);
      try {
        await failed;
        const callsAtWarning = state.calls;
        while (state.calls < callsAtWarning + 3) await new Promise((r) => setTimeout(r, 2)); // more failures: no more warnings
        state.failing = false;
        await restored;
        await onEpoch(1, { val_accuracy: 0.5 });
        return { state: 'complete', epochs: 1, value: 0.5 };
      } finally {
        clearInterval(alive);
      }
    },
    close: async () => {},
  };
  const result = await runTrials({
    space: s, study, storage, runner, strategy: createStrategy(s), workers: 1, maxTrials: 1, checkpoints: new MemoryCheckpointStore(), onEvent, heartbeatEveryMs: 1,
  });
  assert.equal(result.ran, 1);
  assert.equal(result.trials[0]!.state, 'complete');
  const warnings = events.filter((e) => e.type === 'warning');
  assert.deepEqual(warnings.map((w) => w.code), ['heartbeat-failed', 'heartbeat-restored'], 'one warning for the streak, one when it ends');
  assert.match(warnings[0]!.message, /could not mark 1 running trial\(s\) alive: database is locked; after 10 min without a heartbeat a tuner on another host may run them again/);
  await real.close();
});

test('the CLI prints a warning event as a warning line', () => {
  const lines: string[] = [];
  progressPrinter((l) => lines.push(l), 'val_accuracy')({ type: 'warning', code: 'heartbeat-failed', message: 'could not mark 2 running trial(s) alive: disk full' });
  assert.deepEqual(lines, ['warning: could not mark 2 running trial(s) alive: disk full']);
});
