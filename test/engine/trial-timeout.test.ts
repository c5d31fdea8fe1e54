/**
 * --trial-timeout fires even when the garbage collector runs while the trial hangs. With
 * AbortSignal.any([…, AbortSignal.timeout(ms)]) Node 20 may collect the timeout signal first (nodejs/node#57736),
 * and a trial that never returns then hangs the sweep; this forces collections to show it can't.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { TrialOutcome } from '../../src/core/types.js';
import { studySpec } from '../../src/engine/run-sweep.js';
import { runTrials } from '../../src/engine/sweep.js';
import { MemoryCheckpointStore, type TrialRunner } from '../../src/execution/index.js';
import { openStorage } from '../../src/storage/index.js';
import { createStrategy } from '../../src/strategies/index.js';
import { space } from '../helpers/records.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

test('a trial that never returns is stopped by its timeout, garbage collections notwithstanding, and stored as failed (timeout)', async () => {
  const s = space({ strategy: { type: 'random', trials: 1 } });
  const storage = openStorage(':memory:');
  const study = await storage.openStudy(studySpec(s));
  // Far past the 100 ms timeout: only reached if the timeout never fired, which then fails the test instead of hanging it.
  const giveUpMs = 200 * 100;
  const runner: TrialRunner = {
    info: { requested: 'auto', backend: 'cpu', tfBackend: 'cpu', warnings: [] },
    async run(_task, _onEpoch, signal): Promise<TrialOutcome> {
      const started = Date.now();
      while (signal?.aborted !== true && Date.now() - started < giveUpMs) {
        gc();
        await new Promise((r) => setTimeout(r, 5));
      }
      if (signal?.aborted !== true) return { state: 'complete', epochs: 1, value: 0.5 };
      const reason = signal.reason as { name?: string; message?: string };
      return { state: 'failed', epochs: 0, error: { kind: reason.name === 'TimeoutError' ? 'timeout' : 'interrupted', message: String(reason.message) } };
    },
    close: async () => {},
  };
  const result = await runTrials({
    space: s, study, storage, runner, strategy: createStrategy(s), workers: 1, maxTrials: 1, checkpoints: new MemoryCheckpointStore(), trialTimeoutMs: 100,
  });
  assert.equal(result.trials[0]!.state, 'failed');
  assert.equal(result.trials[0]!.error?.kind, 'timeout');
  assert.match(result.trials[0]!.error?.message ?? '', /--trial-timeout \(100 ms\)/);
  await storage.close();
});
