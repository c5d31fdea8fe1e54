/** The change-feed part of the storage contract: `changesSince` returns exactly what was written after a seq. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StorageError } from '../../src/core/errors.js';
import type { StudyChanges } from '../../src/storage/types.js';
import { newTrial, runTrial, spec, storageTest, type MakeStorage } from './helpers.js';

const numbers = (c: StudyChanges): number[] => c.trials.map((t) => t.number);
const epochs = (c: StudyChanges): [number, number, Record<string, number>][] =>
  c.reports.map((r) => [r.trialId, r.epoch, { ...r.metrics }]);

export function changesContract(name: string, makeStorage: MakeStorage): void {
  const withStorage = storageTest(makeStorage);

  describe(`Storage contract, change feed: ${name}`, () => {
    test('a new study has seq 0 and no changes; since 0 gives every trial and report', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const empty = await s.changesSince(st.id, 0);
      assert.deepEqual([empty.seq, empty.trials, empty.reports, empty.study], [0, [], [], st]);
      const a = await runTrial(s, st.id, [0.5, 0.6], {});
      await s.createTrial(st.id, newTrial());
      const all = await s.changesSince(st.id, 0);
      assert.ok(all.seq > 0);
      assert.deepEqual(numbers(all), [0, 1]);
      assert.deepEqual(all.trials[0], await s.trial(a.id));
      assert.deepEqual(epochs(all), [[a.id, 1, { val_accuracy: 0.5 }], [a.id, 2, { val_accuracy: 0.6 }]]);
      // Nothing changed since: nothing comes back, and the seq stays.
      const none = await s.changesSince(st.id, all.seq);
      assert.deepEqual([none.seq, none.trials, none.reports], [all.seq, [], []]);
    }));

    test('every kind of trial write bumps the seq and returns only that trial, as it is now', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const idle = await s.createTrial(st.id, newTrial());
      const t = await s.createTrial(st.id, newTrial({ budget: 2 }));
      let seq = (await s.changesSince(st.id, 0)).seq;
      const step = async (what: string, write: () => Promise<unknown>, reports: [number, Record<string, number>][] = []) => {
        await write();
        const c = await s.changesSince(st.id, seq);
        assert.ok(c.seq > seq, `${what}: seq ${c.seq} after ${seq}`);
        assert.deepEqual(numbers(c), [t.number], what);
        assert.deepEqual(c.trials[0], await s.trial(t.id), what);
        assert.deepEqual(c.reports.map((r) => [r.epoch, { ...r.metrics }]), reports, what);
        seq = c.seq;
      };
      await step('claim', () => s.claimTrial(t.id, 'w'));
      await step('report', () => s.report(t.id, 1, { val_accuracy: 0.25, loss: 2 }, 0.25), [[1, { loss: 2, val_accuracy: 0.25 }]]);
      await step('report again (upsert)', () => s.report(t.id, 1, { val_accuracy: 0.3 }, 0.3), [[1, { val_accuracy: 0.3 }]]);
      await step('pause', () => s.finishTrial(t.id, { state: 'paused', epochs: 1, checkpoint: 'c' }));
      await step('promote', () => s.promoteTrial(t.id, 6, 1));
      await step('claim after promotion', () => s.claimTrial(t.id, 'w'));
      await step('requeue', () => s.requeueTrial(t.id, { countAttempt: true }));
      await step('claim after requeue', () => s.claimTrial(t.id, 'w'));
      await step('finish with metrics', () => s.finishTrial(t.id, { state: 'complete', epochs: 2, metrics: { val_accuracy: 0.9 }, value: 0.9 }),
        [[2, { val_accuracy: 0.9 }]]);
      assert.equal((await s.changesSince(st.id, seq)).trials.length, 0);
      assert.equal(idle.state, 'waiting');
    }));

    test('a heartbeat alone is not a change', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const t = await s.createTrial(st.id, newTrial({ claimBy: 'w' }));
      const before = await s.changesSince(st.id, 0);
      await s.heartbeat([t.id], 'w');
      const after = await s.changesSince(st.id, before.seq);
      assert.deepEqual([after.seq, after.trials, after.reports], [before.seq, [], []]);
    }));

    test('seqs are per study: writes to one study leave the other unchanged', withStorage(async (s) => {
      const a = await s.openStudy(spec());
      const b = await s.openStudy(spec({ name: 'other' }));
      await runTrial(s, a.id, [0.1, 0.2, 0.3], {});
      const bBefore = await s.changesSince(b.id, 0);
      assert.deepEqual([bBefore.seq, bBefore.trials], [0, []]);
      const bt = await runTrial(s, b.id, [0.7], {});
      const aSeq = (await s.changesSince(a.id, 0)).seq;
      await runTrial(s, a.id, [0.4], {});
      const bAfter = await s.changesSince(b.id, 0);
      assert.deepEqual(numbers(bAfter), [0]);
      assert.deepEqual(epochs(bAfter), [[bt.id, 1, { val_accuracy: 0.7 }]]);
      const aNew = await s.changesSince(a.id, aSeq);
      assert.deepEqual(numbers(aNew), [1]);
      assert.equal(aNew.reports.length, 1);
    }));

    test('study changes (backend, definition, name) bump the seq and come back in the study record', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      let seq = 0;
      for (const [what, write] of [
        ['backend', () => s.setStudyBackend(st.id, 'wasm')],
        ['definition', () => s.setStudyDefinition(st.id, { lr: 1 })],
        ['name', () => s.renameStudy(st.id, 'renamed')],
      ] as const) {
        await write();
        const c = await s.changesSince(st.id, seq);
        assert.ok(c.seq > seq, what);
        seq = c.seq;
      }
      const last = await s.changesSince(st.id, 0);
      assert.deepEqual([last.study.name, last.study.backend, last.study.definition], ['renamed', 'wasm', { lr: 1 }]);
    }));

    test('an unknown study or a bad since throws StorageError; a since past the end gives no changes', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      await runTrial(s, st.id, [0.5], {});
      await assert.rejects(s.changesSince(st.id + 1000, 0), (e: unknown) => e instanceof StorageError && /no study/.test(e.message));
      for (const bad of [-1, 1.5, NaN, Infinity]) {
        await assert.rejects(s.changesSince(st.id, bad), (e: unknown) => e instanceof StorageError && /since/.test(e.message), String(bad));
      }
      const { seq } = await s.changesSince(st.id, 0);
      const past = await s.changesSince(st.id, seq + 100);
      assert.deepEqual([past.seq, past.trials, past.reports], [seq, [], []]);
    }));
  });
}
