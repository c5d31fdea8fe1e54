/**
 * The webgpu backend for real, through the worker pool, on whatever adapter this machine has: Mesa's llvmpipe in CI
 * (Dawn's OpenGL ES route), a GPU elsewhere. Skips, saying why, only where packages or system libraries are missing.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Decision, Metrics } from '../../src/core/types.js';
import { removeCheckpoint } from '../../src/execution/checkpoint/checkpoint-paths.js';
import { createTrialRunner, type ExecutionOutcome, type TrialRunner, type TrialTask } from '../../src/execution/index.js';
import { keepGoing, MNIST_MLP, trialTask } from '../execution/helpers.js';
import { GPU_PARAMS, webgpuSkipReason } from './helpers.js';

const skip = webgpuSkipReason();
const CNN = { ...MNIST_MLP, model: { type: 'cnn' as const, filters: [4], kernelSize: 3, hidden: [16] } };
const task = (extra: Partial<TrialTask> = {}): TrialTask => ({ ...trialTask({ params: GPU_PARAMS, budget: 2, seed: 5 }), ...extra });

/** Runs a trial, recording its epochs; asserts the worker's tensor count is back at its baseline afterwards. */
async function run(runner: TrialRunner, t: TrialTask, pauseAt?: number): Promise<{ outcome: ExecutionOutcome; seen: [number, Metrics][] }> {
  const seen: [number, Metrics][] = [];
  const outcome = await runner.run(t, async (epoch, metrics): Promise<Decision> => {
    seen.push([epoch, metrics]);
    return epoch === pauseAt ? 'pause' : 'continue';
  });
  const d = outcome.diagnostics;
  assert.ok(d !== undefined);
  assert.equal(d.tensorsAfter, d.tensorsBefore, `tensors back at baseline after a ${outcome.state} trial`);
  return { outcome, seen };
}

describe('webgpu through the pool, two workers sharing one adapter', () => {
  let runner: TrialRunner;
  before(async () => {
    if (skip === undefined) runner = await createTrialRunner({ workers: 2, backend: 'webgpu' });
  });
  after(async () => {
    await runner?.close();
  });

  test('--backend webgpu uses the adapter it finds, a software one included, and names it', (t) => {
    if (skip !== undefined) return t.skip(skip);
    const info = runner.info;
    assert.equal(info.backend, 'webgpu', info.warnings.join('; '));
    assert.equal(info.tfBackend, 'webgpu');
    assert.ok(info.adapter !== undefined && info.adapter.length > 0);
    assert.ok(info.driver !== undefined && /Dawn/.test(info.driver), info.driver);
    assert.equal(typeof info.softwareAdapter, 'boolean');
    assert.equal(info.recycleAfter, null, 'webgpu workers are never recycled');
    t.diagnostic(`adapter: ${info.adapter} · ${info.driver}`);
  });

  test('two workers train at once, each on its own device, with identical results for identical trials', async (t) => {
    if (skip !== undefined) return t.skip(skip);
    const events: string[] = [];
    const one = async (name: string): Promise<ExecutionOutcome> => {
      const outcome = await runner.run(task({ budget: 3 }), async (epoch) => {
        events.push(`${name}${epoch}`);
        return 'continue';
      });
      events.push(`${name}-done`);
      return outcome;
    };
    const [a, b] = await Promise.all([one('a'), one('b')]);
    for (const o of [a!, b!]) assert.equal(o.state, 'complete', o.error?.message);
    assert.notEqual(a!.diagnostics?.threadId, b!.diagnostics?.threadId, 'two threads');
    const firstDone = events.findIndex((e) => e.endsWith('-done'));
    assert.ok(events.indexOf('a1') < firstDone && events.indexOf('b1') < firstDone, `both trained before either finished: ${events.join(' ')}`);
    assert.deepEqual(a!.metrics, b!.metrics);
    assert.equal(a!.diagnostics?.tfBackend, 'webgpu');
  });

  test('a CNN trains too, with tensors back at baseline', async (t) => {
    if (skip !== undefined) return t.skip(skip);
    const { outcome } = await run(runner, task({ task: CNN }));
    assert.equal(outcome.state, 'complete', outcome.error?.message);
  });

  test('no GPU tensor outlives its trial: complete, paused, resumed and failed trials all end at the baseline', async (t) => {
    if (skip !== undefined) return t.skip(skip);
    const root = await mkdtemp(join(tmpdir(), 'tune-gpu-'));
    try {
      const straight = await run(runner, task({ budget: 3 }));
      const paused = await run(runner, task({ budget: 3, checkpointDir: join(root, 'trial-1') }), 2);
      assert.equal(paused.outcome.state, 'paused');
      const resumed = await run(runner, task({ budget: 3, resumeFrom: paused.outcome.checkpoint! }));
      assert.deepEqual(resumed.seen, straight.seen.slice(2), 'a resumed trial continues exactly as the straight one');
      const nan = await run(runner, task({ params: { ...GPU_PARAMS, learningRate: 1e9 } }));
      assert.equal(nan.outcome.state, 'failed');
      assert.equal(nan.outcome.error?.kind, 'nan');
      const baselines = [straight, paused, resumed, nan].map((r) => r.outcome.diagnostics!.tensorsBefore);
      assert.equal(new Set(baselines).size, 1, `the same baseline before every trial: ${baselines.join(', ')}`);
    } finally {
      await removeCheckpoint(root);
    }
  });
});

test('webgpu results equal the cpu backend within float tolerance', async (t) => {
  if (skip !== undefined) return t.skip(skip);
  const outcomes: ExecutionOutcome[] = [];
  for (const backend of ['webgpu', 'cpu'] as const) {
    const runner = await createTrialRunner({ workers: 1, backend });
    try {
      assert.equal(runner.info.backend, backend);
      outcomes.push((await run(runner, task())).outcome);
    } finally {
      await runner.close();
    }
  }
  const [gpu, cpu] = outcomes;
  for (const k of ['loss', 'val_loss', 'accuracy', 'val_accuracy']) {
    const [g, c] = [gpu!.metrics![k]!, cpu!.metrics![k]!];
    assert.ok(Math.abs(g - c) < 1e-4, `${k}: webgpu ${g} vs cpu ${c}`);
  }
});

test("'auto' passes over a software adapter: with only llvmpipe here, it picks wasm", async (t) => {
  if (skip !== undefined) return t.skip(skip);
  const probe = await createTrialRunner({ workers: 1, backend: 'webgpu' });
  const software = probe.info.softwareAdapter === true;
  await probe.close();
  if (!software) return t.skip('this machine has a hardware adapter, so auto rightly picks webgpu');
  const runner = await createTrialRunner({ workers: 1, backend: 'auto' });
  try {
    assert.equal(runner.info.backend, 'wasm', runner.info.warnings.join('; '));
    assert.equal(runner.info.adapter, undefined);
  } finally {
    await runner.close();
  }
});

test('no adapter at all (simulated): --backend webgpu falls back to wasm, says why, and trains', async (t) => {
  if (skip !== undefined) return t.skip(skip);
  const workerEntry = new URL('../fixtures/gpu/no-adapter-worker.ts', import.meta.url);
  const runner = await createTrialRunner({ workers: 1, backend: 'webgpu', workerEntry });
  try {
    assert.equal(runner.info.backend, 'wasm');
    assert.match(runner.info.warnings.join('\n'), /webgpu: Dawn found no GPU adapter .*falling back/);
    const { outcome } = await run(runner, task({ budget: 1 }));
    assert.equal(outcome.state, 'complete', outcome.error?.message);
    assert.equal(outcome.diagnostics?.tfBackend, 'wasm');
  } finally {
    await runner.close();
  }
});

test('a worker left without work still ends cleanly when the runner closes (no crash on thread exit)', async (t) => {
  if (skip !== undefined) return t.skip(skip);
  // Four threads that each opened and closed libEGL: unpinned, their exits crashed the process about half the time.
  const runner = await createTrialRunner({ workers: 4, backend: 'webgpu' });
  const outcome = await runner.run(task({ budget: 1 }), keepGoing);
  assert.equal(outcome.state, 'complete', outcome.error?.message);
  await runner.close();
});
