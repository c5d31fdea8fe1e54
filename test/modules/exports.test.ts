/** Each kind of export a task module may have: loadData, buildModel, objective. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { Decision, Metrics } from '../../src/core/types.js';
import { createTrialRunner } from '../../src/execution/index.js';
import { trainingData } from '../../src/execution/training/task-data.js';
import { loadTaskModule } from '../../src/execution/task-module/task-module.js';
import { train } from '../../src/execution/training/trainer.js';
import type { TrialRunner } from '../../src/execution/types.js';
import { tempDir } from '../helpers/cli.js';
import { moduleFixture, moduleTask } from './helpers.js';

const keepGoing = async (): Promise<Decision> => 'continue';

describe('task modules in worker threads', () => {
  let runner: TrialRunner;
  const log = join(tempDir(), 'loadData.log');
  before(async () => {
    process.env['TUNE_TEST_LOADDATA_LOG'] = log; // worker threads copy the environment when they start
    runner = await createTrialRunner({ workers: 2, backend: 'wasm' });
  });
  after(async () => {
    await runner.close();
    delete process.env['TUNE_TEST_LOADDATA_LOG'];
  });

  test('loadData() runs once per worker thread, and the built-in model trains on its data', async () => {
    const task = () => moduleTask(moduleFixture('blobs-data.mjs'), { params: { learningRate: 0.05, batchSize: 16 }, budget: 3, metric: 'val_accuracy' });
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => runner.run(task(), keepGoing)));
    for (const o of outcomes) {
      assert.equal(o.state, 'complete', o.error?.message);
      assert.ok(o.value! > 0.8, `val_accuracy ${o.value} on well-separated blobs`);
      assert.equal(o.diagnostics?.tensorsAfter, o.diagnostics?.tensorsBefore, 'the cached data holds no tensors');
    }
    const threads = readFileSync(log, 'utf8').trim().split('\n');
    const used = new Set(outcomes.map((o) => String(o.diagnostics?.threadId)));
    assert.deepEqual([...threads].sort(), [...used].sort(), 'one call per worker that ran a trial');
  });

  test("objective(): every report reaches the strategy with its metrics, and a 'stop' prunes the trial", async () => {
    const seen: [number, Metrics][] = [];
    const outcome = await runner.run(moduleTask(moduleFixture('stepped-objective.mjs'), { params: { x: 0.5 }, budget: 5 }), async (epoch, metrics) => {
      seen.push([epoch, metrics]);
      return epoch === 2 ? 'stop' : 'continue';
    });
    assert.deepEqual(seen, [[1, { double: 1, score: 0.5 }], [2, { double: 2, score: 1 }]]);
    assert.equal(outcome.state, 'pruned');
    assert.equal(outcome.epochs, 2);
    assert.equal(outcome.value, 1);
  });

  test('objective(): one that reports nothing has its value stored at the full budget', async () => {
    const seen: [number, Metrics][] = [];
    const outcome = await runner.run(moduleTask(moduleFixture('throws.mjs'), { params: { x: 0.25 }, budget: 4 }), async (epoch, metrics) => {
      seen.push([epoch, metrics]);
      return 'continue';
    });
    assert.deepEqual(seen, [[4, { score: 0.25 }]]);
    assert.deepEqual({ state: outcome.state, value: outcome.value, epochs: outcome.epochs }, { state: 'complete', value: 0.25, epochs: 4 });
  });

  test("objective(): a 'pause' writes the step reached; the resumed run starts after it with the saved state", async () => {
    const dir = tempDir();
    const pauseAt2 = async (epoch: number): Promise<Decision> => (epoch === 2 ? 'pause' : 'continue');
    const first = await runner.run(moduleTask(moduleFixture('counter.mjs'), { params: { q: 1 }, budget: 5, checkpointDir: dir }), pauseAt2);
    assert.equal(first.state, 'paused');
    assert.equal(first.epochs, 2);
    assert.ok(first.checkpoint?.startsWith(dir), `checkpoint ${first.checkpoint} is under the trial's folder`);
    const seen: Metrics[] = [];
    const resumed = await runner.run(moduleTask(moduleFixture('counter.mjs'), { params: { q: 1 }, budget: 5, checkpointDir: dir, resumeFrom: first.checkpoint! }), async (_e, m) => {
      seen.push(m);
      return 'continue';
    });
    assert.equal(resumed.state, 'complete', resumed.error?.message);
    assert.deepEqual(seen.map((m) => [m['count'], m['runs'], m['startStep']]), [[3, 2, 2], [4, 2, 2], [5, 2, 2]]);
  });
});

describe('buildModel() in process', () => {
  before(async () => {
    await tf.setBackend('wasm');
  });

  test('tune compiles it with the tuned optimizer and learning rate, adds l2 to its kernels, and disposes everything', async () => {
    const module = await loadTaskModule(moduleFixture('mlp.mjs'));
    const fixture = (await import(module.path)) as { built: { model: tf.LayersModel }[] };
    const task = moduleTask(module.path, { params: { optimizer: 'sgd', learningRate: 0.1, l2: 0.01, batchSize: 16 }, metric: 'val_accuracy', task: { data: { csv: moduleFixture('../execution/blobs.csv'), label: 'species' } } });
    const result = await train(task, await trainingData(task, module), keepGoing, module);
    assert.equal(result.outcome.state, 'complete', result.outcome.error?.message);
    assert.deepEqual(Object.keys(result.outcome.metrics ?? {}).sort(), ['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    const { model } = fixture.built.at(-1)!;
    assert.equal(model.optimizer.getClassName(), 'SGD');
    assert.equal((model.optimizer as unknown as { learningRate: number }).learningRate, 0.1);
    assert.equal(model.layers.flatMap((l) => l.losses).length, 2, 'one l2 penalty per dense kernel');
    assert.equal(result.tensorsAfter, result.tensorsBefore);
  });

  test('a model the module compiled keeps its own optimizer, and gets no l2', async () => {
    const module = await loadTaskModule(moduleFixture('self-compiled.mjs'));
    const fixture = (await import(module.path)) as { built: tf.LayersModel[] };
    const task = moduleTask(module.path, { params: { optimizer: 'adam', l2: 0.5 }, metric: 'val_accuracy', task: { data: { csv: moduleFixture('../execution/blobs.csv'), label: 'species' } } });
    const result = await train(task, await trainingData(task, module), keepGoing, module);
    assert.equal(result.outcome.state, 'complete', result.outcome.error?.message);
    const model = fixture.built.at(-1)!;
    assert.equal(model.optimizer.getClassName(), 'SGD');
    assert.equal(model.layers.flatMap((l) => l.losses).length, 0);
    assert.equal(result.tensorsAfter, result.tensorsBefore);
  });
});
