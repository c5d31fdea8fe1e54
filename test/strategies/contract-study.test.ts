/** The strategy contract's study catches what it is there to catch: each broken strategy here breaks one rule. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TrialRecord } from '../../src/core/types.js';
import { RandomStrategy } from '../../src/strategies/index.js';
import type { Strategy, StrategyContext, Suggestion } from '../../src/strategies/types.js';
import { ContractStudy } from './contract-study.js';
import { codeSpace } from './study.js';

const plain = codeSpace({ x: { type: 'float', min: 0, max: 1, log: false } }, { type: 'random', trials: 8 });
const space = { ...plain, task: { ...plain.task, epochs: 3 } };
const options = { sign: 1, maxTrials: 8, workers: 2 } as const;

/** Random search with one method replaced. */
function broken(ask: (ctx: StrategyContext, base: Strategy) => Suggestion): Strategy {
  const base = new RandomStrategy(space);
  return { name: 'broken', ask: (ctx) => ask(ctx, base), onReport: () => 'continue', tell: () => {} };
}

describe('the contract study', () => {
  test('passes random search, and logs every question and answer', () => {
    const s = new ContractStudy(new RandomStrategy(space), { ...options, askTwice: true }).run();
    assert.deepEqual(s.breaches, []);
    assert.equal(s.records.length, 8);
    assert.ok(s.log.some((l) => l.startsWith('report #0@3: continue')));
  });

  test('a strategy that keeps state of its own does not continue a handed-off study as the uninterrupted one', () => {
    const counting = () => {
      let asks = 0;
      return broken((ctx, base) => {
        const s = base.ask(ctx);
        return s.kind === 'trial' ? { ...s, params: { x: asks++ } } : s;
      });
    };
    const whole = new ContractStudy(counting(), options).run();
    const resumed = new ContractStudy(counting(), options).run(5);
    resumed.handOff(counting());
    assert.notDeepEqual(resumed.run().log, whole.log);
  });

  test('pruning a running trial, creating past maxTrials, or answering twice differently is a breach', () => {
    let once = true;
    const pruner = broken((ctx, base) => {
      // Trial #0 has just completed; #1 (id 2) is still training.
      if (ctx.trials.length === 2 && once) return (once = false), { kind: 'prune', trialId: 2 };
      return base.ask(ctx);
    });
    assert.match(new ContractStudy(pruner, options).run().breaches.join('\n'), /pruned trial 2, which is running/);
    const greedy = broken((ctx) => ({ kind: 'trial', params: { x: ctx.trials.length }, budget: 3 }));
    assert.match(new ContractStudy(greedy, options).run(40, 40 * 10).breaches.join('\n'), /a new trial beyond maxTrials 8/);
    let n = 0;
    const fickle = broken((ctx, base) => {
      const s = base.ask(ctx);
      return s.kind === 'trial' ? { ...s, budget: 1 + (n++ % 2) } : s;
    });
    assert.match(new ContractStudy(fickle, { ...options, askTwice: true }).run(2).breaches.join('\n'), /asked twice/);
  });

  test('writing to the context or a record throws; reading a member StrategyContext lacks is a breach', () => {
    const pusher = broken((ctx) => {
      (ctx.trials as TrialRecord[]).push(ctx.trials[0]!);
      return { kind: 'wait' };
    });
    assert.throws(() => new ContractStudy(pusher, options).run(2), TypeError);
    const editor = broken((ctx, base) => {
      if (ctx.trials[0]) (ctx.trials[0] as { state: string }).state = 'pruned';
      return base.ask(ctx);
    });
    assert.throws(() => new ContractStudy(editor, options).run(3), TypeError);
    const snoop = broken((ctx, base) => {
      void (ctx as unknown as { storage?: unknown }).storage;
      return base.ask(ctx);
    });
    assert.match(new ContractStudy(snoop, options).run(1).breaches.join('\n'), /ctx\.storage/);
  });
});
