import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runTrials } from '../../src/engine/sweep.js';
import { studySpec } from '../../src/engine/run-sweep.js';
import type { SweepEvent } from '../../src/engine/events.js';
import { KeptModels, MemoryCheckpointStore } from '../../src/execution/index.js';
import { StopController } from '../../src/engine/stop.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { openStorage } from '../../src/storage/index.js';
import { createStrategy } from '../../src/strategies/index.js';
import { space } from '../helpers/records.js';

const CKPT = new MemoryCheckpointStore();

test('the tuner stores every trial, every epoch and the outcome, with failures recorded and the sweep finished', async () => {
  const s = space({ strategy: { type: 'random', trials: 12 } });
  const storage = openStorage(':memory:');
  const study = await storage.openStudy(studySpec(s));
  const runner = new FakeRunner((task, epoch) => (task.params.learningRate as number) > 0.03 && epoch === 2);
  const events: SweepEvent[] = [];
  const result = await runTrials({
    space: s, study, storage, runner, strategy: createStrategy(s), workers: 3, maxTrials: 12, checkpoints: CKPT, onEvent: (e) => events.push(e),
  });
  const trials = await storage.trials(study.id);
  assert.equal(trials.length, 12);
  assert.equal(result.ran, 12);
  assert.ok(runner.maxRunning <= 3 && runner.maxRunning >= 2, `max concurrency ${runner.maxRunning}`);
  const failed = trials.filter((t) => t.state === 'failed');
  const complete = trials.filter((t) => t.state === 'complete');
  assert.equal(failed.length + complete.length, 12);
  assert.ok(failed.length > 0 && complete.length > 0, 'the seeded space should give both outcomes');
  for (const t of failed) {
    assert.match(t.error?.message ?? '', /failed at epoch 2/);
    assert.equal((await storage.reports(t.id)).length, 1);
  }
  for (const t of complete) {
    const reports = await storage.reports(t.id);
    assert.deepEqual(reports.map((r) => r.epoch), [1, 2, 3]);
    assert.equal(t.value, reports[2]!.metrics.val_accuracy);
    assert.equal(t.epochs, 3);
  }
  const best = Math.max(...complete.map((t) => t.value!));
  assert.equal(result.best?.value, best);
  assert.equal(events.filter((e) => e.type === 'trial-end').length, 12);
  assert.equal(events.filter((e) => e.type === 'epoch').length, complete.length * 3 + failed.length);
  await storage.close();
});

test('a rerun continues the study: stored trials count, and waiting ones are dispatched first', async () => {
  const s = space({ strategy: { type: 'random', trials: 4 } });
  const storage = openStorage(':memory:');
  const study = await storage.openStudy(studySpec(s));
  const runner = new FakeRunner((task, epoch) => (task.params.learningRate as number) > 0.03 && epoch === 2);
  const first = await runTrials({ space: s, study, storage, runner, strategy: createStrategy(s), workers: 2, maxTrials: 4, checkpoints: CKPT });
  assert.equal(first.ran, 4);
  // A trial created but never dispatched, as after a crash between the two.
  const orphan = await storage.createTrial(study.id, { params: { learningRate: 0.01, batchSize: 32 }, budget: 3, seed: 1 });
  const again = await runTrials({ space: s, study, storage, runner, strategy: createStrategy(s), workers: 2, maxTrials: 6, checkpoints: CKPT });
  assert.equal(again.ran, 2, 'the orphan plus one new trial reach the total of 6');
  const trials = await storage.trials(study.id);
  assert.equal(trials.length, 6);
  assert.equal(trials.find((t) => t.id === orphan.id)?.state, 'complete');
  const nothing = await runTrials({ space: s, study, storage, runner, strategy: createStrategy(s), workers: 2, maxTrials: 6, checkpoints: CKPT });
  assert.equal(nothing.ran, 0);
  await storage.close();
});

test('a stop decision from the strategy prunes the trial at that epoch', async () => {
  const s = space({ strategy: { type: 'random', trials: 2 } });
  const storage = openStorage(':memory:');
  const study = await storage.openStudy(studySpec(s));
  const base = createStrategy(s);
  const stopper = { ...base, name: base.name, ask: base.ask.bind(base), tell: base.tell.bind(base), onReport: () => 'stop' as const };
  await runTrials({ space: s, study, storage, runner: new FakeRunner(), strategy: stopper, workers: 1, maxTrials: 2, checkpoints: CKPT });
  for (const t of await storage.trials(study.id)) {
    if (t.state === 'failed') continue;
    assert.equal(t.state, 'pruned');
    assert.equal(t.epochs, 1);
  }
  await storage.close();
});

/** A models folder that only counts its reads: what the sweep's evictions cost. */
class CountingModels extends KeptModels {
  reads = 0;
  override async folders(): Promise<number[]> {
    this.reads++;
    return [];
  }
}

test('--keep-models: a complete trial that kept no model (an objective() module) reads no models folder; one that kept one, or may have at a pause, does', async () => {
  const s = space({ strategy: { type: 'random', trials: 4 } });
  const keptInfo = { epoch: 3, value: 0.5, metric: 'val_accuracy', reduce: 'last' as const };
  for (const keeps of [false, true]) {
    const storage = openStorage(':memory:');
    const study = await storage.openStudy(studySpec(s));
    const store = new CountingModels('/nonexistent-models');
    const fake = new FakeRunner();
    const runner = { info: fake.info, close: () => fake.close(), run: async (...args: Parameters<FakeRunner['run']>) => {
      const outcome = await fake.run(...args);
      return keeps && outcome.state === 'complete' ? { ...outcome, model: { kept: true as const, info: keptInfo } } : outcome;
    } };
    await runTrials({ space: s, study, storage, runner, strategy: createStrategy(s), workers: 2, maxTrials: 4, checkpoints: CKPT, keepModels: { store, count: 1 } });
    assert.equal((await storage.trials(study.id)).filter((t) => t.state === 'complete').length, 4);
    assert.equal(store.reads, keeps ? 4 : 0, keeps ? 'one eviction per complete trial with a model' : 'nothing to evict');
    await storage.close();
  }
  // Paused by a stop, then resumed: a pause may have written the model (reduce best), so its completion evicts.
  const storage = openStorage(':memory:');
  const study = await storage.openStudy(studySpec(s));
  const store = new CountingModels('/nonexistent-models');
  const stop = new StopController();
  const runner = new FakeRunner();
  runner.onTick = () => stop.stop('SIGINT');
  await runTrials({ space: s, study, storage, runner, strategy: createStrategy(s), workers: 2, maxTrials: 4, checkpoints: CKPT, keepModels: { store, count: 1 }, stop });
  const paused = (await storage.trials(study.id)).filter((t) => t.state === 'paused').length;
  assert.ok(paused > 0, 'the stop paused trials');
  assert.equal(store.reads, 0);
  await runTrials({ space: s, study, storage, runner: new FakeRunner(), strategy: createStrategy(s), workers: 2, maxTrials: 4, checkpoints: CKPT, keepModels: { store, count: 1 } });
  const trials = await storage.trials(study.id);
  assert.equal(trials.filter((t) => t.state === 'complete').length, 4);
  assert.equal(store.reads, paused, 'one eviction per resumed trial');
  await storage.close();
});

test("a trial's last epoch is stored with its finish, not on its own; every epoch is stored, and a pause stores its epoch first", async () => {
  for (const strategy of [{ type: 'random', trials: 4 }, { type: 'asha', trials: 4, eta: 3, minEpochs: 1, maxEpochs: 3 }] as const) {
    const s = space({ strategy });
    const inner = openStorage(':memory:');
    const reports: number[] = [];
    const finishes: { epochs: number; metrics: boolean }[] = [];
    const storage = new Proxy(inner, {
      get(target, prop, receiver) {
        const v: unknown = Reflect.get(target, prop, receiver);
        if (prop === 'report') return (id: number, epoch: number, ...rest: unknown[]) => (reports.push(epoch), (v as (...a: unknown[]) => unknown).call(target, id, epoch, ...rest));
        if (prop === 'finishTrial') {
          return (id: number, outcome: { epochs: number; metrics?: object }, ...rest: unknown[]) => {
            finishes.push({ epochs: outcome.epochs, metrics: outcome.metrics !== undefined });
            return (v as (...a: unknown[]) => unknown).call(target, id, outcome, ...rest);
          };
        }
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const study = await storage.openStudy(studySpec(s));
    await runTrials({ space: s, study, storage, runner: new FakeRunner(), strategy: createStrategy(s), workers: 2, maxTrials: 4, checkpoints: CKPT });
    const trials = await storage.trials(study.id);
    for (const t of trials) {
      assert.deepEqual((await storage.reports(t.id)).map((r) => r.epoch), Array.from({ length: t.epochs }, (_, i) => i + 1), `${strategy.type} #${t.number}`);
      if (t.state === 'complete') assert.equal(t.value, (await storage.reports(t.id)).at(-1)!.metrics.val_accuracy);
    }
    const ended = finishes.filter((f) => f.epochs > 0);
    if (strategy.type === 'random') {
      assert.ok(trials.every((t) => t.state === 'complete' && t.epochs === 3));
      assert.deepEqual(reports.sort(), [1, 1, 1, 1, 2, 2, 2, 2], 'epochs 1 and 2 alone; each epoch 3 with its finish');
      assert.ok(ended.every((f) => f.metrics), JSON.stringify(finishes));
    } else {
      // ASHA pauses at a rung's end: that epoch is stored before the pause, and the finish carries no report.
      assert.ok(finishes.some((f) => !f.metrics), JSON.stringify(finishes));
      assert.equal(reports.length + ended.filter((f) => f.metrics).length, trials.reduce((n, t) => n + t.epochs, 0));
    }
    await storage.close();
  }
});
