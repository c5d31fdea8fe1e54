/** gpuConcurrency and overflow with real workers: K GPU workers, and either waiting or wasm workers beside them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTrialRunner, type ExecutionOutcome } from '../../src/execution/index.js';
import { keepGoing, trialTask } from '../execution/helpers.js';
import { GPU_PARAMS, webgpuSkipReason } from './helpers.js';

const skip = webgpuSkipReason();
const quick = () => trialTask({ params: GPU_PARAMS, budget: 1, seed: 5 });

test("overflow 'wait': gpuConcurrency 1 of 2 workers runs one GPU worker, and trials take turns on it", async (t) => {
  if (skip !== undefined) return t.skip(skip);
  const runner = await createTrialRunner({ workers: 2, backend: 'webgpu', gpuConcurrency: 1 });
  try {
    assert.equal(runner.info.backend, 'webgpu');
    assert.equal(runner.info.gpuConcurrency, 1);
    assert.equal(runner.info.workers, 1, 'workers beyond the cap would only hold idle devices');
    assert.equal(runner.info.overflow, undefined);
    const outcomes = await Promise.all([runner.run(quick(), keepGoing), runner.run(quick(), keepGoing)]);
    for (const o of outcomes) assert.equal(o.state, 'complete', o.error?.message);
    assert.deepEqual(outcomes.map((o) => o.diagnostics?.tfBackend), ['webgpu', 'webgpu']);
    assert.equal(new Set(outcomes.map((o) => o.diagnostics?.threadId)).size, 1);
  } finally {
    await runner.close();
  }
});

test("overflow 'cpu': 1 GPU worker and 2 wasm workers; three trials at once run on both kinds", async (t) => {
  if (skip !== undefined) return t.skip(skip);
  const runner = await createTrialRunner({ workers: 3, backend: 'webgpu', gpuConcurrency: 1, overflow: 'cpu' });
  try {
    const info = runner.info;
    assert.equal(info.backend, 'webgpu');
    assert.equal(info.workers, 3);
    assert.equal(info.gpuConcurrency, 1);
    assert.deepEqual(info.overflow, { backend: 'wasm', workers: 2, recycleAfter: 50 });
    const outcomes: ExecutionOutcome[] = await Promise.all([1, 2, 3].map(() => runner.run(quick(), keepGoing)));
    for (const o of outcomes) assert.equal(o.state, 'complete', o.error?.message);
    const backends = outcomes.map((o) => o.diagnostics?.tfBackend).sort();
    assert.deepEqual(backends, ['wasm', 'wasm', 'webgpu'], 'the GPU slot first, then the wasm workers');
    assert.equal(new Set(outcomes.map((o) => o.diagnostics?.threadId)).size, 3);
    // Same trial, different backends: equal within float tolerance.
    const losses = outcomes.map((o) => o.metrics!['val_loss']!);
    assert.ok(Math.max(...losses) - Math.min(...losses) < 1e-4, losses.join(', '));
  } finally {
    await runner.close();
  }
});

test('a cap on a machine where the backend is no GPU one does not shrink the pool', async () => {
  // wasm is never a GPU backend: the cap is ignored and every worker starts.
  const runner = await createTrialRunner({ workers: 2, backend: 'wasm', gpuConcurrency: 1, overflow: 'cpu' });
  try {
    assert.equal(runner.info.workers, 2);
    assert.equal(runner.info.gpuConcurrency, undefined);
  } finally {
    await runner.close();
  }
});

test("'auto' with a cap, where auto finds no GPU: every worker starts on what it found", async (t) => {
  if (skip !== undefined) return t.skip(skip);
  const probe = await createTrialRunner({ workers: 1, backend: 'webgpu' });
  const software = probe.info.softwareAdapter === true;
  await probe.close();
  if (!software) return t.skip('this machine has a hardware adapter, so auto would use it');
  const runner = await createTrialRunner({ workers: 2, backend: 'auto', gpuConcurrency: 1 });
  try {
    assert.equal(runner.info.backend, 'wasm');
    assert.equal(runner.info.requested, 'auto');
    assert.equal(runner.info.workers, 2);
    assert.equal(runner.info.gpuConcurrency, undefined);
  } finally {
    await runner.close();
  }
});

test('bad gpuConcurrency or overflow values are refused before any thread starts', async () => {
  await assert.rejects(createTrialRunner({ workers: 2, backend: 'wasm', gpuConcurrency: 0 }), /gpuConcurrency must be a positive integer, got 0/);
  await assert.rejects(createTrialRunner({ workers: 2, backend: 'wasm', overflow: 'gpu' as 'wait' }), /overflow must be one of wait, cpu, got gpu/);
});
