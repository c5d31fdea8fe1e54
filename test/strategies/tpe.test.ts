import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Params, ParamValue } from '../../src/core/types.js';
import { axisValues } from '../../src/space/grid.js';
import type { ParamSpec, TpeSpec } from '../../src/space/types.js';
import { createStrategy } from '../../src/strategies/index.js';
import { randomConfig } from '../../src/strategies/sampling.js';
import { Encoding } from '../../src/strategies/tpe/encoding.js';
import { BRANIN, codeSpace, MemoryStudy, median, trial } from './study.js';

const tpe = (trials: number, extra: Partial<TpeSpec> = {}): TpeSpec => ({ type: 'tpe', trials, startup: 10, candidates: 24, gamma: 0.1, multivariate: true, ...extra });

const MIXED: Record<string, ParamSpec> = {
  lr: { type: 'float', min: 1e-4, max: 1e-1, log: true },
  momentum: { type: 'float', min: 0, max: 0.9, log: false, step: 0.1 },
  units: { type: 'int', min: 16, max: 128, log: false, step: 16 },
  batch: { type: 'int', min: 16, max: 512, log: true, step: 1 },
  depth: { type: 'int', min: 1, max: 4, log: false, step: 1 },
  optimizer: { type: 'categorical', values: ['adam', 'sgd', 'rmsprop'] },
  decay: { type: 'float', min: 0, max: 0.1, log: false },
  dropout: { type: 'fixed', value: 0.2 },
};

/** A smooth objective over MIXED with its optimum inside the space. */
function mixedLoss(p: Params): number {
  const lr = Math.log10(p.lr as number) + 2.5;
  const opt = p.optimizer === 'sgd' ? 0 : p.optimizer === 'adam' ? 0.3 : 0.6;
  return lr * lr + ((p.momentum as number) - 0.7) ** 2 + ((p.units as number) - 80) ** 2 / 1e4 + Math.log2((p.batch as number) / 64) ** 2 / 10 + opt + (p.decay as number);
}

function isLegal(spec: ParamSpec, v: ParamValue): boolean {
  switch (spec.type) {
    case 'fixed':
      return v === spec.value;
    case 'categorical':
      return spec.values.includes(v);
    case 'float':
    case 'int': {
      if (typeof v !== 'number' || v < spec.min || v > spec.max) return false;
      if (spec.type === 'int' && !Number.isInteger(v)) return false;
      if (spec.log || spec.step === undefined) return true;
      return axisValues(spec)!.includes(v);
    }
  }
}

describe('tpe', () => {
  it('samples categorical, stepped, integer and log-scale params only on legal values', () => {
    for (const multivariate of [true, false]) {
      const study = MemoryStudy.of(codeSpace(MIXED, tpe(80, { multivariate }), 3));
      study.run(80, mixedLoss);
      for (const t of study.trials) {
        for (const [name, spec] of Object.entries(MIXED)) assert.ok(name in t.params && isLegal(spec, t.params[name]!), `${name} = ${String(t.params[name])}`);
        assert.deepEqual(Object.keys(t.params), Object.keys(MIXED), 'params in written order');
      }
      // The model does its job on this space too: the last 40 trials are better on average than the 10 random ones.
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const values = study.trials.map((t) => t.value!);
      assert.ok(mean(values.slice(40)) < mean(values.slice(0, 10)), `${mean(values.slice(40))} vs ${mean(values.slice(0, 10))}`);
    }
  });

  it('its first `startup` configs are random search\'s own', () => {
    const space = codeSpace(MIXED, tpe(12, { startup: 5 }), 11);
    const study = MemoryStudy.of(space);
    study.run(7, mixedLoss);
    study.trials.slice(0, 5).forEach((t, i) => assert.deepEqual(t.params, randomConfig(space, i)));
    study.trials.slice(5).forEach((t, i) => assert.notDeepEqual(t.params, randomConfig(space, 5 + i)));
  });

  it('works from the first observation, and with every param fixed', () => {
    const study = MemoryStudy.of(codeSpace(BRANIN.params, tpe(5, { startup: 1 }), 1));
    study.run(5, BRANIN.f);
    for (const t of study.trials) assert.ok(Number.isFinite(t.value), JSON.stringify(t.params));
    const fixed = MemoryStudy.of(codeSpace({ a: { type: 'fixed', value: 3 }, b: { type: 'categorical', values: ['only'] } }, tpe(3, { startup: 1 }), 1));
    fixed.run(3, () => 1);
    assert.deepEqual(fixed.trials.map((t) => t.params), [{ a: 3, b: 'only' }, { a: 3, b: 'only' }, { a: 3, b: 'only' }]);
  });

  it('the same seed gives the same suggestions; another seed does not', () => {
    const run = (seed: number) => {
      const study = MemoryStudy.of(codeSpace(MIXED, tpe(40), seed));
      study.run(40, mixedLoss);
      return study.trials.map((t) => t.params);
    };
    assert.deepEqual(run(5), run(5));
    assert.notDeepEqual(run(5).slice(10), run(6).slice(10));
  });

  it('a resumed study continues as the uninterrupted one would', () => {
    const space = codeSpace(BRANIN.params, tpe(60), 2);
    const whole = MemoryStudy.of(space);
    whole.run(60, BRANIN.f);
    const resumed = MemoryStudy.of(space);
    resumed.trials.push(...whole.trials.slice(0, 35));
    resumed.run(25, BRANIN.f); // a fresh strategy, rebuilt from the 35 stored trials
    assert.deepEqual(resumed.trials.map((t) => t.params), whole.trials.map((t) => t.params));
  });

  it('beats random search on Branin: median simple regret over 10 seeds at 60 trials', () => {
    const regret = (spec: (seed: number) => Parameters<typeof codeSpace>[1], seed: number) =>
      MemoryStudy.of(codeSpace(BRANIN.params, spec(seed), seed)).run(60, BRANIN.f) - BRANIN.optimum;
    const seeds = Array.from({ length: 10 }, (_, i) => i);
    const random = seeds.map((s) => regret(() => ({ type: 'random', trials: 60 }), s));
    const model = seeds.map((s) => regret(() => tpe(60), s));
    assert.ok(median(model) < median(random) / 10, `tpe ${median(model)} vs random ${median(random)}`);
    assert.ok(seeds.filter((i) => model[i]! < random[i]!).length >= 8, `tpe ${model.join(' ')} vs random ${random.join(' ')}`);
  });

  it('maximising −f proposes exactly what minimising f does', () => {
    const min = MemoryStudy.of(codeSpace(BRANIN.params, tpe(30), 4, 'minimize'));
    const max = MemoryStudy.of(codeSpace(BRANIN.params, tpe(30), 4, 'maximize'));
    min.run(30, BRANIN.f);
    max.run(30, (p) => -BRANIN.f(p));
    assert.deepEqual(max.trials.map((t) => t.params), min.trials.map((t) => t.params));
  });

  it('constant liar: with two trials running, the next config differs from theirs', () => {
    // A small discrete space, where without liars the model proposes its favourite config again and again.
    const params: Record<string, ParamSpec> = { a: { type: 'int', min: 0, max: 4, log: false, step: 1 }, b: { type: 'categorical', values: ['x', 'y', 'z'] } };
    const f = (p: Params) => ((p.a as number) - 3) ** 2 + (p.b === 'y' ? 0 : 1);
    const key = (p: Params) => JSON.stringify(p);
    let repeatsWithoutLiars = 0;
    for (let seed = 0; seed < 10; seed++) {
      const space = codeSpace(params, tpe(40), seed);
      const study = MemoryStudy.of(space);
      study.run(20, f);
      const running = [study.step(), study.step()].map(key);
      const next = study.ask();
      assert.ok(next.kind === 'trial' && !running.includes(key(next.params)), `seed ${seed}: ${running.join(' ')} → ${key(next.kind === 'trial' ? next.params : {})}`);
      // The same two trials, interrupted instead of running, are ignored: then the favourite comes back.
      const ignored = MemoryStudy.of(space);
      ignored.trials.push(...study.trials.map((t) => (t.state === 'running' ? { ...t, state: 'failed' as const, error: { kind: 'interrupted' as const, message: '' } } : t)));
      const without = ignored.ask();
      if (without.kind === 'trial' && running.includes(key(without.params))) repeatsWithoutLiars++;
    }
    assert.ok(repeatsWithoutLiars >= 5, `without liars a running config came back ${repeatsWithoutLiars} times of 10`);
  });

  it('failed trials count as bad observations; interrupted ones say nothing', () => {
    const space = codeSpace(BRANIN.params, tpe(30), 9);
    const base = MemoryStudy.of(space);
    base.run(15, BRANIN.f);
    const failed = (kind: 'nan' | 'oom' | 'interrupted' | 'worker-died') => ({ ...trial(15, { x1: 9, x2: 1 }, 'failed', null), error: { kind, message: kind } });
    const askWith = (last: ReturnType<typeof trial>) => {
      const study = MemoryStudy.of(space);
      study.trials.push(...base.trials, last);
      return study.ask();
    };
    // A config outside the space is ignored, so it stands for "no information" (the trial count, and so the seed, match).
    const nothing = askWith(trial(15, { x1: 'far away', x2: 1 }, 'complete', 0));
    assert.deepEqual(askWith(failed('interrupted')), nothing);
    assert.deepEqual(askWith(failed('worker-died')), nothing);
    assert.notDeepEqual(askWith(failed('nan')), nothing);
    assert.deepEqual(askWith(failed('oom')), askWith(failed('nan')));
  });

  it('each ask encodes only trials it has not seen: the model is rebuilt incrementally', () => {
    const encode = Encoding.prototype.encode;
    let calls = 0;
    Encoding.prototype.encode = function (this: Encoding, ...args: Parameters<typeof encode>) {
      calls++;
      return encode.apply(this, args);
    };
    try {
      const study = MemoryStudy.of(codeSpace(BRANIN.params, tpe(200), 1));
      const strategy = createStrategy(codeSpace(BRANIN.params, { type: 'random', trials: 200 }, 1));
      for (let i = 0; i < 150; i++) {
        const s = strategy.ask(study.context());
        if (s.kind === 'trial') study.trials.push(trial(i, s.params, 'complete', BRANIN.f(s.params)));
      }
      calls = 0;
      study.step(BRANIN.f);
      assert.equal(calls, 150, 'the first ask encodes every stored trial');
      for (let i = 0; i < 20; i++) {
        calls = 0;
        study.step(BRANIN.f);
        assert.equal(calls, 1, 'later asks encode only the one new trial');
      }
    } finally {
      Encoding.prototype.encode = encode;
    }
  });
});
