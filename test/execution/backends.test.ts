import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTrialRunner } from '../../src/execution/index.js';
import { BLOBS_MLP, keepGoing, trialTask } from './helpers.js';

test("'auto' without native packages settles on wasm, recycled every 50 trials", async () => {
  const runner = await createTrialRunner({ workers: 1, backend: 'auto' });
  try {
    assert.equal(runner.info.backend, 'wasm');
    assert.equal(runner.info.requested, 'auto');
    assert.equal(runner.info.recycleAfter, 50);
  } finally {
    await runner.close();
  }
});

test("'cpu' trains too, its workers are not recycled, and tfjs's console notice is returned, not printed", async () => {
  const runner = await createTrialRunner({ workers: 1, backend: 'cpu', recycleAfter: 1 });
  try {
    assert.equal(runner.info.backend, 'cpu');
    assert.equal(runner.info.recycleAfter, null);
    const a = await runner.run(trialTask({ task: BLOBS_MLP, budget: 1 }), keepGoing);
    const b = await runner.run(trialTask({ task: BLOBS_MLP, budget: 1 }), keepGoing);
    assert.equal(a.state, 'complete', a.error?.message);
    assert.equal(a.diagnostics?.tfBackend, 'cpu');
    assert.equal(b.diagnostics?.threadId, a.diagnostics?.threadId);
    assert.ok(a.diagnostics?.logs.some((l) => /install our node backend/.test(l)), JSON.stringify(a.diagnostics?.logs));
  } finally {
    await runner.close();
  }
});

test('the same trial gives the same metrics on wasm and cpu (to float tolerance)', async () => {
  const results = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    const runner = await createTrialRunner({ workers: 1, backend });
    try {
      results.push(await runner.run(trialTask({ task: BLOBS_MLP, budget: 2, seed: 3 }), keepGoing));
    } finally {
      await runner.close();
    }
  }
  const [wasm, cpu] = results;
  assert.ok(Math.abs(wasm!.metrics!['val_loss']! - cpu!.metrics!['val_loss']!) < 1e-3, `${wasm!.metrics!['val_loss']} vs ${cpu!.metrics!['val_loss']}`);
});
