/**
 * The strategy contract: every `Strategy` runs this same suite (after Optuna's testing/pytest_samplers.py, in TS),
 * over a whole in-memory study (contract-study.ts) with failures, NaN values and several workers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TrialRecord } from '../../src/core/types.js';
import type { SearchSpace } from '../../src/space/types.js';
import { isFidelityStrategy } from '../../src/space/fidelity.js';
import { createStrategy, defaultTrialCount } from '../../src/strategies/index.js';
import { ContractStudy, midRung, type StudyOptions } from './contract-study.js';

const signOf = (space: SearchSpace): 1 | -1 => (space.objective.direction === 'maximize' ? 1 : -1);

function study(space: SearchSpace, o: Partial<StudyOptions> = {}): ContractStudy {
  return new ContractStudy(createStrategy(space), { sign: signOf(space), maxTrials: defaultTrialCount(space), workers: 3, ...o });
}

/** The configs and rung moves of a study, without the bookkeeping fields. */
const shape = (trials: readonly TrialRecord[]) => trials.map((t) => [t.number, t.params, t.state, t.budget, t.rung, t.bracket, t.epochs]);

function assertNoBreach(s: ContractStudy): void {
  assert.deepEqual(s.breaches, [], s.breaches.slice(0, 5).join('\n'));
}

/** Registers the contract tests for one strategy. `space` must give a study of a few dozen trials at most. */
export function strategyContract(name: string, space: SearchSpace): void {
  const fidelity = isFidelityStrategy(space.strategy);

  describe(`Strategy contract: ${name}`, () => {
    test('the same seed gives the same suggestions; another seed gives others', () => {
      const a = study(space).run();
      const b = study(space).run();
      assert.ok(a.finished && a.records.length > 1, `${a.records.length} trials`);
      assert.deepEqual(b.log, a.log);
      assert.deepEqual(shape(b.records), shape(a.records));
      const c = study({ ...space, seed: space.seed + 1 }).run();
      assert.notDeepEqual(c.records.map((t) => t.params), a.records.map((t) => t.params));
    });

    test('a half-finished study handed to a fresh instance continues exactly as the uninterrupted one', () => {
      const whole = study(space).run();
      const total = whole.steps;
      assert.ok(total > 4, `${total} steps`);
      let midRungCuts = 0;
      // Every cut point of the study (at most ~40 of them), to a fresh instance and to the same one after a reload.
      const every = Math.max(1, Math.floor(total / 40));
      for (let cut = 1; cut < total; cut += every) {
        for (const fresh of [true, false]) {
          const resumed = study(space).run(cut);
          if (fresh && midRung(resumed.records)) midRungCuts++;
          resumed.handOff(fresh ? createStrategy(space) : undefined);
          resumed.run();
          const how = fresh ? 'a fresh instance' : 'the same instance after a reload';
          assert.deepEqual(resumed.log, whole.log, `cut after step ${cut} of ${total}, continued by ${how}`);
          assert.deepEqual(shape(resumed.records), shape(whole.records));
          assertNoBreach(resumed);
        }
      }
      if (fidelity) assert.ok(midRungCuts >= 3, `only ${midRungCuts} cuts fell mid-rung`);
    });

    test("a reload that brings in another tuner's earlier trial is answered as a fresh instance answers it", () => {
      const whole = study(space).run();
      let compared = 0;
      for (let cut = 2; cut < whole.steps; cut += Math.max(1, Math.floor(whole.steps / 20))) {
        const s = study(space).run(cut);
        const ctx = s.context();
        const all = [...s.records];
        if (all.length < 3) continue;
        // This tuner has not seen trial #j yet (another tuner created it); the next read has it, in number order.
        const j = Math.floor(all.length / 2);
        const warm = createStrategy(space);
        warm.ask({ trials: all.filter((_, i) => i !== j), sign: ctx.sign, maxTrials: ctx.maxTrials, valueAt: ctx.valueAt });
        const full = { trials: [...all], sign: ctx.sign, maxTrials: ctx.maxTrials, valueAt: ctx.valueAt };
        assert.deepEqual(warm.ask(full), createStrategy(space).ask(full), `cut ${cut}, trial #${j} arriving late`);
        compared++;
      }
      assert.ok(compared > 3);
    });

    test("paramsAt, where the strategy has it, is ask's new config at the trial count, and depends on the number", () => {
      const whole = study(space).run();
      let compared = 0;
      for (let cut = 1; cut < whole.steps; cut += Math.max(1, Math.floor(whole.steps / 20))) {
        const ctx = study(space).run(cut).context();
        const strategy = createStrategy(space);
        const s = strategy.ask(ctx);
        if (strategy.paramsAt === undefined || s.kind !== 'trial' || s.resumeOf !== undefined) continue;
        assert.deepEqual(strategy.paramsAt(ctx, ctx.trials.length), s.params, `cut ${cut}`);
        // Asking again after paramsAt answers the same: it changed nothing.
        assert.deepEqual(strategy.ask(ctx), s);
        compared++;
      }
      const expected = ['random', 'tpe', 'asha'].includes(space.strategy.type);
      assert.equal(compared > 0, expected, `${compared} new configs compared`);
      if (expected) {
        const ctx = study(space).run(2).context();
        const strategy = createStrategy(space);
        const at = [0, 1, 2, 3].map((k) => JSON.stringify(strategy.paramsAt!(ctx, ctx.trials.length + k)));
        assert.equal(new Set(at).size, at.length, 'each number draws its own config');
      }
    });

    test('no trial is created beyond maxTrials, and the cap is used', () => {
      const natural = study(space).run().records.length;
      for (const maxTrials of [1, 2, 5, natural - 1, natural]) {
        if (maxTrials < 1) continue;
        const s = study(space, { maxTrials }).run();
        assertNoBreach(s);
        assert.ok(s.finished);
        assert.equal(s.records.length, Math.min(maxTrials, natural), `maxTrials ${maxTrials}`);
      }
      // Asked at the cap, with every trial finished: nothing new.
      const full = study(space).run();
      assert.deepEqual(createStrategy(space).ask(full.context()), { kind: 'done' }, 'a finished study is done');
    });

    test('only paused trials are pruned or promoted, and never one paused midway (a stopped sweep resumes those)', () => {
      const s = study(space).run();
      assertNoBreach(s); // every prune and promotion in the study was checked against the trial's state
      const pruned = s.records.filter((t) => t.state === 'pruned');
      if (fidelity) assert.ok(pruned.length > 0, 'a multi-fidelity study prunes');
      else assert.equal(pruned.length, 0, 'a single-fidelity strategy prunes nothing');
      assert.ok(s.records.every((t) => t.state === 'complete' || t.state === 'pruned' || t.state === 'failed'), 'every trial finished');
      // Stop the study at many points: running trials pause where they are, midway through their budget.
      for (let cut = 1; cut < s.steps; cut += Math.max(1, Math.floor(s.steps / 20))) {
        const stopped = study(space).run(cut);
        const ctx = stopped.context();
        const midway = new Set(stopped.records.filter((t) => t.state === 'running').map((t) => t.id));
        const trials = stopped.records.map((t) => (midway.has(t.id) ? Object.freeze({ ...t, state: 'paused' as const }) : t));
        const answer = createStrategy(space).ask({ trials, sign: ctx.sign, maxTrials: ctx.maxTrials, valueAt: ctx.valueAt });
        if (answer.kind === 'prune') assert.ok(!midway.has(answer.trialId), `cut ${cut}: pruned trial ${answer.trialId}, paused midway`);
        if (answer.kind === 'trial' && answer.resumeOf !== undefined) assert.ok(!midway.has(answer.resumeOf), `cut ${cut}: promoted a trial paused midway`);
      }
    });

    test('every answer is a decision, never an action: frozen records, a read-only context, the same answer twice', () => {
      const s = study(space, { askTwice: true }).run();
      assertNoBreach(s);
      assert.ok(s.finished);
      assert.ok(s.reads.members.has('trials'));
      if (fidelity) assert.ok(s.reads.valueAtCalls > 0, 'a multi-fidelity strategy ranks rungs by valueAt');
      // Asking questions it never acted on changed nothing: the study is the one that was never asked twice.
      assert.deepEqual(shape(s.records), shape(study(space).run().records));
    });
  });
}
