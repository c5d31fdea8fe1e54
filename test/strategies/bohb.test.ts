import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrialRecord } from '../../src/core/types.js';
import { studySpec } from '../../src/engine/run-sweep.js';
import { runTrials } from '../../src/engine/sweep.js';
import type { BohbSpec, FidelitySpec, SearchSpace, StrategySpec } from '../../src/space/types.js';
import { openStorage } from '../../src/storage/index.js';
import { BohbStrategy, createStrategy, defaultTrialCount, HyperbandStrategy } from '../../src/strategies/index.js';
import { randomConfig } from '../../src/strategies/sampling.js';
import { FidelityTpeSampler } from '../../src/strategies/tpe/fidelity-sampler.js';
import { MemoryCheckpointStore } from '../../src/execution/index.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { record, space } from '../helpers/records.js';

const CKPT = new MemoryCheckpointStore();
const bohb = (f: FidelitySpec, extra: Partial<BohbSpec> = {}): BohbSpec => ({
  type: 'bohb', ...f, iterations: 1, randomFraction: 1 / 3, candidates: 24, gamma: 0.15, multivariate: true, ...extra,
});

function fidelitySpace(strategy: StrategySpec, seed = 7): SearchSpace {
  return space({ strategy, seed, params: { learningRate: { type: 'float', min: 1e-4, max: 1, log: true } } });
}

async function sweep(s: SearchSpace, workers: number) {
  const storage = openStorage(':memory:');
  const study = await storage.openStudy(studySpec(s));
  const runner = new FakeRunner();
  await runTrials({ space: s, study, storage, runner, strategy: createStrategy(s), workers, maxTrials: defaultTrialCount(s), checkpoints: CKPT });
  const trials = await storage.trials(study.id);
  await storage.close();
  return { trials, runner };
}

/** Per bracket: how many trials reached each rung. */
function shape(trials: readonly TrialRecord[]): number[][] {
  const brackets = [...new Set(trials.map((t) => t.bracket ?? -1))].sort((a, b) => a - b);
  return brackets.map((b) => {
    const mine = trials.filter((t) => t.bracket === b);
    const top = Math.max(...mine.map((t) => t.rung ?? 0));
    return Array.from({ length: top + 1 }, (_, k) => mine.filter((t) => (t.rung ?? 0) >= k).length);
  });
}

describe('bohb', () => {
  it("has exactly Hyperband's brackets: sizes, rung budgets, iterations and trial count", () => {
    const specs: FidelitySpec[] = [
      { eta: 3, minEpochs: 1, maxEpochs: 27 },
      { eta: 3, minEpochs: 1, maxEpochs: 81 },
      { eta: 2, minEpochs: 1, maxEpochs: 8 },
      { eta: 3, minEpochs: 2, maxEpochs: 18 },
      { eta: 4, minEpochs: 1, maxEpochs: 10 },
    ];
    for (const f of specs) {
      for (const iterations of [1, 2]) {
        const s = fidelitySpace(bohb(f, { iterations }));
        const plan = (x: HyperbandStrategy) => x.brackets.map((b) => ({ id: b.id, size: b.size, budgets: b.budgets, eta: b.eta }));
        assert.deepEqual(plan(new BohbStrategy(s, bohb(f, { iterations }))), plan(new HyperbandStrategy(s, f, iterations)), JSON.stringify(f));
        const hb: StrategySpec = { type: 'hyperband', ...f, iterations };
        assert.equal(defaultTrialCount(s), defaultTrialCount(fidelitySpace(hb)));
      }
    }
    assert.equal(createStrategy(fidelitySpace(bohb(specs[0]!))).name, 'bohb');
  });

  it('runs the same rungs and epochs as Hyperband in a sweep, with model-drawn configs', async () => {
    const f = { eta: 3, minEpochs: 1, maxEpochs: 9 };
    const hb = await sweep(fidelitySpace({ type: 'hyperband', ...f, iterations: 2 }), 3);
    const bo = await sweep(fidelitySpace(bohb(f, { iterations: 2 })), 3);
    assert.deepEqual(shape(bo.trials), shape(hb.trials));
    assert.deepEqual(shape(bo.trials), [[9, 3, 1], [5, 1], [3], [9, 3, 1], [5, 1], [3]]);
    assert.equal(bo.runner.epochsTrained, hb.runner.epochsTrained);
    const s = fidelitySpace(bohb(f));
    const fromModel = bo.trials.filter((t) => JSON.stringify(t.params) !== JSON.stringify(randomConfig(s, t.number)));
    assert.ok(fromModel.length >= 10, `${fromModel.length} of ${bo.trials.length} configs came from the model`);
  });

  it('fits its model on the largest budget with at least d + 2 values', () => {
    const s = fidelitySpace(bohb({ eta: 3, minEpochs: 1, maxEpochs: 9 }));
    const sampler = new FidelityTpeSampler(s, [1, 3, 9], { randomFraction: 0, candidates: 24, gamma: 0.15, multivariate: true });
    // d = 1: 3 values needed. Five trials reached epoch 1, three of them epoch 3, two epoch 9.
    const reached = [9, 9, 3, 1, 1];
    const trials = reached.map((epochs, i) => ({ ...record(i, { learningRate: 10 ** -(i + 1) }, 'paused'), epochs, budget: epochs }));
    const ctx = (ts: TrialRecord[]) => ({ trials: ts, sign: 1 as const, maxTrials: 100, valueAt: (id: number, e: number) => (e <= ts[id - 1]!.epochs ? 0.1 * id + 0.01 * e : undefined) });
    sampler.next(ctx(trials), trials.length);
    assert.equal(sampler.modelBudget(), 3);
    const more = [...trials, { ...record(5, { learningRate: 0.5 }, 'complete'), epochs: 9, budget: 9 }];
    sampler.next(ctx(more), more.length);
    assert.equal(sampler.modelBudget(), 9);
    const fresh = new FidelityTpeSampler(s, [1, 3, 9], { randomFraction: 0, candidates: 24, gamma: 0.15, multivariate: true });
    fresh.next(ctx(trials.slice(0, 2)), 2);
    assert.equal(fresh.modelBudget(), undefined, 'two values anywhere: still random');
  });

  it('randomFraction 1 is Hyperband exactly; 0 draws every config from the model once a rung has enough values', async () => {
    const f = { eta: 3, minEpochs: 1, maxEpochs: 9 };
    const hb = await sweep(fidelitySpace({ type: 'hyperband', ...f, iterations: 1 }), 2);
    const allRandom = await sweep(fidelitySpace(bohb(f, { randomFraction: 1 })), 2);
    const params = (ts: readonly TrialRecord[]) => ts.map((t) => t.params);
    assert.deepEqual(params(allRandom.trials), params(hb.trials));
    const s = fidelitySpace(bohb(f, { randomFraction: 0 }));
    const model = await sweep(s, 2);
    const random = model.trials.filter((t) => JSON.stringify(t.params) === JSON.stringify(randomConfig(s, t.number)));
    // Only the configs started before any rung had 3 values are random.
    assert.ok(random.length <= 5, `${random.length} random configs`);
  });
});

describe('asha with sampler: tpe', () => {
  it('starts configs from the model, and keeps random ASHA by default', async () => {
    const base = { type: 'asha' as const, eta: 3, minEpochs: 1, maxEpochs: 9, trials: 30 };
    const s = fidelitySpace({ ...base, sampler: 'tpe' });
    const { trials } = await sweep(s, 3);
    assert.equal(trials.length, 30);
    for (const t of trials) assert.ok(t.state === 'complete' || t.state === 'pruned');
    const fromModel = trials.filter((t) => JSON.stringify(t.params) !== JSON.stringify(randomConfig(s, t.number)));
    assert.ok(fromModel.length >= 10, `${fromModel.length} configs from the model`);
    const plain = await sweep(fidelitySpace(base), 3);
    plain.trials.forEach((t) => assert.deepEqual(t.params, randomConfig(s, t.number)));
  });
});
