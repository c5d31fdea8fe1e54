import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Decision, Metrics, Params } from '../../src/core/types.js';
import { createTrialRunner } from '../../src/execution/index.js';
import type { TrialRunner } from '../../src/execution/types.js';
import { keepGoing, trialTask } from './helpers.js';

describe('a wasm trial runner with two workers', () => {
  let runner: TrialRunner;
  before(async () => {
    runner = await createTrialRunner({ workers: 2, backend: 'wasm' });
  });
  after(async () => {
    await runner.close();
  });

  test('the start-up probe reports the wasm backend', () => {
    assert.equal(runner.info.backend, 'wasm');
    assert.equal(runner.info.tfBackend, 'wasm');
    assert.equal(runner.info.requested, 'wasm');
    assert.equal(runner.info.workers, 2);
    assert.deepEqual(runner.info.warnings, []);
  });

  test('a trial on mnist reports every epoch and completes well above chance', async () => {
    const seen: [number, Metrics][] = [];
    const outcome = await runner.run(trialTask(), async (epoch, metrics) => {
      seen.push([epoch, metrics]);
      return 'continue';
    });
    assert.deepEqual(seen.map(([e]) => e), [1, 2]);
    for (const [, m] of seen) assert.deepEqual(Object.keys(m).sort(), ['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    assert.equal(outcome.state, 'complete');
    assert.equal(outcome.epochs, 2);
    assert.equal(outcome.value, seen[1]![1]['val_accuracy']);
    assert.ok(outcome.value! > 0.6, `val_accuracy ${outcome.value} after 2 epochs on 480 digits (chance is 0.1)`);
    assert.ok(seen[1]![1]['loss']! < seen[0]![1]['loss']!, 'training loss falls');
    assert.equal(outcome.diagnostics?.tfBackend, 'wasm');
    assert.deepEqual(outcome.diagnostics?.logs, [], 'workers print nothing');
  });

  test("a 'stop' decision after epoch 1 prunes the trial with 1 epoch; 'pause' pauses it", async () => {
    const stopAt1 = async (epoch: number): Promise<Decision> => (epoch === 1 ? 'stop' : 'continue');
    const pruned = await runner.run(trialTask({ budget: 3 }), stopAt1);
    assert.equal(pruned.state, 'pruned');
    assert.equal(pruned.epochs, 1);
    assert.equal(typeof pruned.value, 'number');
    const paused = await runner.run(trialTask({ budget: 3 }), async () => 'pause');
    assert.equal(paused.state, 'paused');
    assert.equal(paused.epochs, 1);
  });

  test('the same seed gives identical metrics, on either worker; another seed gives different ones', async () => {
    const record = async (seed: number): Promise<Metrics[]> => {
      const out: Metrics[] = [];
      await runner.run(trialTask({ seed, params: { learningRate: 0.003, batchSize: 32, dropout: 0.2 } }), async (_e, m) => {
        out.push(m);
        return 'continue';
      });
      return out;
    };
    const [a, b] = await Promise.all([record(5), record(5)]); // concurrently, so on the two workers
    assert.deepEqual(a, b);
    assert.notDeepEqual(await record(6), a);
  });

  test('every tensor a trial creates is disposed: the count is back at its baseline', async () => {
    const variants: Params[] = [{}, { dropout: 0.3, l2: 0.001, optimizer: 'rmsprop', momentum: 0.5 }, { optimizer: 'sgd', momentum: 0.9 }];
    for (const params of variants) {
      const outcome = await runner.run(trialTask({ params, budget: 1 }), keepGoing);
      assert.equal(outcome.state, 'complete');
      assert.ok(outcome.diagnostics !== undefined);
      assert.equal(outcome.diagnostics.tensorsAfter, outcome.diagnostics.tensorsBefore, JSON.stringify(params));
    }
  });

  test('a cnn trains on wasm (our Conv2DBackpropFilter kernel)', async () => {
    const task = trialTask({ budget: 1, task: { ...trialTask().task, model: { type: 'cnn', filters: [4], kernelSize: 3, hidden: [16] } } });
    const outcome = await runner.run(task, keepGoing);
    assert.equal(outcome.state, 'complete', outcome.error?.message);
    assert.ok(outcome.value! > 0.3, `val_accuracy ${outcome.value}`);
    assert.equal(outcome.diagnostics?.tensorsAfter, outcome.diagnostics?.tensorsBefore);
  });
});
