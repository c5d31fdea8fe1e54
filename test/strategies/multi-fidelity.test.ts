import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Direction, TrialRecord } from '../../src/core/types.js';
import { studySpec } from '../../src/engine/run-sweep.js';
import { runTrials } from '../../src/engine/sweep.js';
import type { SearchSpace, StrategySpec } from '../../src/space/types.js';
import { openStorage } from '../../src/storage/index.js';
import { createStrategy, defaultTrialCount, hyperbandBrackets } from '../../src/strategies/index.js';
import { MemoryCheckpointStore } from '../../src/execution/index.js';
import { curve, FakeRunner } from '../helpers/fake-runner.js';
import { record, space } from '../helpers/records.js';

const CKPT = new MemoryCheckpointStore();

function fidelitySpace(strategy: StrategySpec, direction: Direction = 'maximize', seed = 7): SearchSpace {
  return space({
    strategy,
    seed,
    objective: { metric: 'val_accuracy', direction },
    params: { learningRate: { type: 'float', min: 1e-4, max: 1, log: true } },
  });
}

async function sweep(s: SearchSpace, workers: number, runner = new FakeRunner()) {
  const storage = openStorage(':memory:');
  const study = await storage.openStudy(studySpec(s));
  const maxTrials = defaultTrialCount(s);
  await runTrials({ space: s, study, storage, runner, strategy: createStrategy(s), workers, maxTrials, checkpoints: CKPT });
  const trials = await storage.trials(study.id);
  return { storage, study, trials, runner };
}

const atLeastRung = (trials: readonly TrialRecord[], k: number) => trials.filter((t) => (t.rung ?? 0) >= k);

/** The configs that should survive rung k: top ⌊n/η⌋ by signed value at the rung's budget, ties to the earlier trial. */
function expectedWinners(members: readonly TrialRecord[], budget: number, eta: number, sign: number): number[] {
  return [...members]
    .sort((a, b) => sign * curve(b.params, budget) - sign * curve(a.params, budget) || a.number - b.number)
    .slice(0, Math.floor(members.length / eta))
    .map((t) => t.number)
    .sort((a, b) => a - b);
}

test('hyperband: the brackets of Algorithm 1 for R=81, η=3 and other (R, η)', () => {
  const table = (eta: number, minEpochs: number, maxEpochs: number) =>
    hyperbandBrackets({ eta, minEpochs, maxEpochs }).map((b) => [b.n, b.budgets[0]]);
  assert.deepEqual(table(3, 1, 81), [[81, 1], [34, 3], [15, 9], [8, 27], [5, 81]]);
  assert.deepEqual(table(3, 1, 27), [[27, 1], [12, 3], [6, 9], [4, 27]]);
  assert.deepEqual(table(2, 1, 8), [[8, 1], [6, 2], [4, 4], [4, 8]]);
  assert.deepEqual(table(3, 2, 18), [[9, 2], [5, 6], [3, 18]]);
  assert.deepEqual(hyperbandBrackets({ eta: 3, minEpochs: 1, maxEpochs: 81 })[1]!.budgets, [3, 9, 27, 81]);
});

for (const direction of ['maximize', 'minimize'] as const) {
  test(`successive halving (${direction}): rung sizes, top-k promotions, and epochs as prescribed`, async () => {
    const s = fidelitySpace({ type: 'successive-halving', eta: 3, minEpochs: 1, maxEpochs: 27, trials: 27 }, direction);
    const { trials, runner, storage } = await sweep(s, 4);
    const budgets = [1, 3, 9, 27];
    assert.deepEqual([0, 1, 2, 3].map((k) => atLeastRung(trials, k).length), [27, 9, 3, 1]);
    const sign = direction === 'maximize' ? 1 : -1;
    for (let k = 0; k < 3; k++) {
      const promoted = atLeastRung(trials, k + 1).map((t) => t.number).sort((a, b) => a - b);
      assert.deepEqual(promoted, expectedWinners(atLeastRung(trials, k), budgets[k]!, 3, sign), `rung ${k}`);
    }
    for (const t of trials) {
      assert.equal(t.epochs, budgets[t.rung!], `trial ${t.number} trained exactly its rung's budget`);
      assert.equal(t.state, t.rung === 3 ? 'complete' : 'pruned');
      assert.equal(t.checkpoint, null);
    }
    // 27·1 + 9·2 + 3·6 + 1·18: promoted trials continue, they are never retrained.
    assert.equal(runner.epochsTrained, 81);
    const top = trials.find((t) => t.rung === 3)!;
    assert.deepEqual((await storage.reports(top.id)).map((r) => r.epoch), Array.from({ length: 27 }, (_, i) => i + 1));
    await storage.close();
  });
}

test('successive halving: ties are broken by trial number, and the same seed gives the same promotions', async () => {
  const tied = space({
    strategy: { type: 'successive-halving', eta: 3, minEpochs: 1, maxEpochs: 9, trials: 9 },
    params: { learningRate: { type: 'categorical', values: [0.001, 0.01, 0.1] } },
  });
  const a = await sweep(tied, 3);
  for (let k = 0; k < 2; k++) {
    const promoted = atLeastRung(a.trials, k + 1).map((t) => t.number).sort((x, y) => x - y);
    assert.deepEqual(promoted, expectedWinners(atLeastRung(a.trials, k), [1, 3][k]!, 3, 1));
  }
  const b = await sweep(tied, 2);
  const shape = (ts: readonly TrialRecord[]) => ts.map((t) => [t.number, t.rung, t.state, t.params.learningRate]);
  assert.deepEqual(shape(a.trials), shape(b.trials));
  const c = await sweep({ ...tied, seed: 99 }, 3);
  assert.notDeepEqual(shape(a.trials), shape(c.trials));
});

test('hyperband: every bracket runs its rungs, and the epochs add up to what they prescribe', async () => {
  const s = fidelitySpace({ type: 'hyperband', eta: 3, minEpochs: 1, maxEpochs: 9, iterations: 1 });
  const { trials, runner } = await sweep(s, 3);
  // Brackets (n, budgets): (9, [1,3,9]) (5, [3,9]) (3, [9]).
  assert.equal(trials.length, 17);
  const inBracket = (b: number) => trials.filter((t) => t.bracket === b);
  assert.deepEqual([0, 1, 2].map((b) => inBracket(b).length), [9, 5, 3]);
  assert.deepEqual([0, 1, 2].map((k) => atLeastRung(inBracket(0), k).length), [9, 3, 1]);
  assert.deepEqual([0, 1].map((k) => atLeastRung(inBracket(1), k).length), [5, 1]);
  assert.equal(inBracket(2).filter((t) => t.state === 'complete').length, 3);
  // (9 + 3·2 + 6) + (5·3 + 6) + 3·9
  assert.equal(runner.epochsTrained, 69);
  assert.equal(trials.filter((t) => t.state === 'paused').length, 0);
});

test('asha: no worker idles while a new config could start, nothing is retrained, nothing stays paused', async () => {
  const s = fidelitySpace({ type: 'asha', eta: 3, minEpochs: 1, maxEpochs: 9, trials: 30 });
  const runner = new FakeRunner();
  const storage = openStorage(':memory:');
  const study = await storage.openStudy(studySpec(s));
  let created = 0;
  const idle: number[] = [];
  runner.onTick = (running) => {
    if (created < 30 && running < 4) idle.push(running);
  };
  const strategy = createStrategy(s);
  const counting = { ...strategy, name: strategy.name, onReport: strategy.onReport.bind(strategy), tell: strategy.tell.bind(strategy),
    ask: (ctx: Parameters<typeof strategy.ask>[0]) => {
      const r = strategy.ask(ctx);
      created = ctx.trials.length + (r.kind === 'trial' && r.resumeOf === undefined ? 1 : 0);
      return r;
    } };
  await runTrials({ space: s, study, storage, runner, strategy: counting, workers: 4, maxTrials: 30, checkpoints: CKPT });
  assert.deepEqual(idle, [], 'a worker was idle while configs were left to start');
  const trials = await storage.trials(study.id);
  assert.equal(trials.length, 30);
  assert.equal(runner.epochsTrained, trials.reduce((sum, t) => sum + t.epochs, 0));
  for (const t of trials) assert.ok(t.state === 'complete' || t.state === 'pruned', `trial ${t.number} is ${t.state}`);
  const counts = [0, 1, 2].map((k) => atLeastRung(trials, k).length);
  assert.equal(counts[0], 30);
  // Promotions track the rung's top 1/η as it grows, so the totals only shrink from rung to rung.
  assert.ok(counts[0]! > counts[1]! && counts[1]! > counts[2]! && counts[2]! >= 1, String(counts));
  for (const t of trials) assert.equal(t.epochs, [1, 3, 9][t.rung!]);
  await storage.close();
});

test('a finished multi-fidelity study reruns as a no-op: its rungs are rebuilt from storage', async () => {
  const s = fidelitySpace({ type: 'successive-halving', eta: 3, minEpochs: 1, maxEpochs: 9, trials: 9 });
  const { storage, study } = await sweep(s, 2);
  const runner = new FakeRunner();
  const again = await runTrials({ space: s, study, storage, runner, strategy: createStrategy(s), workers: 2, maxTrials: 9, checkpoints: CKPT });
  assert.equal(again.ran, 0);
  assert.equal(runner.epochsTrained, 0);
  await storage.close();
});

test('asha get_job: promote the best paused trial in the top ⌊n/η⌋ of its rung, else start a new config', () => {
  const s = fidelitySpace({ type: 'asha', eta: 3, minEpochs: 1, maxEpochs: 9, trials: 100 });
  const strategy = createStrategy(s);
  const values = [0.5, 0.9, 0.2, 0.7, 0.8, 0.1];
  const make = (promoted: number[]) =>
    values.map((v, i) => ({
      ...record(i, { learningRate: 0.01 }, promoted.includes(i) ? 'running' : 'paused'),
      rung: promoted.includes(i) ? 1 : 0,
      budget: promoted.includes(i) ? 3 : 1,
      epochs: 1,
    }));
  const ctx = (trials: TrialRecord[], sign: 1 | -1 = 1) => ({ trials, sign, maxTrials: 100, valueAt: (id: number, e: number) => (e === 1 ? values[id - 1] : undefined) });
  // Rung 0 has 6 trials: its top 2 are #1 (0.9) and #4 (0.8).
  assert.deepEqual(pick(strategy.ask(ctx(make([])))), { resumeOf: 2, rung: 1, budget: 3 });
  assert.deepEqual(pick(strategy.ask(ctx(make([1])))), { resumeOf: 5, rung: 1, budget: 3 });
  const fresh = strategy.ask(ctx(make([1, 4])));
  assert.equal(fresh.kind, 'trial');
  assert.equal(fresh.kind === 'trial' ? fresh.resumeOf : -1, undefined, 'top 2 already promoted: a new config starts');
  // Minimising, the top 2 are #5 (0.1) and #2 (0.2).
  assert.deepEqual(pick(strategy.ask(ctx(make([]), -1))), { resumeOf: 6, rung: 1, budget: 3 });
});

function pick(s: ReturnType<ReturnType<typeof createStrategy>['ask']>) {
  return s.kind === 'trial' ? { resumeOf: s.resumeOf, rung: s.rung, budget: s.budget } : s;
}
