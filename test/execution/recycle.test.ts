import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTrialRunner } from '../../src/execution/index.js';
import { BLOBS_MLP, keepGoing, trialTask } from './helpers.js';

const quick = () => trialTask({ task: BLOBS_MLP, budget: 1 });

test('a wasm worker is replaced after recycleAfter trials', async () => {
  const runner = await createTrialRunner({ workers: 1, backend: 'wasm', recycleAfter: 2 });
  try {
    assert.equal(runner.info.recycleAfter, 2);
    const seen: { thread: number; nth: number }[] = [];
    for (let i = 0; i < 5; i++) {
      const outcome = await runner.run(quick(), keepGoing);
      assert.equal(outcome.state, 'complete', outcome.error?.message);
      seen.push({ thread: outcome.diagnostics!.threadId, nth: outcome.diagnostics!.workerTrials });
    }
    assert.deepEqual(seen.map((s) => s.nth), [1, 2, 1, 2, 1]);
    const [a, b, c, d, e] = seen.map((s) => s.thread);
    assert.ok(a === b && c === d && a !== c && c !== e && a !== e, JSON.stringify(seen));
  } finally {
    await runner.close();
  }
});

test('recycling stays correct with trials queued behind two busy workers: no task lands on a retiring worker', async () => {
  const runner = await createTrialRunner({ workers: 2, backend: 'wasm', recycleAfter: 1 });
  try {
    // Six at once: four wait in the queue while each worker finishes, asks to retire and is replaced.
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => runner.run(quick(), keepGoing)));
    for (const o of outcomes) assert.equal(o.state, 'complete', o.error?.message);
    const threads = outcomes.map((o) => o.diagnostics!.threadId);
    assert.equal(new Set(threads).size, 6, `each worker ran one trial: ${threads.join(',')}`);
    assert.ok(outcomes.every((o) => o.diagnostics!.workerTrials === 1));
  } finally {
    await runner.close();
  }
});
