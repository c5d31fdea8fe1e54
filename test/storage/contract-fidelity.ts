/** The multi-fidelity part of the storage contract: pause, promote, resume, prune from paused, learning curves. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StorageError } from '../../src/core/errors.js';
import type { TrialRecord } from '../../src/core/types.js';
import type { Storage } from '../../src/storage/types.js';
import { ISO, newTrial, reportEpochs, spec, storageTest, type MakeStorage } from './helpers.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A trial that trained `epochs` epochs (val_accuracy = epoch / 10) and was paused with a checkpoint. */
async function pausedTrial(s: Storage, studyId: number, epochs: number, budget = epochs, rung: number | null = 0): Promise<TrialRecord> {
  const t = await s.createTrial(studyId, newTrial({ budget, bracket: 1, ...(rung === null ? {} : { rung }) }));
  assert.equal(await s.claimTrial(t.id, 'w0'), true);
  await reportEpochs(s, t.id, range(1, epochs).map((e) => e / 10));
  return s.finishTrial(t.id, { state: 'paused', epochs, checkpoint: `ckpt/${t.id}` });
}

export function fidelityContract(name: string, makeStorage: MakeStorage): void {
  const withStorage = storageTest(makeStorage);

  describe(`Storage contract, multi-fidelity: ${name}`, () => {
    test('one trial goes through its rungs: paused → promoted → resumed → paused → promoted → complete', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const paused = await pausedTrial(s, st.id, 1, 1, 0);
      assert.deepEqual([paused.state, paused.epochs, paused.value, paused.checkpoint, paused.finishedAt], ['paused', 1, 0.1, `ckpt/${paused.id}`, null]);

      const promoted = await s.promoteTrial(paused.id, 3, 1);
      assert.deepEqual(promoted, { ...paused, state: 'waiting', budget: 3, rung: 1, heartbeatAt: promoted.heartbeatAt });
      assert.match(promoted.heartbeatAt ?? '', ISO);
      assert.ok((promoted.heartbeatAt ?? '') >= (paused.heartbeatAt ?? ''));
      assert.deepEqual(await s.trial(paused.id), promoted);

      assert.equal(await s.claimTrial(paused.id, 'w1'), true);
      const resumed = await s.trial(paused.id);
      assert.deepEqual([resumed?.state, resumed?.worker, resumed?.startedAt], ['running', 'w1', paused.startedAt]);
      assert.equal(resumed?.checkpoint, `ckpt/${paused.id}`); // the worker resumes from it
      await reportEpochs(s, paused.id, [0.2, 0.3], 2);
      const paused2 = await s.finishTrial(paused.id, { state: 'paused', epochs: 3, checkpoint: `ckpt/${paused.id}` });
      assert.deepEqual([paused2.epochs, paused2.value, paused2.rung, paused2.budget], [3, 0.3, 1, 3]);

      await s.promoteTrial(paused.id, 9, 2);
      assert.equal(await s.claimTrial(paused.id, 'w2'), true);
      await reportEpochs(s, paused.id, range(4, 9).map((e) => e / 10), 4);
      const done = await s.finishTrial(paused.id, { state: 'complete', epochs: 9, value: 0.9 });
      assert.deepEqual(
        [done.state, done.epochs, done.value, done.budget, done.rung, done.bracket, done.checkpoint, done.number],
        ['complete', 9, 0.9, 9, 2, 1, null, 0],
      );
      assert.match(done.finishedAt ?? '', ISO);
      // one row, one continuous curve: every epoch 1..9 once
      assert.equal((await s.trials(st.id)).length, 1);
      assert.deepEqual((await s.reports(done.id)).map((r) => r.epoch), range(1, 9));
      assert.deepEqual((await s.objectiveCurves(st.id, 'val_accuracy')).get(done.id), range(1, 9).map((e) => e / 10));
      await assert.rejects(s.promoteTrial(done.id, 27, 3), StorageError);
    }));

    test('promotion is refused, changing nothing, unless a paused trial gets a larger budget and no lower rung', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const refused = async (t: TrialRecord, budget: number, rung: number, why: RegExp) => {
        await assert.rejects(s.promoteTrial(t.id, budget, rung), (e: unknown) => {
          assert.ok(e instanceof StorageError, String(e));
          assert.match(e.message, new RegExp(`trial ${t.id}`));
          assert.match(e.message, why);
          return true;
        });
        assert.deepEqual(await s.trial(t.id), t);
      };
      const waiting = await s.createTrial(st.id, newTrial({ budget: 3, rung: 0 }));
      await refused(waiting, 9, 1, /it is waiting, and only a paused trial/);
      assert.equal(await s.claimTrial(waiting.id, 'w'), true);
      await reportEpochs(s, waiting.id, [0.5]);
      const running = await s.trial(waiting.id);
      if (!running) throw new Error('trial vanished');
      await refused(running, 9, 1, /it is running/);
      for (const state of ['complete', 'pruned', 'failed'] as const) {
        const t = await pausedTrial(s, st.id, 1);
        const finished = await s.finishTrial(t.id, { state, epochs: 1 });
        await refused(finished, 9, 1, new RegExp(`it is ${state}`));
      }

      const p = await pausedTrial(s, st.id, 3, 3, 1);
      await refused(p, 2, 2, /budget must grow past its current 3/);
      await refused(p, 3, 2, /budget must grow past its current 3/);
      await refused(p, 9, 0, /already at rung 1/);
      for (const [budget, rung] of [[NaN, 2], [Infinity, 2], [-1, 2], [9, 1.5], [9, -1], [9, NaN]] as const) {
        await assert.rejects(s.promoteTrial(p.id, budget, rung), StorageError);
      }
      assert.deepEqual(await s.trial(p.id), p);
      // a trial that trained past its budget must get a budget past its epochs
      const over = await pausedTrial(s, st.id, 5, 3, 1);
      await refused(over, 5, 2, /already trained 5 epochs/);
      await assert.rejects(s.promoteTrial(p.id + 1000, 9, 2), /no trial with id/);

      // the same rung is allowed (a bigger budget within a rung), and so is any rung for a trial without one
      assert.equal((await s.promoteTrial(p.id, 9, 1)).rung, 1);
      const norung = await pausedTrial(s, st.id, 1, 1, null);
      assert.deepEqual(await s.promoteTrial(norung.id, 3, 0).then((t) => [t.state, t.budget, t.rung]), ['waiting', 3, 0]);
    }));

    test('a paused trial is finished without running again; paused → paused is refused', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      for (const state of ['pruned', 'complete', 'failed'] as const) {
        const p = await pausedTrial(s, st.id, 3);
        const error = state === 'failed' ? { error: { kind: 'interrupted', message: 'stopped' } as const } : {};
        const done = await s.finishTrial(p.id, { state, epochs: 3, ...error });
        assert.deepEqual({ ...done, finishedAt: null, heartbeatAt: null }, {
          ...p, state, checkpoint: null, finishedAt: null, heartbeatAt: null, error: state === 'failed' ? error.error ?? null : null,
        });
        assert.match(done.finishedAt ?? '', ISO);
        assert.equal(done.worker, 'w0');
        assert.deepEqual((await s.reports(p.id)).map((r) => r.epoch), [1, 2, 3]);
        assert.equal(await s.claimTrial(p.id, 'w1'), false);
        await assert.rejects(s.finishTrial(p.id, { state: 'pruned', epochs: 3 }), /already/);
      }
      const p = await pausedTrial(s, st.id, 3);
      await assert.rejects(s.finishTrial(p.id, { state: 'paused', epochs: 3, checkpoint: 'elsewhere' }), StorageError);
      assert.deepEqual(await s.trial(p.id), p);
    }));

    test('the checkpoint column follows the outcome: cleared when a trial finishes without one', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const finishAfterResume = async (outcome: Parameters<Storage['finishTrial']>[1]) => {
        const p = await pausedTrial(s, st.id, 1, 1);
        await s.promoteTrial(p.id, 3, 1);
        assert.equal(await s.claimTrial(p.id, 'w1'), true);
        assert.equal((await s.trial(p.id))?.checkpoint, `ckpt/${p.id}`);
        return s.finishTrial(p.id, outcome);
      };
      assert.equal((await finishAfterResume({ state: 'complete', epochs: 3 })).checkpoint, null);
      assert.equal((await finishAfterResume({ state: 'pruned', epochs: 2 })).checkpoint, null);
      assert.equal((await finishAfterResume({ state: 'failed', epochs: 2, checkpoint: 'ckpt/keep' })).checkpoint, 'ckpt/keep');
      // paused again: the new checkpoint replaces the old one; without one, the old one (epoch 1) is stale and dropped
      assert.equal((await finishAfterResume({ state: 'paused', epochs: 3, checkpoint: 'ckpt/new' })).checkpoint, 'ckpt/new');
      const stale = await finishAfterResume({ state: 'paused', epochs: 3 });
      assert.deepEqual([stale.state, stale.checkpoint, stale.finishedAt], ['paused', null, null]);
    }));

    test('epochs never go back: a resumed trial that dies before its first new epoch keeps what it reported', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const p = await pausedTrial(s, st.id, 3, 3);
      await s.promoteTrial(p.id, 9, 1);
      await s.claimTrial(p.id, 'w1');
      const died = await s.finishTrial(p.id, { state: 'failed', epochs: 0, error: { kind: 'worker-died', message: 'gone' } });
      assert.deepEqual([died.epochs, died.value], [3, 0.3]);
    }));

    test('objectiveCurves: one curve per trial, epoch e at index e - 1, gaps and NaN/±Infinity exact', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const other = await s.openStudy(spec({ name: 'other' }));
      const start = async (studyId: number) => {
        const t = await s.createTrial(studyId, newTrial());
        await s.claimTrial(t.id, 'w');
        return t.id;
      };
      const a = await start(st.id);
      await s.report(a, 1, { val_accuracy: 0.5, loss: 2 }, 0.5);
      await s.report(a, 2, { val_accuracy: NaN, loss: 1 }, NaN);
      await s.report(a, 4, { val_accuracy: 0.75 }, 0.75); // epoch 3 missing
      await s.report(a, 5, { loss: 0.5 }, NaN); // a later epoch without the metric doesn't lengthen the curve
      const b = await start(st.id);
      await s.report(b, 2, { val_accuracy: Infinity }, Infinity);
      await s.report(b, 3, { val_accuracy: -Infinity }, -Infinity);
      await s.report(b, 1, { val_accuracy: -0.25 }, -0.25); // late, out of order
      const lossOnly = await start(st.id);
      await s.report(lossOnly, 1, { loss: 3 }, NaN);
      await start(st.id); // no reports at all
      const elsewhere = await start(other.id);
      await s.report(elsewhere, 1, { val_accuracy: 0.9 }, 0.9);

      const curves = await s.objectiveCurves(st.id, 'val_accuracy');
      assert.deepEqual([...curves.keys()], [a, b]);
      assert.deepEqual(curves.get(a), [0.5, NaN, NaN, 0.75]);
      assert.ok(Number.isNaN(curves.get(a)?.[1]) && Number.isNaN(curves.get(a)?.[2]));
      assert.deepEqual(curves.get(b), [-0.25, Infinity, -Infinity]);
      assert.deepEqual((await s.objectiveCurves(st.id, 'loss')).get(a), [2, 1, NaN, NaN, 0.5]);
      assert.deepEqual([...(await s.objectiveCurves(other.id, 'val_accuracy'))], [[elsewhere, [0.9]]]);
      assert.equal((await s.objectiveCurves(st.id, 'nope')).size, 0);
      assert.equal((await s.objectiveCurves(st.id + other.id + 1000, 'val_accuracy')).size, 0);
    }));
  });
}
