import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrialRecord, TrialState } from '../../src/core/types.js';
import { parseSpace } from '../../src/space/index.js';
import type { PrunerSpec, SearchSpace } from '../../src/space/types.js';
import { createPruner, createStrategy, PrunedStrategy, type Pruner } from '../../src/strategies/index.js';
import { percentileOf } from '../../src/strategies/pruners/index.js';
import { Encoding } from '../../src/strategies/tpe/encoding.js';
import { ObservationStore } from '../../src/strategies/tpe/observations.js';
import { split } from '../../src/strategies/tpe/split.js';
import type { Strategy, StrategyContext } from '../../src/strategies/types.js';
import { space } from '../helpers/records.js';

/** One hand-made trial: its state and its curve (values at epochs 1, 2, …; NaN where it skipped an epoch). */
interface Curve {
  readonly state: TrialState;
  readonly values: readonly number[];
  readonly budget?: number;
}

function record(number: number, c: Curve): TrialRecord {
  return {
    id: number + 1, studyId: 1, number, state: c.state, params: { x: number }, budget: c.budget ?? 9, rung: null, bracket: null, seed: number,
    value: c.values.at(-1) ?? null, epochs: c.values.length, error: c.state === 'failed' ? { kind: 'exception', message: 'boom' } : null,
    checkpoint: null, worker: null, attempts: 0, createdAt: '', startedAt: null, finishedAt: null, heartbeatAt: null,
  };
}

/** A study's context as the tuner's book gives it: every trial, and each curve through valueAt. */
function study(curves: readonly Curve[], direction: 'maximize' | 'minimize' = 'maximize'): { ctx: StrategyContext; trials: TrialRecord[] } {
  const trials = curves.map((c, i) => record(i, c));
  const ctx: StrategyContext = {
    trials,
    sign: direction === 'maximize' ? 1 : -1,
    maxTrials: 100,
    valueAt: (id, epoch) => curves[id - 1]?.values[epoch - 1],
  };
  return { ctx, trials };
}

const complete = (...values: number[]): Curve => ({ state: 'complete', values });
const running = (...values: number[]): Curve => ({ state: 'running', values });

const median = (extra: Partial<Extract<PrunerSpec, { type: 'median' }>> = {}): Pruner =>
  createPruner({ type: 'median', startup: 0, warmup: 0, interval: 1, minTrials: 1, ...extra });

/** The pruner's answer for the last trial of `curves` at its last epoch. */
function decide(pruner: Pruner, curves: readonly Curve[], direction: 'maximize' | 'minimize' = 'maximize'): boolean {
  const { ctx, trials } = study(curves, direction);
  const t = trials.at(-1)!;
  return pruner.shouldPrune(ctx, t, t.epochs);
}

/** The epochs at which the pruner stops the last trial, replaying its curve one epoch at a time. */
function prunedAt(pruner: Pruner, others: readonly Curve[], values: readonly number[], direction: 'maximize' | 'minimize' = 'maximize'): number | null {
  for (let e = 1; e <= values.length; e++) if (decide(pruner, [...others, running(...values.slice(0, e))], direction)) return e;
  return null;
}

describe('median pruner', () => {
  it('prunes a trial whose best value so far is below the median of the others at the same epoch', () => {
    const others = [complete(0.4, 0.7), complete(0.45, 0.8), complete(0.6, 0.9)];
    // Epoch 1: best 0.5 beats the median 0.45. Epoch 2: best 0.5 is below the median 0.8 of the others' epoch-2 values.
    assert.equal(decide(median(), [...others, running(0.5)]), false);
    assert.equal(decide(median(), [...others, running(0.5, 0.5)]), true);
    // Its best so far counts, not its latest value: 0.85 at epoch 1 stays above 0.8.
    assert.equal(decide(median(), [...others, running(0.85, 0.1)]), false);
    // Equal to the median is not worse.
    assert.equal(decide(median(), [...others, running(0.5, 0.8)]), false);
  });

  it('waits for `startup` complete trials', () => {
    const others = [complete(0.9), complete(0.8), running(0.95)];
    assert.equal(decide(median({ startup: 3 }), [...others, running(0.1)]), false, 'two complete trials, three needed');
    assert.equal(decide(median({ startup: 2 }), [...others, running(0.1)]), true);
  });

  it('compares with running trials too, so workers that started together are judged against each other', () => {
    // One complete trial at 0.5 alone: 0.45 is below it. Two running trials at 0.4 bring the median down to 0.4.
    assert.equal(decide(median(), [complete(0.5), running(0.45)]), true);
    assert.equal(decide(median(), [complete(0.5), running(0.4), running(0.4), running(0.45)]), false);
    // A running trial that has not reached the epoch yet does not count there.
    assert.equal(decide(median(), [complete(0.5, 0.6), running(0.1), running(0.45, 0.45)]), true);
  });

  it('leaves failed trials out of the comparison', () => {
    const failed: Curve = { state: 'failed', values: [0.01] };
    assert.equal(decide(median(), [complete(0.5), failed, failed, running(0.45)]), true);
  });

  it('needs `minTrials` values at the epoch', () => {
    assert.equal(decide(median({ minTrials: 2 }), [complete(0.9), running(0.1)]), false);
    assert.equal(decide(median({ minTrials: 2 }), [complete(0.9), complete(0.8), running(0.1)]), true);
  });

  it('checks only after `warmup` epochs, then every `interval` epochs', () => {
    const best = complete(...Array.from({ length: 9 }, () => 1));
    const low = Array.from({ length: 9 }, () => 0);
    assert.equal(prunedAt(median(), [best], low), 1);
    assert.equal(prunedAt(median({ warmup: 2 }), [best], low), 3, 'epochs 1 and 2 are the warmup');
    // Checks at epochs 3, 6, 9 with warmup 2 and interval 3: a trial that is low only from epoch 4 goes at 6.
    const lateDrop = [2, 2, 2, 0, 0, 0, 0, 0, 0];
    const firstThenBest: Curve = complete(1, 1, 1, 3, 3, 3, 3, 3, 3);
    assert.equal(prunedAt(median({ warmup: 2, interval: 3 }), [firstThenBest], lateDrop), 6);
  });

  it('checks a report that skipped over a check epoch (ask/tell steps), and only once per interval', () => {
    const others = [complete(...Array.from({ length: 10 }, () => 1))];
    const pruner = median({ warmup: 0, interval: 5 });
    // Checks at epochs 1, 6, 11, …: a report at epoch 7 after one at epoch 4 is the first since the check at 6.
    const skipped = [0.5, Number.NaN, Number.NaN, 0.5, Number.NaN, Number.NaN, 0.5];
    assert.equal(decide(pruner, [...others, { state: 'running', values: skipped }]), true);
    // Epoch 8 right after epoch 7: no check between them.
    assert.equal(decide(pruner, [...others, { state: 'running', values: [...skipped, 0.5] }]), false);
  });

  it('prunes a trial whose values are all NaN', () => {
    assert.equal(decide(median(), [complete(0.5), running(Number.NaN)]), true);
    assert.equal(decide(median({ startup: 2 }), [complete(0.5), running(Number.NaN)]), false, 'not before startup');
  });

  it('ranks by the direction: when minimising, lower is better', () => {
    const losses = [complete(0.3), complete(0.4), complete(0.5)];
    assert.equal(decide(median(), [...losses, running(0.45)], 'minimize'), true);
    assert.equal(decide(median(), [...losses, running(0.35)], 'minimize'), false);
  });
});

describe('percentile pruner', () => {
  it('interpolates percentiles linearly between ranks, as numpy does', () => {
    assert.equal(percentileOf([4, 1, 3, 2], 75), 3.25);
    assert.equal(percentileOf([1, 2, 3, 4, 5], 50), 3);
    assert.equal(percentileOf([7], 10), 7);
    assert.equal(percentileOf([1, 3], 0), 1);
    assert.equal(percentileOf([1, 3], 100), 3);
  });

  it('keeps the top `percentile` per cent at each epoch', () => {
    const others = [1, 2, 3, 4, 5].map((v) => complete(v));
    const p = (percentile: number) => createPruner({ type: 'percentile', percentile, startup: 0, warmup: 0, interval: 1, minTrials: 1 });
    // Top 25%: the cut is the 75th percentile of the others (4); top 75%: the 25th (2).
    assert.equal(decide(p(25), [...others, running(3.5)]), true);
    assert.equal(decide(p(50), [...others, running(3.5)]), false);
    assert.equal(decide(p(75), [...others, running(1.5)]), true);
    assert.equal(decide(p(75), [...others, running(2.5)]), false);
    // Minimising, the top 25% are the lowest: the cut is the 25th percentile (2).
    assert.equal(decide(p(25), [...others, running(2.5)], 'minimize'), true);
    assert.equal(decide(p(25), [...others, running(1.5)], 'minimize'), false);
  });
});

describe('patience pruner', () => {
  const patience = (n: number, minDelta = 0) => createPruner({ type: 'patience', patience: n, minDelta });

  it('prunes after `patience` epochs in a row without an improvement, as Keras EarlyStopping', () => {
    assert.equal(prunedAt(patience(2), [], [0.5, 0.6, 0.6, 0.6, 0.9]), 4);
    assert.equal(prunedAt(patience(2), [], [0.5, 0.6, 0.55, 0.7, 0.65, 0.8]), null, 'every second epoch improves');
    assert.equal(prunedAt(patience(1), [], [0.5, 0.5]), 2);
  });

  it('counts an improvement only above `minDelta`, measured from the last improving value', () => {
    // 0.505 and 0.51 are within 0.01 of 0.5: two epochs without improvement.
    assert.equal(prunedAt(patience(2, 0.01), [], [0.5, 0.505, 0.51, 0.6]), 3);
    assert.equal(prunedAt(patience(2, 0.01), [], [0.5, 0.52, 0.54, 0.56]), null);
  });

  it('follows the direction, and looks at no other trial', () => {
    assert.equal(prunedAt(patience(2), [], [0.9, 0.8, 0.7, 0.6], 'minimize'), null, 'a falling loss improves');
    assert.equal(prunedAt(patience(2), [], [0.6, 0.7, 0.8, 0.9], 'minimize'), 3);
    assert.equal(prunedAt(patience(2), [complete(0.99, 0.99, 0.99)], [0.1, 0.2, 0.3]), null);
  });

  it('passes over NaN epochs', () => {
    assert.equal(prunedAt(patience(2), [], [0.5, Number.NaN, Number.NaN, 0.6]), null);
  });
});

describe('threshold pruner', () => {
  const threshold = (spec: { lower?: number; upper?: number; warmup?: number; interval?: number }) =>
    createPruner({ type: 'threshold', warmup: 0, interval: 1, ...spec });

  it('prunes when the latest raw value leaves the bounds, or is NaN', () => {
    assert.equal(prunedAt(threshold({ lower: 0.2 }), [], [0.5, 0.3, 0.1]), 3);
    assert.equal(prunedAt(threshold({ upper: 2 }), [], [1, 1.5, 2, 2.5], 'minimize'), 4, 'raw values, whatever the direction');
    assert.equal(prunedAt(threshold({ lower: 0, upper: 1 }), [], [0.5, 0.5, Number.NaN]), 3);
    assert.equal(prunedAt(threshold({ lower: 0.2 }), [], [0.5, 0.2, 0.3]), null, 'the bound itself is inside');
  });

  it('waits for `warmup` and checks every `interval` epochs', () => {
    assert.equal(prunedAt(threshold({ lower: 0.5, warmup: 2 }), [], [0.1, 0.1, 0.1]), 3);
    assert.equal(prunedAt(threshold({ lower: 0.5, warmup: 0, interval: 2 }), [], [0.9, 0.1, 0.1]), 3);
  });
});

describe('a strategy with a pruner', () => {
  const parsed = (pruner: unknown, strategy: unknown = { type: 'random', trials: 4 }): SearchSpace =>
    parseSpace({ name: 'p', objective: { metric: 'val_accuracy' }, task: { data: { builtin: 'mnist' }, epochs: 3 }, params: { learningRate: { type: 'float', min: 0.001, max: 0.1 } }, strategy, pruner }, 'p.json', { checkFiles: false });

  it('is built for random, grid and tpe when the space has a pruner, and not otherwise', () => {
    assert.ok(createStrategy(parsed({ type: 'median' })) instanceof PrunedStrategy);
    assert.ok(createStrategy(parsed({ type: 'patience', patience: 2 }, { type: 'tpe', trials: 4 })) instanceof PrunedStrategy);
    assert.ok(!(createStrategy(space()) instanceof PrunedStrategy));
    assert.equal(createStrategy(parsed({ type: 'median' })).name, 'random');
  });

  it('stops a trial the pruner prunes, but lets one at its budget complete and keeps the strategy\'s own decisions', () => {
    const strategy = createStrategy(parsed({ type: 'threshold', lower: 0.5 }));
    const { ctx, trials } = study([{ state: 'running', values: [0.1], budget: 3 }]);
    assert.equal(strategy.onReport(ctx, trials[0]!, 1, 0.1), 'stop');
    const atBudget = study([{ state: 'running', values: [0.9, 0.9, 0.1], budget: 3 }]);
    assert.equal(strategy.onReport(atBudget.ctx, atBudget.trials[0]!, 3, 0.1), 'continue');
    const pausing: Strategy = { name: 'x', ask: () => ({ kind: 'done' }), onReport: () => 'pause', tell: () => {} };
    const wrapped = new PrunedStrategy(pausing, createPruner({ type: 'threshold', lower: 0.5, warmup: 0, interval: 1 }));
    assert.equal(wrapped.onReport(ctx, trials[0]!, 1, 0.1), 'pause');
  });
});

describe('TPE with pruned trials', () => {
  it('ranks complete trials above pruned ones, and pruned ones by the epoch they reached, then their value (as Optuna)', () => {
    const params = { x: { type: 'float', min: 0, max: 10, log: false } } as const;
    const encoding = new Encoding(params);
    const curves: Curve[] = [
      { state: 'complete', values: [0.3, 0.5] }, // told complete at step 2 of 3 (ask/tell)
      { state: 'pruned', values: [0.8, 0.9] },
      { state: 'pruned', values: [0.99] },
      { state: 'complete', values: [0.2, 0.3, 0.4] },
      { state: 'pruned', values: [0.1, 0.2] },
    ];
    const { ctx } = study(curves);
    const store = new ObservationStore(encoding);
    store.sync(ctx);
    // Rows follow trial order here (every param is legal). n = 5 observations.
    const good = (gamma: number) => [...split(store, gamma).good];
    assert.deepEqual(good(0.2), [0], 'the best complete trial, though a pruned one reported more');
    assert.deepEqual(good(0.4), [0, 3], 'both complete trials before any pruned one');
    assert.deepEqual(good(0.6), [0, 1, 3], 'then the pruned trial that got furthest with the best value there');
    assert.deepEqual(good(0.8), [0, 1, 3, 4], 'epoch 2 beats epoch 1, whatever the value');
  });
});
