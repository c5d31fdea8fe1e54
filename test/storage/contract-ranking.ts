/** The leaderboard part of the storage contract: failed last, furthest trained first, then state and value. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StorageError } from '../../src/core/errors.js';
import type { Direction, TrialRecord } from '../../src/core/types.js';
import type { Storage } from '../../src/storage/types.js';
import { newTrial, reportEpochs, runTrial, spec, storageTest, type MakeStorage } from './helpers.js';

type Stage = 'complete' | 'pruned' | 'failed' | 'paused' | 'running' | 'promoted';

/**
 * A trial at `rung` (none if null) that reported `value` for epochs 1..`epochs`, then left in `stage`
 * ('promoted': paused, then promoted one rung up to a larger budget, so waiting at the same epochs).
 */
async function trialAt(s: Storage, studyId: number, stage: Stage, epochs: number, rung: number | null, value: number) {
  const t = await s.createTrial(studyId, newTrial({ budget: epochs, ...(rung === null ? {} : { rung }) }));
  assert.equal(await s.claimTrial(t.id, 'w'), true);
  await reportEpochs(s, t.id, Array.from({ length: epochs }, () => value));
  if (stage === 'running') return t;
  if (stage !== 'promoted') {
    const error = stage === 'failed' ? { error: { kind: 'exception', message: 'x' } as const } : {};
    return s.finishTrial(t.id, { state: stage, epochs, ...error });
  }
  await s.finishTrial(t.id, { state: 'paused', epochs, checkpoint: `ckpt/${t.id}` });
  return s.promoteTrial(t.id, epochs * 3, (rung ?? 0) + 1);
}

export function rankingContract(name: string, makeStorage: MakeStorage): void {
  const withStorage = storageTest(makeStorage);

  describe(`Storage contract, leaderboard: ${name}`, () => {
    for (const direction of ['maximize', 'minimize'] as const) {
      test(`at equal epochs: complete by value, then the other states by value, failed last (${direction})`, withStorage(async (s) => {
        const st = await s.openStudy(spec({ direction }));
        const label = new Map<number, string>();
        const add = async (name: string, t: Promise<TrialRecord>) => label.set((await t).id, name);
        await add('c0.5', runTrial(s, st.id, [0.5], {}));
        await add('failed', runTrial(s, st.id, [0.99], { state: 'failed', error: { kind: 'exception', message: 'x' } }));
        await add('cNaN', runTrial(s, st.id, [NaN], {}));
        await add('p0.9', runTrial(s, st.id, [0.9], { state: 'pruned' }));
        await add('c0.8', runTrial(s, st.id, [0.8], {}));
        await add('cInf', runTrial(s, st.id, [0], { value: Infinity }));
        await add('c-Inf', runTrial(s, st.id, [-Infinity], {}));
        await add('c0.5b', runTrial(s, st.id, [0.5], {}));
        await add('p0.1', runTrial(s, st.id, [0.1], { state: 'pruned' }));
        await add('r0.6', trialAt(s, st.id, 'running', 1, null, 0.6));
        await add('waiting', s.createTrial(st.id, newTrial()));

        const board = await s.leaderboard(st.id, 100);
        const completes = direction === 'maximize'
          ? ['cInf', 'c0.8', 'c0.5', 'c0.5b', 'c-Inf', 'cNaN']
          : ['c-Inf', 'c0.5', 'c0.5b', 'c0.8', 'cInf', 'cNaN'];
        // pruned and running rank alike, by value; the waiting trial has trained 0 epochs, so it comes after them
        const others = direction === 'maximize' ? ['p0.9', 'r0.6', 'p0.1'] : ['p0.1', 'r0.6', 'p0.9'];
        assert.deepEqual(board.map((r) => label.get(r.trial.id)), [...completes, ...others, 'waiting', 'failed']);
        assert.deepEqual(board.map((r) => r.rank), Array.from({ length: 11 }, (_, i) => i + 1));
        assert.deepEqual(board[0]?.trial, await s.trial(board[0]?.trial.id ?? -1));

        const top3 = await s.leaderboard(st.id, 3);
        assert.deepEqual(top3, board.slice(0, 3));
        assert.deepEqual(await s.leaderboard(st.id, 0), []);
        assert.deepEqual(await s.leaderboard(st.id, Infinity), board);

        const [summary] = await s.studies();
        assert.equal(summary?.best, direction === 'maximize' ? Infinity : -Infinity);
        assert.deepEqual(summary?.counts, { waiting: 1, running: 1, paused: 0, complete: 6, pruned: 2, failed: 1 });
      }));

      test(`the furthest trained rank first: epochs, then rung, then complete, then value (${direction})`, withStorage(async (s) => {
        const st = await s.openStudy(spec({ direction }));
        // q is "how good": the stored value is q when maximizing and -q when minimizing
        const v = (q: number): number => (direction === 'maximize' ? q : -q);
        const label = new Map<number, string>();
        const add = async (name: string, t: Promise<TrialRecord>) => label.set((await t).id, name);
        await add('e3-r0-best', trialAt(s, st.id, 'pruned', 3, 0, v(0.99)));
        await add('e9-r2-fail', trialAt(s, st.id, 'failed', 9, 2, v(1)));
        await add('e3-norung', trialAt(s, st.id, 'complete', 3, null, v(0.99)));
        await add('e9-r2-worse', trialAt(s, st.id, 'complete', 9, 2, v(0.6)));
        await add('e3-r1-promoted', trialAt(s, st.id, 'promoted', 3, 0, v(0.1)));
        await add('e9-r2-pruned', trialAt(s, st.id, 'pruned', 9, 2, v(0.95)));
        await add('e3-r0-complete', trialAt(s, st.id, 'complete', 3, 0, v(0.5)));
        await add('e9-r2-better', trialAt(s, st.id, 'complete', 9, 2, v(0.7)));
        await add('e3-r0-paused', trialAt(s, st.id, 'paused', 3, 0, v(0.98)));
        await add('e9-r1-nan', trialAt(s, st.id, 'paused', 9, 1, NaN));
        await add('e1-r5', trialAt(s, st.id, 'complete', 1, 5, v(2)));

        const board = await s.leaderboard(st.id, Infinity);
        assert.deepEqual(board.map((r) => label.get(r.trial.id)), [
          'e9-r2-better', 'e9-r2-worse', // 9 epochs beat every better value measured at 3; complete before pruned
          'e9-r2-pruned',
          'e9-r1-nan', // same epochs, lower rung
          'e3-r1-promoted', // rung 1 at 3 epochs beats rung 0 at 3 epochs, whatever the value
          'e3-r0-complete', // complete first, then the rest by value
          'e3-r0-best', 'e3-r0-paused',
          'e3-norung', // no rung ranks below every rung
          'e1-r5', // fewer epochs outweigh a higher rung
          'e9-r2-fail', // failed last, whatever it reached
        ]);
      }));
    }

    test('a limit must be an integer >= 0 or Infinity, and the study must exist', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      for (const limit of [-1, 1.5, NaN]) await assert.rejects(s.leaderboard(st.id, limit), StorageError);
      await assert.rejects(s.leaderboard(st.id + 1000, 10), StorageError);
    }));
  });
}
